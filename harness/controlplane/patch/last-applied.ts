// The bridge from client-side to server-side apply for the manager "kubectl" (kube's
// lastappliedmanager/lastappliedupdater): conflicts on fields whose live value still equals the
// `kubectl.kubernetes.io/last-applied-configuration` annotation are allowed, and an existing
// annotation is rewritten with the newly applied configuration.
import type { KubeObject } from '../types.ts';
import { appliedFieldSet, compareObjects } from './field-walk.ts';
import type { FieldSet } from './fieldset.ts';
import { canonicalJson, isPlainObject, type PlainObject } from './json-values.ts';
import type { ObjectSchema } from './schema.ts';
import { withoutNulls } from './apply-merge.ts';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** Only kubectl's own server-side apply takes part; other managers opt out by their name. */
export const LAST_APPLIED_MANAGER = 'kubectl';

function lastAppliedOf(obj: PlainObject | undefined): string | undefined {
  const meta = obj?.metadata;
  const annotations = isPlainObject(meta) ? meta.annotations : undefined;
  const v = isPlainObject(annotations) ? annotations[LAST_APPLIED] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** Fields of the last-applied configuration whose live value is still the one it set. */
export function allowedConflictsFromLastApplied(live: PlainObject, schema: ObjectSchema): FieldSet | undefined {
  const text = lastAppliedOf(live);
  if (!text) return undefined;
  let last: unknown;
  try {
    last = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isPlainObject(last)) return undefined;
  const lastApplied = withoutNulls(last) as PlainObject;
  try {
    return appliedFieldSet(lastApplied, schema).difference(compareObjects(lastApplied, live, schema).modified);
  } catch {
    return undefined;
  }
}

/** Rewrites an existing last-applied annotation with the applied configuration (JSON, keys sorted). */
export function syncLastApplied(result: PlainObject, applied: KubeObject): void {
  if (!lastAppliedOf(result)) return;
  const copy = structuredClone(applied) as unknown as PlainObject;
  if (isPlainObject(copy.metadata) && isPlainObject(copy.metadata.annotations)) {
    delete copy.metadata.annotations[LAST_APPLIED];
    if (Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
  }
  const meta = result.metadata as PlainObject;
  meta.annotations = { ...(meta.annotations as PlainObject), [LAST_APPLIED]: `${canonicalJson(copy)}\n` };
}
