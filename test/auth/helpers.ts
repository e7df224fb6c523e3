// Helpers for the auth integration tests: a control plane with named users, client-node configs
// per user or token, and a kubectl runner with a fresh cache dir and kubeconfig.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import type { ControlPlane } from '../../harness/controlplane/index.ts';

export const TEST_USERS = [
  { name: 'alice', groups: ['devs'] },
  { name: 'bob', groups: [] },
];

/** client-node config for a kubeconfig user of the control plane, or for a raw bearer token. */
export function kubeConfigFor(cp: ControlPlane, who: { user?: string; token?: string }): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  if (who.token === undefined) {
    kc.loadFromString(cp.kubeconfig(who.user ?? 'admin'));
    return kc;
  }
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: cp.url, caData: Buffer.from(cp.caPem).toString('base64') }],
    users: [{ name: 'u', token: who.token }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

export function kubectlAvailable(): boolean {
  return existsSync('/usr/bin/kubectl') || spawnSync('which', ['kubectl']).status === 0;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl (the dispatcher picks kubectl.1.<minor> from /version) with its own cache dir. */
export function kubectlRunner(cp: ControlPlane, user = 'admin', binary = 'kubectl') {
  const dir = mkdtempSync(join(tmpdir(), 'auth-kubectl-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, cp.kubeconfig(user), { mode: 0o600 });
  const env = { ...process.env, KUBECACHEDIR: join(dir, 'cache'), KUBECONFIG: kubeconfig, HOME: dir };
  return (args: string[], input?: string): Promise<KubectlResult> =>
    new Promise((resolve, reject) => {
      const child = spawn(binary, ['--kubeconfig', kubeconfig, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      child.stdin.end(input ?? '');
    });
}

/** Polls until fn() returns a truthy value (bounded). */
export async function waitFor<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
