// kind target: `kind create cluster` from kind-config.yaml, load local images, deploy the platform's
// kind overlay, port-forward the backend; `kind delete cluster` on down (and on a failed up).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { HarnessConfig } from '../config.ts';
import { InfraError } from '../errors.ts';
import { progress } from '../report/progress.ts';
import { exec, freshKubeCacheDir } from './exec.ts';
import { dockerEngine, firstMissing, onPath, type Prerequisite } from './prerequisites.ts';
import { connectRealCluster } from './real-cluster.ts';
import type { Cluster, Target, TargetUpOptions } from './types.ts';

export function kindPrerequisites(config: HarnessConfig): Promise<Prerequisite> {
  return firstMissing([
    onPath('kind', 'install kind ≥ v0.27 from https://kind.sigs.k8s.io'),
    onPath('kubectl', 'install kubectl'),
    existsSync(path.resolve(config.kindConfig)) ? { ok: true } : { ok: false, reason: `kind config ${config.kindConfig} not found` },
    dockerEngine,
  ]);
}

export const kindTarget: Target = {
  name: 'kind',
  prerequisites: kindPrerequisites,
  async up({ config, runId, workDir }: TargetUpOptions): Promise<Cluster> {
    const name = config.kindClusterName;
    const kubeconfig = path.join(workDir, 'kubeconfig-kind.yaml');
    const del = async () => {
      progress(`deleting kind cluster ${name}`);
      await exec('kind', ['delete', 'cluster', '--name', name, '--kubeconfig', kubeconfig], { timeoutMs: config.timeouts.downMs, allowFailure: true });
    };
    progress(`creating kind cluster ${name} from ${config.kindConfig}`);
    try {
      await exec('kind', ['create', 'cluster', '--name', name, '--config', path.resolve(config.kindConfig), '--kubeconfig', kubeconfig, '--wait', '120s'], {
        timeoutMs: config.timeouts.upMs,
      });
      for (const image of Object.values(config.images)) {
        progress(`loading image ${image} into kind`);
        await exec('kind', ['load', 'docker-image', image, '--name', name], { timeoutMs: config.timeouts.upMs });
      }
      return await connectRealCluster({
        target: 'kind',
        config,
        runId,
        k: { kubeconfig, cacheDir: freshKubeCacheDir(workDir) },
        deploy: 'required',
        teardown: del,
      });
    } catch (err) {
      await del();
      throw err instanceof InfraError ? err : new InfraError(`kind target failed: ${(err as Error).message}`, { cause: err });
    }
  },
};
