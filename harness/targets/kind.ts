// kind target: build the platform's images when asked (--build-images), `kind create cluster` from
// kind-config.yaml, load the images, install KWOK with fake nodes, deploy the platform's kind
// overlay, port-forward the backend. Teardown (failed set-up, SIGINT, end of run) deletes the
// cluster unless --keep.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { HarnessConfig } from '../config.ts';
import { ConfigError, InfraError } from '../errors.ts';
import { BringUp } from './bring-up.ts';
import { freshKubeCacheDir, type ProcessRunner } from './exec.ts';
import { dockerBuild, imageBuilds, imagesWithBuilt, kindLoadImage } from './images.ts';
import { dockerEngine, firstMissing, onPath, type Prerequisite } from './prerequisites.ts';
import { connectFreshCluster, realClusterDeps, type RealClusterDeps } from './real-cluster.ts';
import type { Cluster, Target, TargetUpOptions } from './types.ts';

/** v0.31.0 is the kind release whose default node image kind-config.yaml pins. */
export const KIND_INSTALL_HINT = 'go install sigs.k8s.io/kind@v0.31.0, or a release binary from https://kind.sigs.k8s.io/docs/user/quick-start/#installation';

export function kindPrerequisites(config: HarnessConfig): Promise<Prerequisite> {
  return firstMissing([
    onPath('kind', KIND_INSTALL_HINT),
    onPath('kubectl', 'install kubectl'),
    existsSync(path.resolve(config.kindConfig)) ? { ok: true } : { ok: false, reason: `kind config ${config.kindConfig} not found` },
    dockerEngine,
  ]);
}

/** Deletes a kind cluster; what `down --target kind` and the teardown run. */
export function deleteKindCluster(runner: ProcessRunner, name: string, timeoutMs: number, kubeconfig?: string): Promise<unknown> {
  // --kubeconfig: kind removes the cluster's context from that file only, never from ~/.kube/config.
  return runner.exec('kind', ['delete', 'cluster', '--name', name, ...(kubeconfig ? ['--kubeconfig', kubeconfig] : [])], { timeoutMs });
}

async function kindClusterExists(runner: ProcessRunner, name: string): Promise<boolean> {
  const r = await runner.exec('kind', ['get', 'clusters'], { timeoutMs: 30_000 });
  return r.stdout.split('\n').some((l) => l.trim() === name);
}

export function kindTargetWith(deps: RealClusterDeps): Target {
  const { runner } = deps;
  return {
    name: 'kind',
    prerequisites: kindPrerequisites,
    async up({ config, runId, workDir, signal }: TargetUpOptions): Promise<Cluster> {
      const name = config.kindClusterName;
      const kubeconfig = path.join(workDir, 'kubeconfig-kind.yaml');
      const bring = new BringUp('kind', signal, config.keep);
      return bring.run(async () => {
        // Bad input before anything is built or created.
        if (!config.platformDir) throw new ConfigError('target kind deploys the platform from its manifests: pass --platform-dir <platform checkout>');
        if (!config.deploy) throw new ConfigError('target kind starts an empty cluster: --no-deploy is for --target existing');
        const builds = imageBuilds(config.platformDir, config.buildImages);
        // Never adopt (and later delete) a cluster this run did not create.
        if (await kindClusterExists(runner, name)) {
          throw new InfraError(`kind cluster ${name} already exists (kept by an earlier run?): delete it with \`kind delete cluster --name ${name}\` or pick another --kind-cluster-name`);
        }
        for (const b of builds) await bring.step(`building image ${b.key}`, () => dockerBuild(runner, b, signal));
        // Registered before creating: an interrupted `kind create` leaves a node container behind.
        bring.onTeardown(`deleting kind cluster ${name}`, () => deleteKindCluster(runner, name, config.timeouts.downMs, kubeconfig), {
          durable: true,
          keptHint: `kind cluster ${name} (kubeconfig: \`kind get kubeconfig --name ${name}\`; remove: \`ambient-harness down --target kind --kind-cluster-name ${name}\`)`,
        });
        await bring.step(`creating kind cluster ${name} from ${config.kindConfig}`, () =>
          runner.exec('kind', ['create', 'cluster', '--name', name, '--config', path.resolve(config.kindConfig), '--kubeconfig', kubeconfig, '--wait', '120s'], {
            timeoutMs: config.timeouts.upMs,
            signal,
          }),
        );
        const images = imagesWithBuilt(config.images, builds);
        for (const image of Object.values(images)) {
          await bring.step(`loading image ${image}`, () => kindLoadImage(runner, name, image, { timeoutMs: config.timeouts.upMs, signal }));
        }
        const k = { kubeconfig, cacheDir: freshKubeCacheDir(workDir), runner, signal };
        const cluster = await connectFreshCluster({ target: 'kind', config, runId, k, bring, images, portForward: deps.portForward, fetchText: deps.fetchText });
        return config.keep ? { ...cluster, kept: { kindCluster: name } } : cluster;
      });
    },
  };
}

export const kindTarget: Target = kindTargetWith(realClusterDeps);
