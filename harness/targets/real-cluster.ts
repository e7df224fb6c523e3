// What kind, k3s and existing share once a kubeconfig exists: deploy the platform (optional on
// existing), port-forward the backend, read what probes need (the operator pod and its memory
// limit), declare capabilities, and build the Cluster handle whose down() is the bring-up's teardown.
import { readFileSync } from 'node:fs';
import type { HarnessConfig, ImageKey, TargetName } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { BACKEND_NAMESPACE, BACKEND_PORT, BACKEND_SERVICE } from '../platform/contract.ts';
import { deployPlatform, kubectl, type DeployOptions, type KubectlTarget } from '../platform/deploy.ts';
import { parseMemoryQuantity } from '../probes/quantity.ts';
import { registerSecret } from '../report/redact.ts';
import { progress } from '../report/progress.ts';
import type { BringUp } from './bring-up.ts';
import { processRunner, type ProcessRunner } from './exec.ts';
import { installKwok, placeOnPlatformNodes } from './kwok.ts';
import { portForward as kubectlPortForward } from './port-forward.ts';
import { capability, type Cluster } from './types.ts';

/** The process boundary of kind/k3s/existing; tests stand in for the programs a machine lacks. */
export interface RealClusterDeps {
  runner: ProcessRunner;
  portForward?: typeof kubectlPortForward;
  /** Fetches release manifests (KWOK). */
  fetchText?: (url: string) => Promise<string>;
}

export const realClusterDeps: RealClusterDeps = { runner: processRunner };

/** The operator's Deployment (and its pods' `app` label) in the platform's manifests at both commits. */
const OPERATOR_DEPLOYMENT = 'agentic-operator';

export interface RealClusterOptions {
  target: TargetName;
  config: HarnessConfig;
  runId: string;
  k: KubectlTarget;
  bring: BringUp;
  /** kind/k3s start empty: they must deploy. existing deploys only with --platform-dir and without --no-deploy. */
  deploy: 'required' | 'if-platform-dir';
  /** Images to deploy (the user's overrides plus what this run built). */
  images?: Partial<Record<ImageKey, string>>;
  labelKey?: string;
  transform?: DeployOptions['transform'];
  beforeApply?: DeployOptions['beforeApply'];
  /** What the capabilities say about scheduling (e.g. KWOK's fake nodes). */
  scheduling?: string;
  /** kubectl port-forward (tests stand in for it where no kubelet forwards). */
  portForward?: typeof kubectlPortForward;
}

/** The operator container's memory limit as deployed, in bytes; undefined when it declares none. */
export async function operatorMemoryLimit(k: KubectlTarget, namespace = BACKEND_NAMESPACE): Promise<number | undefined> {
  const r = await kubectl(k, ['get', 'deployment', OPERATOR_DEPLOYMENT, '-n', namespace, '-o', 'json'], { allowFailure: true, timeoutMs: 30_000 });
  if (r.code !== 0) return undefined;
  let deployment: unknown;
  try {
    deployment = JSON.parse(r.stdout);
  } catch {
    return undefined;
  }
  const containers = (deployment as { spec?: { template?: { spec?: { containers?: Array<{ name: string; resources?: { limits?: { memory?: string } } }> } } } }).spec?.template?.spec?.containers ?? [];
  const c = containers.find((x) => x.name === OPERATOR_DEPLOYMENT) ?? containers[0];
  const limit = c?.resources?.limits?.memory;
  return limit ? parseMemoryQuantity(limit) : undefined;
}

export async function connectRealCluster(o: RealClusterOptions): Promise<Cluster> {
  const { config, bring, k } = o;
  let rendered: string | undefined;
  if (o.deploy === 'required' && (!config.platformDir || !config.deploy)) {
    throw new ConfigError(`target ${o.target} starts an empty cluster and deploys the platform from its manifests: pass --platform-dir <platform checkout>${config.deploy ? '' : ' and drop --no-deploy'}`);
  }
  if (config.platformDir && config.deploy) {
    const platformDir = config.platformDir;
    const d = await bring.step(`deploying the platform from ${platformDir} (overlay ${config.overlay})`, () =>
      deployPlatform(k, {
        platformDir,
        overlay: config.overlay,
        images: o.images ?? config.images,
        runId: o.runId,
        timeoutMs: config.timeouts.deployMs,
        labelKey: o.labelKey,
        transform: o.transform,
        beforeApply: o.beforeApply,
      }),
    );
    rendered = d.renderedYaml;
  } else {
    progress(config.platformDir ? '--no-deploy: using the platform the cluster already runs' : 'no --platform-dir: using the platform the cluster already runs');
  }
  const pf = await bring.step(`port-forwarding svc/${BACKEND_SERVICE}`, () => (o.portForward ?? kubectlPortForward)(k, BACKEND_NAMESPACE, `svc/${BACKEND_SERVICE}`, BACKEND_PORT));
  bring.onTeardown('stopping the backend port-forward', () => pf.stop());
  progress(`backend reachable at http://127.0.0.1:${pf.localPort}/api (port-forward)`);
  // The kind overlay's test-user (cluster-admin) token, as the platform's e2e extract-token.sh reads it.
  const tok = await kubectl(k, ['get', 'secret', 'test-user-token', '-n', BACKEND_NAMESPACE, '-o', 'jsonpath={.data.token}'], { allowFailure: true, timeoutMs: 30_000 });
  const testUserToken = tok.code === 0 && tok.stdout.trim() ? Buffer.from(tok.stdout.trim(), 'base64').toString('utf8') : undefined;
  registerSecret(testUserToken);
  const memoryLimit = await operatorMemoryLimit(k);
  return {
    target: o.target,
    runId: o.runId,
    kubeconfig: { path: k.kubeconfig, yaml: readFileSync(k.kubeconfig, 'utf8'), context: k.context },
    backendUrl: `http://127.0.0.1:${pf.localPort}/api`,
    testUserToken,
    namespaces: { platform: BACKEND_NAMESPACE, projects: [] },
    capabilities: {
      podMemory: capability(true, `operator pod (app=${OPERATOR_DEPLOYMENT}): metrics.k8s.io when metrics-server is installed, else its /metrics`),
      processMemory: capability(false, `the operator runs in a pod on ${o.target}, not as a local process`),
      realImages: capability(true, 'platform images deployed from kustomize'),
      realScheduling: capability(true, o.scheduling ?? `${o.target} schedules pods on real nodes`),
      profiles: capability(false, `behaviour profiles model the reference platform; ${o.target} runs the real images`),
    },
    probes: {
      operatorPod: { namespace: BACKEND_NAMESPACE, labelSelector: `app=${OPERATOR_DEPLOYMENT}` },
      operatorMemoryLimitBytes: memoryLimit,
      renderedManifests: rendered,
    },
    down: () => bring.teardown(),
  };
}

/**
 * kind and k3s: a cluster this run created, empty. KWOK first (when --kwok-nodes > 0), then the
 * platform pinned to the real node so the runner pods the operator creates go to the fake nodes.
 */
export async function connectFreshCluster(o: Omit<RealClusterOptions, 'deploy' | 'transform' | 'scheduling'> & { fetchText?: RealClusterDeps['fetchText'] }): Promise<Cluster> {
  const { config } = o;
  if (config.kwokNodes > 0) {
    await o.bring.step(`installing KWOK ${config.kwokVersion} with ${config.kwokNodes} fake node(s)`, () =>
      installKwok(o.k, { nodes: config.kwokNodes, version: config.kwokVersion, runId: o.runId, timeoutMs: config.timeouts.deployMs, fetchText: o.fetchText }),
    );
  }
  return connectRealCluster({
    ...o,
    deploy: 'required',
    transform: config.kwokNodes > 0 ? placeOnPlatformNodes : undefined,
    scheduling:
      config.kwokNodes > 0
        ? `the platform runs on the real node; runner pods are scheduled onto ${config.kwokNodes} KWOK fake node(s) and never run`
        : `${o.target} schedules every pod on its real node (--kwok-nodes 0)`,
  });
}
