// Server-side apply with real field ownership (kube's structured-merge-diff semantics, simplified):
// merge the applied configuration into the live object, drop fields the applier gave up and nobody
// else owns, detect conflicts with other managers, and record the applier's field set.
import { ApiError, type KubeObject, type StatusCause } from '../types.ts';
import { mergeApplied, removePath, valueAt, withoutNulls } from './apply-merge.ts';
import { appliedFieldSet, compareObjects } from './field-walk.ts';
import { FieldSet, pathString, type FieldPath } from './fieldset.ts';
import { deepEqual, isPlainObject, type PlainObject } from './json-values.ts';
import { allowedConflictsFromLastApplied, LAST_APPLIED_MANAGER, syncLastApplied } from './last-applied.ts';
import { decodeManagers, encodeManagers, nowRfc3339, sameManager, type Manager } from './managed-fields.ts';
import { schemaFor, type ListTypeLookup, type ObjectSchema } from './schema.ts';

export interface ServerSideApplyArgs {
  live?: KubeObject;
  applied: KubeObject;
  manager: string;
  force: boolean;
  subresource?: string;
  apiVersion?: string;
  now?: string;
  listTypeAt?: ListTypeLookup;
}

/**
 * Metadata the server owns; an applied config cannot set them. resourceVersion passes through on an
 * update so that the registry checks it as an optimistic-concurrency precondition, as kube does.
 */
const SERVER_METADATA = ['uid', 'creationTimestamp', 'generation', 'selfLink', 'managedFields', 'deletionTimestamp', 'deletionGracePeriodSeconds'];

export function serverSideApply(args: ServerSideApplyArgs): KubeObject {
  const { live, manager, force, subresource } = args;
  if (!isPlainObject(args.applied)) throw new ApiError(400, 'BadRequest', 'error decoding YAML: the applied configuration must be an object');
  if (!manager) throw new ApiError(400, 'BadRequest', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  const appliedMeta = (args.applied as PlainObject).metadata;
  if (isPlainObject(appliedMeta) && appliedMeta.managedFields !== undefined && appliedMeta.managedFields !== null) {
    throw new ApiError(400, 'BadRequest', 'metadata.managedFields must be nil');
  }

  const cfg = withoutNulls(args.applied) as PlainObject;
  if (isPlainObject(cfg.metadata)) {
    for (const k of SERVER_METADATA) delete cfg.metadata[k];
    if (!live) delete cfg.metadata.resourceVersion;
  }
  const kind = String(cfg.kind ?? live?.kind ?? '');
  const apiVersion = args.apiVersion ?? String(cfg.apiVersion ?? live?.apiVersion ?? '');
  const schema = schemaFor(kind, args.listTypeAt);

  const base: PlainObject = live ? stripManagedFields(live) : {};
  const managers = decodeManagers(live?.metadata?.managedFields) ?? [];
  if (live && managers.length === 0 && !subresource) {
    // kube attributes the fields of an object nobody tracked yet to "before-first-apply" (Update).
    // Not for subresource views (a Scale carries no managedFields of its own).
    const existing = compareObjects({}, base, schema);
    const set = existing.added.union(existing.modified);
    if (!set.isEmpty()) managers.push({ manager: 'before-first-apply', operation: 'Update', apiVersion: live.apiVersion, set });
  }
  const mine = managers.find((m) => sameManager(m, manager, 'Apply', apiVersion, subresource));
  const others = managers.filter((m) => m !== mine);
  const newSet = appliedFieldSet(cfg, schema);

  // Merge, then remove what the applier owned before, omits now, and nobody else owns.
  const merged = mergeApplied(base, cfg, [], schema) as PlainObject;
  if (mine) {
    const owned = others.reduce((acc, m) => acc.union(m.set), newSet);
    const dropped = mine.set.paths().filter((p) => !owned.hasAtOrBelow(p));
    // Shallowest first: list items are found by their key fields, which deeper removals would erase.
    for (const p of dropped.sort((a, b) => a.length - b.length)) {
      removePath(merged, p, schema);
      removeEmptiedParents(merged, p, owned, schema);
    }
  }

  // Conflicts: fields other managers own whose value this apply changes.
  const cmp = compareObjects(base, merged, schema);
  const changed = cmp.added.union(cmp.modified);
  const conflicts: Array<{ manager: Manager; path: FieldPath }> = [];
  for (const m of others) for (const p of m.set.intersection(changed).paths()) conflicts.push({ manager: m, path: p });
  if (conflicts.length > 0 && !force) {
    // kubectl's first server-side apply after client-side apply: conflicts on fields that still hold
    // their last-applied value are taken over as if forced.
    const allowed = manager === LAST_APPLIED_MANAGER && live ? allowedConflictsFromLastApplied(base, schema) : undefined;
    const remaining = allowed ? conflicts.filter((c) => !allowed.has(c.path)) : conflicts;
    if (remaining.length > 0) throw conflictError(remaining);
  }

  const lost = new Map<Manager, FieldSet>();
  for (const c of conflicts) {
    if (!lost.has(c.manager)) lost.set(c.manager, new FieldSet());
    lost.get(c.manager)!.insert(c.path);
  }
  for (const m of others) {
    const taken = lost.get(m);
    m.set = (taken ? m.set.difference(taken) : m.set).withoutSubtrees(cmp.removed);
  }

  const unchanged = live !== undefined && deepEqual(base, merged);
  const entry: Manager = {
    manager,
    operation: 'Apply',
    apiVersion,
    time: unchanged && mine?.time ? mine.time : (args.now ?? nowRfc3339()),
    ...(subresource ? { subresource } : {}),
    set: newSet,
  };
  if (manager === LAST_APPLIED_MANAGER) syncLastApplied(merged, args.applied);
  const result = merged as unknown as KubeObject;
  const metadata = isPlainObject(result.metadata) ? result.metadata : {};
  const managedFields = encodeManagers([...others, entry]);
  result.metadata = { ...metadata, ...(managedFields.length ? { managedFields } : {}) };
  return result;
}

/** After a removal, drops objects it left empty that nobody owns (not spec/metadata themselves). */
function removeEmptiedParents(root: PlainObject, removed: FieldPath, owned: FieldSet, schema: ObjectSchema): void {
  for (let parent = removed.slice(0, -1); parent.length > 1; parent = parent.slice(0, -1)) {
    if (!parent[parent.length - 1].startsWith('f:')) return;
    const value = valueAt(root, parent, schema);
    if (!isPlainObject(value) || Object.keys(value).length > 0 || owned.hasAtOrBelow(parent)) return;
    removePath(root, parent, schema);
  }
}

function stripManagedFields(obj: KubeObject): PlainObject {
  const copy = structuredClone(obj) as unknown as PlainObject;
  if (isPlainObject(copy.metadata)) delete copy.metadata.managedFields;
  return copy;
}

/** Kube's manager name in conflict messages: Update entries add `using <apiVersion>`. */
function printManager(m: Manager): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  return m.operation === 'Update' ? `${s} using ${m.apiVersion}` : s;
}

/** 409 with kube's message (managedfields/internal/conflict.go) and one FieldManagerConflict cause per field. */
export function conflictError(conflicts: Array<{ manager: Manager; path: FieldPath }>): ApiError {
  const causes: StatusCause[] = conflicts.map((c) => ({ type: 'FieldManagerConflict', message: `conflict with ${printManager(c.manager)}`, field: pathString(c.path) }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].manager)}: ${pathString(conflicts[0].path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const key = printManager(c.manager);
      if (!byManager.has(key)) byManager.set(key, []);
      byManager.get(key)!.push(pathString(c.path));
    }
    const lines: string[] = [];
    for (const key of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${key}:`);
      for (const p of byManager.get(key)!) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}
