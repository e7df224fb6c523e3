// k3s target without testcontainers: `docker run --privileged rancher/k3s server`, read
// /etc/rancher/k3s/k3s.yaml, point it at the published API port; `docker rm -f` on down.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HarnessConfig } from '../config.ts';
import { InfraError } from '../errors.ts';
import { RUN_LABEL } from './types.ts';
import { progress } from '../report/progress.ts';
import { exec, freshKubeCacheDir } from './exec.ts';
import { dockerEngine, firstMissing, onPath, type Prerequisite } from './prerequisites.ts';
import { connectRealCluster } from './real-cluster.ts';
import type { Cluster, Target, TargetUpOptions } from './types.ts';

export function k3sPrerequisites(_config: HarnessConfig): Promise<Prerequisite> {
  return firstMissing([onPath('kubectl', 'install kubectl'), dockerEngine]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls (bounded) until k3s has written its kubeconfig and the API answers. */
async function readK3sKubeconfig(container: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = await exec('docker', ['exec', container, 'cat', '/etc/rancher/k3s/k3s.yaml'], { timeoutMs: 10_000, allowFailure: true });
    if (r.code === 0 && r.stdout.includes('server:')) {
      const ready = await exec('docker', ['exec', container, 'kubectl', 'get', '--raw', '/readyz'], { timeoutMs: 10_000, allowFailure: true });
      if (ready.code === 0) return r.stdout;
    }
    await sleep(2000);
  }
  throw new InfraError(`k3s in container ${container} did not become ready within ${timeoutMs} ms`);
}

export const k3sTarget: Target = {
  name: 'k3s',
  prerequisites: k3sPrerequisites,
  async up({ config, runId, workDir }: TargetUpOptions): Promise<Cluster> {
    const container = `ambient-harness-k3s-${runId.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`.slice(0, 63);
    const kubeconfig = path.join(workDir, 'kubeconfig-k3s.yaml');
    const rm = async () => {
      progress(`removing k3s container ${container}`);
      await exec('docker', ['rm', '-f', container], { timeoutMs: config.timeouts.downMs, allowFailure: true });
    };
    progress(`starting ${config.k3sImage} as ${container}`);
    try {
      await exec(
        'docker',
        ['run', '-d', '--privileged', '--name', container, '--label', `${RUN_LABEL}=${runId}`, '-p', '127.0.0.1::6443', config.k3sImage, 'server', '--disable', 'traefik'],
        { timeoutMs: config.timeouts.upMs },
      );
      const raw = await readK3sKubeconfig(container, config.timeouts.upMs);
      const port = (await exec('docker', ['port', container, '6443/tcp'], { timeoutMs: 10_000 })).stdout.trim().split('\n')[0].split(':').pop();
      writeFileSync(kubeconfig, raw.replace(/server: https:\/\/[^\s]+/, `server: https://127.0.0.1:${port}`), { mode: 0o600 });
      for (const image of Object.values(config.images)) {
        progress(`importing image ${image} into k3s`);
        const tar = path.join(workDir, 'image.tar');
        await exec('docker', ['save', '-o', tar, image], { timeoutMs: config.timeouts.upMs });
        await exec('docker', ['cp', tar, `${container}:/tmp/image.tar`], { timeoutMs: config.timeouts.upMs });
        await exec('docker', ['exec', container, 'ctr', 'images', 'import', '/tmp/image.tar'], { timeoutMs: config.timeouts.upMs });
      }
      return await connectRealCluster({ target: 'k3s', config, runId, k: { kubeconfig, cacheDir: freshKubeCacheDir(workDir) }, deploy: 'required', teardown: rm });
    } catch (err) {
      await rm();
      throw err instanceof InfraError ? err : new InfraError(`k3s target failed: ${(err as Error).message}`, { cause: err });
    }
  },
};
