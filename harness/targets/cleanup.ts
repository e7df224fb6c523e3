// Cleanup by label: every object the harness creates carries harness.ambient-code.io/run=<runId>.
// Runs even when setup failed; never throws (cleanup errors are reported as progress lines).
import { LABEL_HARNESS_RUN } from '../platform/contract.ts';
import { kubectl, type KubectlTarget } from '../platform/deploy.ts';
import { progress } from '../report/progress.ts';

/** Namespaced kinds scenarios create, deleted before their namespaces so finalizers can run. */
const LABELLED_KINDS = ['agenticsessions.vteam.ambient-code', 'secrets', 'serviceaccounts', 'rolebindings', 'roles'];

export async function deleteByRunLabel(k: KubectlTarget, runId: string, timeoutMs = 120_000): Promise<void> {
  const selector = `${LABEL_HARNESS_RUN}=${runId}`;
  for (const kind of LABELLED_KINDS) {
    const r = await kubectl(k, ['delete', kind, '-A', '-l', selector, '--ignore-not-found', '--wait=false'], { timeoutMs, allowFailure: true }).catch((e: Error) => ({ code: 1, stderr: e.message }));
    if (r.code !== 0) progress(`cleanup: deleting ${kind}: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  }
  const r = await kubectl(k, ['delete', 'namespaces', '-l', selector, '--ignore-not-found', '--wait=false'], { timeoutMs, allowFailure: true }).catch((e: Error) => ({ code: 1, stderr: e.message }));
  if (r.code !== 0) progress(`cleanup: deleting namespaces: ${r.stderr.trim().split('\n').pop() ?? ''}`);
}
