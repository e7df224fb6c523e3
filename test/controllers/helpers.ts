// Test harness for the controllers: an embedded control plane per test file, driven through a
// kubeconfig with real kubectl and @kubernetes/client-node, as users drive it.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from '../../harness/controlplane/index.ts';

export interface Env {
  cp: ControlPlane;
  dir: string;
  kubeconfigPath: string;
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  batch: k8s.BatchV1Api;
  objects: k8s.KubernetesObjectApi;
  /**
   * Runs kubectl; resolves with stdout, rejects with stderr on failure. The discovery cache dir is
   * fresh per environment (per test file); `freshCache` gives one call its own empty cache.
   */
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number; freshCache?: boolean }): Promise<string>;
  stop(): Promise<void>;
}

export async function startEnv(opts: ControlPlaneOptions = {}): Promise<Env> {
  const cp = await startControlPlane(opts);
  const dir = await mkdtemp(join(tmpdir(), 'h6-controllers-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  await writeFile(kubeconfigPath, cp.kubeconfig(), { mode: 0o600 });
  const kc = new k8s.KubeConfig();
  kc.loadFromString(cp.kubeconfig());
  let cacheN = 0;
  const kubectl = (args: string[], o: { input?: string; timeoutMs?: number; freshCache?: boolean } = {}) =>
    new Promise<string>((resolve, reject) => {
      const child = execFile(
        'kubectl',
        ['--kubeconfig', kubeconfigPath, ...args],
        { env: { ...process.env, KUBECACHEDIR: join(dir, o.freshCache ? `cache-${++cacheN}` : 'cache'), KUBECONFIG: kubeconfigPath }, timeout: o.timeoutMs ?? 45_000, maxBuffer: 16 << 20 },
        (err, stdout, stderr) => (err ? reject(new Error(`kubectl ${args.join(' ')} failed: ${stderr || err.message}`)) : resolve(stdout)),
      );
      if (o.input !== undefined) child.stdin?.end(o.input);
    });
  return {
    cp,
    dir,
    kubeconfigPath,
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    batch: kc.makeApiClient(k8s.BatchV1Api),
    objects: k8s.KubernetesObjectApi.makeApiClient(kc),
    kubectl,
    async stop() {
      await cp.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `fn` until it returns a truthy value (bounded in time); returns that value. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${lastErr ? `: ${(lastErr as Error).message}` : ''}`);
}

/** HTTP status of a client-node ApiException (undefined for other errors). */
export function statusOf(err: unknown): number | undefined {
  return (err as { code?: number }).code;
}

export async function expectStatus(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
    return 200;
  } catch (err) {
    return statusOf(err);
  }
}

/** Sets or clears metadata.finalizers with a read-modify-replace through client-node. */
export async function setFinalizers(env: Env, apiVersion: string, kind: string, namespace: string | undefined, name: string, finalizers: string[]): Promise<void> {
  const obj = await env.objects.read({ apiVersion, kind, metadata: { name, namespace } });
  obj.metadata = { ...obj.metadata, finalizers };
  await env.objects.replace(obj);
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 7)}`;
}
