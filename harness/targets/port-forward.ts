// `kubectl port-forward` to a Service on a real cluster, so the harness reaches the backend on
// 127.0.0.1 exactly as it does on the embedded target.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { rmSync } from 'node:fs';
import { InfraError } from '../errors.ts';
import { kubectlArgs, type KubectlTarget } from '../platform/deploy.ts';
import { superviseSpawn } from '../process/supervisor.ts';
import { freshKubeCacheDir } from './exec.ts';

export interface PortForward {
  localPort: number;
  stop(): void;
}

export function portForward(k: KubectlTarget, namespace: string, resource: string, remotePort: number, timeoutMs = 30_000): Promise<PortForward> {
  const ownCache = k.cacheDir ? undefined : freshKubeCacheDir();
  // Supervised: the port-forward ends with the harness, however the harness ends.
  const child = superviseSpawn('kubectl', kubectlArgs(k, ['port-forward', '-n', namespace, resource, `:${remotePort}`, '--address', '127.0.0.1']), {
    env: { ...process.env, KUBECACHEDIR: k.cacheDir ?? ownCache },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).child as ChildProcessWithoutNullStreams;
  if (ownCache) child.once('close', () => rmSync(ownCache, { recursive: true, force: true }));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new InfraError(`port-forward to ${namespace}/${resource} did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ localPort: Number(m[1]), stop: () => child.kill() });
      }
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new InfraError(`kubectl port-forward: ${e.message}`));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new InfraError(`kubectl port-forward to ${namespace}/${resource} exited ${code}: ${err.trim().split('\n').pop() ?? ''}`));
    });
  });
}
