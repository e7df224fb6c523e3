// Test helper: runs the real kubectl against an embedded control plane with a fresh kubeconfig
// and KUBECACHEDIR, bounded in time; never throws, returns exit status and output.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ControlPlane, ControlPlaneOptions } from '../../harness/controlplane/index.ts';

const run = promisify(execFile);

export const kubectlAvailable = (process.env.PATH ?? '').split(':').some((d) => existsSync(path.join(d, 'kubectl')));

export interface KubectlResult { ok: boolean; stdout: string; stderr: string }

export async function kubectlFor(cp: ControlPlane): Promise<{ dir: string; kubectl: (...args: string[]) => Promise<KubectlResult> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'h3-kubectl-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  await cp.writeKubeconfig(kubeconfig);
  const env = { ...process.env, KUBECACHEDIR: path.join(dir, 'cache') };
  return {
    dir,
    kubectl: async (...args: string[]) => {
      try {
        const r = await run('kubectl', ['--kubeconfig', kubeconfig, ...args], { env, timeout: 30_000 });
        return { ok: true, stdout: r.stdout, stderr: r.stderr };
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string; message: string };
        return { ok: false, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message };
      }
    },
  };
}

/**
 * Options that make every caller an admin: tests of request bodies and CRD schemas then do not
 * depend on authentication/RBAC wiring (which has its own tests).
 */
export const openAccess: Pick<ControlPlaneOptions, 'authenticator' | 'authorizer'> = {
  authenticator: { authenticate: () => ({ username: 'test-admin', groups: ['system:masters', 'system:authenticated'] }) },
  authorizer: { authorize: () => ({ allowed: true, reason: 'test: open access' }) },
};
