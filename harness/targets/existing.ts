// existing target: a cluster the user already has (KUBECONFIG / --kubeconfig, --context). The harness
// deploys only when --platform-dir is given, and at teardown deletes only what scenarios created
// (by the run label) — never the platform itself.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HarnessConfig } from '../config.ts';
import { DEPLOYED_BY_LABEL, kubectl } from '../platform/deploy.ts';
import { progress } from '../report/progress.ts';
import { deleteByRunLabel } from './cleanup.ts';
import { freshKubeCacheDir } from './exec.ts';
import { firstMissing, onPath, type Prerequisite } from './prerequisites.ts';
import { connectRealCluster } from './real-cluster.ts';
import type { Cluster, Target, TargetUpOptions } from './types.ts';

export function kubeconfigPathOf(config: HarnessConfig, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(config.kubeconfig ?? env.KUBECONFIG?.split(path.delimiter)[0] ?? path.join(os.homedir(), '.kube', 'config'));
}

export function existingPrerequisites(config: HarnessConfig): Promise<Prerequisite> {
  const file = kubeconfigPathOf(config);
  return firstMissing([
    onPath('kubectl', 'install kubectl'),
    existsSync(file) ? { ok: true } : { ok: false, reason: `kubeconfig ${file} not found (set --kubeconfig or KUBECONFIG)` },
  ]);
}

export const existingTarget: Target = {
  name: 'existing',
  prerequisites: existingPrerequisites,
  async up({ config, runId, workDir }: TargetUpOptions): Promise<Cluster> {
    const k = { kubeconfig: kubeconfigPathOf(config), context: config.context, cacheDir: freshKubeCacheDir(workDir) };
    // Fails fast (InfraError) when the API server is unreachable or the credentials are refused.
    await kubectl(k, ['get', '--raw', '/readyz'], { timeoutMs: 30_000 });
    return connectRealCluster({
      target: 'existing',
      config,
      runId,
      k,
      deploy: 'if-platform-dir',
      labelKey: DEPLOYED_BY_LABEL,
      teardown: async () => {
        progress(`deleting objects labelled with run ${runId} (the platform itself stays)`);
        await deleteByRunLabel(k, runId, config.timeouts.downMs);
      },
    });
  },
};
