// Ownership for non-apply writes (create, update, JSON/merge/strategic patch): the writer takes
// every field it added or changed (operation Update), other managers lose those fields, and fields
// that disappeared leave every set.
import type { JsonObject, KubeObject, ManagedFieldsEntry } from '../types.ts';
import { addedFieldsV1, compareObjects } from './field-walk.ts';
import { FieldSet } from './fieldset.ts';
import { deepEqual, type PlainObject } from './json-values.ts';
import { decodeManagers, encodeManagers, nowRfc3339, sameManager, type Manager } from './managed-fields.ts';
import { schemaFor, type ListTypeLookup } from './schema.ts';

export interface UpdateManagedFieldsArgs {
  before?: KubeObject;
  after: KubeObject;
  manager: string;
  operation: 'Update';
  subresource?: string;
  /** Defaults to `after.apiVersion`. */
  apiVersion?: string;
  now?: string;
  listTypeAt?: ListTypeLookup;
}

export function updateManagedFields(args: UpdateManagedFieldsArgs): ManagedFieldsEntry[] {
  const { before, after, manager, subresource } = args;
  const apiVersion = args.apiVersion ?? after.apiVersion;
  const schema = schemaFor(after.kind ?? before?.kind ?? '', args.listTypeAt);
  const requested = after.metadata?.managedFields;
  if (!before && !(!subresource && Array.isArray(requested) && requested.length > 0)) {
    // A create without managedFields of its own: the writer owns every field, nobody else any.
    // managedFields itself is a stripped field, so the walks below never look into it.
    const fieldsV1 = addedFieldsV1(after as unknown as PlainObject, schema);
    if (Object.keys(fieldsV1).length === 0) return [];
    return [{ manager, operation: 'Update', apiVersion, time: args.now ?? nowRfc3339(), fieldsType: 'FieldsV1', fieldsV1: fieldsV1 as JsonObject, ...(subresource ? { subresource } : {}) }];
  }
  const managers = baseManagers(before, after, subresource);

  const cmp = compareObjects(before ?? {}, after, schema);
  const changed = cmp.added.union(cmp.modified);
  // Sets an empty comparison cannot change keep their identity (and so their cached encoding).
  const removedAny = !cmp.removed.isEmpty();
  const changedAny = !changed.isEmpty();
  for (const m of managers) {
    if (removedAny) m.set = m.set.withoutSubtrees(cmp.removed);
    if (changedAny) m.set = m.set.difference(changed);
  }

  if (!changed.isEmpty()) {
    let mine = managers.find((m) => sameManager(m, manager, 'Update', apiVersion, subresource));
    if (!mine) {
      mine = { manager, operation: 'Update', apiVersion, set: new FieldSet(), ...(subresource ? { subresource } : {}) };
      managers.push(mine);
    }
    mine.set = mine.set.union(changed);
    mine.time = args.now ?? nowRfc3339();
  }
  return encodeManagers(managers);
}

/**
 * The entries to start from: the live object's, unless the request itself carries a different,
 * non-empty managedFields on the main resource (a client may reset ownership; a malformed list such
 * as `[{}]` clears it, as in kube).
 */
function baseManagers(before: KubeObject | undefined, after: KubeObject, subresource?: string): Manager[] {
  const live = before?.metadata?.managedFields;
  const requested = after.metadata?.managedFields;
  if (!subresource && Array.isArray(requested) && requested.length > 0 && !deepEqual(requested, live)) {
    return decodeManagers(requested) ?? [];
  }
  return decodeManagers(live) ?? [];
}
