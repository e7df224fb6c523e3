// existing target: a cluster the user already has (--kubeconfig / KUBECONFIG, --context). The
// harness deploys only with --platform-dir (and not with --no-deploy); at teardown it deletes what
// scenarios created (by the run label) and the objects its deploy created, never what was there.
// With local platform processes (--backend-cmd, --operator-cmd, --build, --platform-processes
// local) the programs run on this machine against the cluster's API server instead of deploying,
// and what their install created is deleted again at teardown.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { platformProcessesOf, type HarnessConfig } from '../config.ts';
import { DEPLOYED_BY_LABEL, kubectl } from '../platform/deploy.ts';
import { BringUp } from './bring-up.ts';
import { deleteByRunLabel, deleteObjects, notYetExisting, type ObjectRef } from './cleanup.ts';
import { freshKubeCacheDir } from './exec.ts';
import { firstMissing, onPath, type Prerequisite } from './prerequisites.ts';
import { connectLocalPlatform } from './local-platform.ts';
import { connectRealCluster, realClusterDeps, type RealClusterDeps } from './real-cluster.ts';
import type { Cluster, Target, TargetUpOptions } from './types.ts';

export function kubeconfigPathOf(config: HarnessConfig, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(config.kubeconfig ?? env.KUBECONFIG?.split(path.delimiter)[0] ?? path.join(os.homedir(), '.kube', 'config'));
}

export function existingPrerequisites(config: HarnessConfig): Promise<Prerequisite> {
  const file = kubeconfigPathOf(config);
  return firstMissing([
    onPath('kubectl', 'install kubectl'),
    config.build ? onPath('go', '--build compiles the platform with the local Go toolchain: install Go 1.24 or newer') : { ok: true },
    existsSync(file) ? { ok: true } : { ok: false, reason: `kubeconfig ${file} not found (set --kubeconfig or KUBECONFIG)` },
  ]);
}

export function existingTargetWith(deps: RealClusterDeps): Target {
  return {
    name: 'existing',
    prerequisites: existingPrerequisites,
    async up({ config, runId, workDir, logDir, signal }: TargetUpOptions): Promise<Cluster> {
      const k = { kubeconfig: kubeconfigPathOf(config), context: config.context, cacheDir: freshKubeCacheDir(workDir), runner: deps.runner, signal };
      const bring = new BringUp('existing', signal, config.keep);
      let created: ObjectRef[] = [];
      let upSucceeded = false;
      return bring.run(async () => {
        // Fails fast (InfraError) when the API server is unreachable or the credentials are refused.
        await bring.step('checking the cluster answers', () => kubectl(k, ['get', '--raw', '/readyz'], { timeoutMs: 30_000 }));
        bring.onTeardown(`deleting objects labelled with run ${runId}`, () => deleteByRunLabel(k, runId, config.timeouts.downMs));
        bring.onTeardown('deleting the objects this run deployed that were not there before (the platform that was there stays)', () => deleteObjects(k, created, config.timeouts.downMs), {
          // Kept (--keep, `up`) only once the platform is up: a failed deploy is always undone.
          durable: () => upSucceeded,
          keptHint: 'the objects this run deployed (remove: `ambient-harness down --target existing`)',
        });
        if (platformProcessesOf(config) === 'local') {
          const adminKubeconfig = k.kubeconfig;
          return connectLocalPlatform({ target: 'existing', config, runId, workDir, logDir, adminKubeconfig, context: config.context, uninstall: true, teardown: () => bring.teardown() });
        }
        const cluster = await connectRealCluster({
          target: 'existing',
          config,
          runId,
          k,
          bring,
          deploy: 'if-platform-dir',
          labelKey: DEPLOYED_BY_LABEL,
          portForward: deps.portForward,
          beforeApply: async (objects) => {
            created = await notYetExisting(k, objects);
          },
        });
        upSucceeded = true;
        return config.keep ? { ...cluster, kept: { createdObjects: created } } : cluster;
      });
    },
  };
}

export const existingTarget: Target = existingTargetWith(realClusterDeps);
