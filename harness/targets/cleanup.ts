// Cleanup on clusters the harness does not own. Scenario objects carry
// harness.ambient-code.io/run=<runId> and are deleted by that label; objects a deploy created (they
// did not exist before it) are recorded and deleted by name, so a platform that was already there —
// even one this run updated — stays. Never throws (errors are progress lines).
import { InfraError } from '../errors.ts';
import { LABEL_HARNESS_RUN } from '../platform/contract.ts';
import { kubectl, toYaml, type KubectlTarget, type Manifest } from '../platform/deploy.ts';
import { progress } from '../report/progress.ts';

/** Namespaced kinds scenarios create, deleted before their namespaces so finalizers can run. */
const LABELLED_KINDS = ['agenticsessions.vteam.ambient-code', 'secrets', 'serviceaccounts', 'rolebindings', 'roles'];

const lastLine = (s: string) => s.trim().split('\n').pop() ?? '';

export async function deleteByRunLabel(k: KubectlTarget, runId: string, timeoutMs = 120_000): Promise<void> {
  const selector = `${LABEL_HARNESS_RUN}=${runId}`;
  for (const kind of LABELLED_KINDS) {
    const r = await kubectl(k, ['delete', kind, '-A', '-l', selector, '--ignore-not-found', '--wait=false'], { timeoutMs, allowFailure: true }).catch((e: Error) => ({ code: 1, stderr: e.message }));
    if (r.code !== 0) progress(`cleanup: deleting ${kind}: ${lastLine(r.stderr)}`);
  }
  const r = await kubectl(k, ['delete', 'namespaces', '-l', selector, '--ignore-not-found', '--wait=false'], { timeoutMs, allowFailure: true }).catch((e: Error) => ({ code: 1, stderr: e.message }));
  if (r.code !== 0) progress(`cleanup: deleting namespaces: ${lastLine(r.stderr)}`);
}

/** Just what names an object: enough for `kubectl get -f` and `kubectl delete -f`. */
export type ObjectRef = Pick<Manifest, 'apiVersion' | 'kind'> & { metadata: { name: string; namespace?: string } };

const refOf = (m: Manifest): ObjectRef => ({ apiVersion: m.apiVersion, kind: m.kind, metadata: { name: m.metadata.name, ...(m.metadata.namespace ? { namespace: m.metadata.namespace } : {}) } });

/**
 * The objects of `manifests` that do not exist yet: one `kubectl get -f` per kind. A kind the
 * server does not know (its CRD is in the same bundle) has no objects yet, so all of them are new.
 */
export async function notYetExisting(k: KubectlTarget, manifests: Manifest[]): Promise<ObjectRef[]> {
  const byKind = new Map<string, ObjectRef[]>();
  for (const m of manifests.map(refOf)) byKind.set(`${m.apiVersion}/${m.kind}`, [...(byKind.get(`${m.apiVersion}/${m.kind}`) ?? []), m]);
  const absent: ObjectRef[] = [];
  for (const refs of byKind.values()) {
    const r = await kubectl(k, ['get', '-f', '-', '--ignore-not-found', '-o', 'custom-columns=NS:.metadata.namespace,NAME:.metadata.name', '--no-headers'], {
      input: toYaml(refs as Manifest[]),
      allowFailure: true,
      timeoutMs: 60_000,
    });
    if (r.code !== 0 && !/no matches for kind|the server doesn't have a resource type/.test(r.stderr)) {
      throw new InfraError(`checking which ${refs[0].kind} objects exist: ${lastLine(r.stderr)}`);
    }
    const present = new Set(
      (r.code === 0 ? r.stdout : '')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [ns, name] = line.trim().split(/\s+/);
          return `${ns === '<none>' ? '' : ns}/${name}`;
        }),
    );
    absent.push(...refs.filter((m) => !present.has(`${m.metadata.namespace ?? ''}/${m.metadata.name}`)));
  }
  return absent;
}

/** Deletes exactly these objects (newest first), then waits for nothing: namespaces finish on their own. */
export async function deleteObjects(k: KubectlTarget, refs: ObjectRef[], timeoutMs = 120_000): Promise<void> {
  if (!refs.length) return;
  const r = await kubectl(k, ['delete', '-f', '-', '--ignore-not-found', '--wait=false'], { input: toYaml([...refs].reverse() as Manifest[]), timeoutMs, allowFailure: true }).catch(
    (e: Error) => ({ code: 1, stderr: e.message }),
  );
  if (r.code !== 0) progress(`cleanup: deleting ${refs.length} object(s) this run created: ${lastLine(r.stderr)}`);
}
