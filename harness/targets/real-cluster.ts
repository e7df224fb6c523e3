// What kind, k3s and existing share once a kubeconfig exists: deploy the platform (optional on
// existing), port-forward the backend, declare capabilities, and build the Cluster handle.
import { readFileSync } from 'node:fs';
import type { HarnessConfig, TargetName } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { BACKEND_NAMESPACE, BACKEND_PORT, BACKEND_SERVICE } from '../platform/contract.ts';
import { deployPlatform, kubectl, type KubectlTarget } from '../platform/deploy.ts';
import { registerSecret } from '../report/redact.ts';
import { progress } from '../report/progress.ts';
import { portForward, type PortForward } from './port-forward.ts';
import { capability, type Cluster } from './types.ts';

export interface RealClusterOptions {
  target: TargetName;
  config: HarnessConfig;
  runId: string;
  k: KubectlTarget;
  /** Deploy from config.platformDir (required for kind/k3s, optional on existing). */
  deploy: 'required' | 'if-platform-dir';
  labelKey?: string;
  /** Target-specific teardown (delete the cluster/container); runs after the port-forward stops. */
  teardown: () => Promise<void>;
}

export async function connectRealCluster(o: RealClusterOptions): Promise<Cluster> {
  let rendered: string | undefined;
  if (o.config.platformDir) {
    const d = await deployPlatform(o.k, {
      platformDir: o.config.platformDir,
      overlay: o.config.overlay,
      images: o.config.images,
      runId: o.runId,
      timeoutMs: o.config.timeouts.deployMs,
      labelKey: o.labelKey,
    });
    rendered = d.renderedYaml;
  } else if (o.deploy === 'required') {
    throw new ConfigError(`target ${o.target} deploys the platform from its manifests: pass --platform-dir <platform checkout>`);
  } else {
    progress('no --platform-dir: using the platform already deployed in the cluster');
  }
  let pf: PortForward | undefined = await portForward(o.k, BACKEND_NAMESPACE, `svc/${BACKEND_SERVICE}`, BACKEND_PORT);
  progress(`backend reachable at http://127.0.0.1:${pf.localPort}/api (port-forward)`);
  // The kind overlay's test-user (cluster-admin) token, as the platform's e2e extract-token.sh reads it.
  const tok = await kubectl(o.k, ['get', 'secret', 'test-user-token', '-n', BACKEND_NAMESPACE, '-o', 'jsonpath={.data.token}'], { allowFailure: true, timeoutMs: 30_000 });
  const testUserToken = tok.code === 0 && tok.stdout.trim() ? Buffer.from(tok.stdout.trim(), 'base64').toString('utf8') : undefined;
  registerSecret(testUserToken);
  let downed = false;
  return {
    target: o.target,
    runId: o.runId,
    kubeconfig: { path: o.k.kubeconfig, yaml: readFileSync(o.k.kubeconfig, 'utf8'), context: o.k.context },
    backendUrl: `http://127.0.0.1:${pf.localPort}/api`,
    testUserToken,
    namespaces: { platform: BACKEND_NAMESPACE, projects: [] },
    capabilities: {
      podMemory: capability(true, 'operator pod /metrics and metrics.k8s.io when metrics-server is installed'),
      processMemory: capability(false, `the operator runs in a pod on ${o.target}, not as a local process`),
      realImages: capability(true, 'platform images deployed from kustomize'),
      realScheduling: capability(true, `${o.target} schedules pods on real nodes`),
      profiles: capability(false, `behaviour profiles model the reference platform; ${o.target} runs the real images`),
    },
    probes: {
      operatorPod: { namespace: BACKEND_NAMESPACE, labelSelector: 'app=agentic-operator' },
      renderedManifests: rendered,
    },
    async down() {
      if (downed) return;
      downed = true;
      pf?.stop();
      pf = undefined;
      await o.teardown();
    },
  };
}
