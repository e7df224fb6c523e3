// Strategic merge patch (application/strategic-merge-patch+json) for built-in kinds: like a merge
// patch, except that lists with a patchMergeKey merge item by item, primitive lists with strategy
// `merge` (finalizers) form a union, and the directives `$patch` (replace|delete|merge),
// `$retainKeys`, `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>` are honoured.
import { ApiError, type KubeObject } from '../types.ts';
import { clone, deepEqual, goJsonTypeName, isPlainObject, type PlainObject } from './json-values.ts';
import { schemaFor, type ObjectSchema } from './schema.ts';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVES = '$deleteFromPrimitiveList/';

export function applyStrategicMergePatch(obj: KubeObject, patch: unknown, kind: string): KubeObject {
  if (!isPlainObject(patch)) {
    throw new ApiError(400, 'BadRequest', `json: cannot unmarshal ${goJsonTypeName(patch)} into Go value of type map[string]interface {}`);
  }
  const schema = schemaFor(kind || obj.kind);
  return mergeMap(structuredClone(obj) as unknown as PlainObject, patch, [], schema) as unknown as KubeObject;
}

function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

/** Merges `patch` into `orig` (owned by the caller, mutated). */
function mergeMap(orig: PlainObject, patch: PlainObject, names: string[], schema: ObjectSchema): PlainObject {
  const directive = patch[DIRECTIVE];
  if (directive === 'replace') return stripDirectives(patch);
  if (directive === 'delete') return {};
  if (directive !== undefined && directive !== 'merge') throw badRequest(`Unknown patch type: ${String(directive)} in map: ${goValue(patch)}`);

  const retainKeys = patch[RETAIN_KEYS];
  if (retainKeys !== undefined) {
    if (!Array.isArray(retainKeys) || retainKeys.some((k) => typeof k !== 'string')) throw badRequest('invalid patch: $retainKeys must be a list of strings');
    const patchKeys = Object.keys(patch).filter((k) => !k.startsWith('$'));
    if (patchKeys.some((k) => !retainKeys.includes(k))) {
      throw new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
    }
    for (const k of Object.keys(orig)) if (!retainKeys.includes(k)) delete orig[k];
  }

  for (const [k, pv] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    const childNames = [...names, k];
    if (pv === null) {
      delete orig[k];
    } else if (isPlainObject(pv)) {
      if (pv[DIRECTIVE] === 'delete') delete orig[k];
      else orig[k] = mergeMap(isPlainObject(orig[k]) ? (orig[k] as PlainObject) : {}, pv, childNames, schema);
    } else if (Array.isArray(pv)) {
      const before = Array.isArray(orig[k]) ? (orig[k] as unknown[]) : [];
      const merged = mergeList(before, pv, childNames, schema);
      const setOrder = patch[SET_ORDER + k];
      orig[k] = merged.ordered ? orderLike(merged.list, Array.isArray(setOrder) ? setOrder : pv, before, merged.keyOf) : merged.list;
    } else {
      orig[k] = pv;
    }
  }

  for (const [k, pv] of Object.entries(patch)) {
    if (!k.startsWith(DELETE_PRIMITIVES)) continue;
    const field = k.slice(DELETE_PRIMITIVES.length);
    if (!Array.isArray(pv)) throw badRequest('invalid patch: $deleteFromPrimitiveList must be a list');
    if (Array.isArray(orig[field])) orig[field] = (orig[field] as unknown[]).filter((v) => !pv.some((d) => deepEqual(d, v)));
  }
  for (const [k, pv] of Object.entries(patch)) {
    if (!k.startsWith(SET_ORDER)) continue;
    const field = k.slice(SET_ORDER.length);
    if (!Array.isArray(pv)) throw badRequest('invalid patch: $setElementOrder must be a list');
    // A pure reorder (the list itself is not in the patch); otherwise the merge above used it.
    if (patch[field] === undefined && Array.isArray(orig[field])) {
      const list = orig[field] as unknown[];
      orig[field] = orderLike(list, pv, list, keyFunction(schema.list([...names, field])?.smpMergeKey));
    }
  }
  return orig;
}

interface MergedList {
  list: unknown[];
  /** True for merge-strategy lists, whose order kube normalises afterwards. */
  ordered: boolean;
  keyOf: (v: unknown) => unknown;
}

function keyFunction(mergeKey?: string): (v: unknown) => unknown {
  return (v) => (mergeKey && isPlainObject(v) ? v[mergeKey] : v);
}

function mergeList(orig: unknown[], patch: unknown[], names: string[], schema: ObjectSchema): MergedList {
  const replaced = (items: unknown[]): MergedList => ({ list: items.map((p) => (isPlainObject(p) ? stripDirectives(p) : clone(p))), ordered: false, keyOf: keyFunction() });
  const replaceAll = patch.findIndex((p) => isPlainObject(p) && p[DIRECTIVE] === 'replace' && Object.keys(p).length === 1);
  if (replaceAll >= 0) return replaced(patch.filter((_, i) => i !== replaceAll));

  const info = schema.list(names);
  if (info?.smpMergeKey) {
    const mk = info.smpMergeKey;
    const out = [...orig];
    for (const item of patch) {
      if (!isPlainObject(item)) throw badRequest(`invalid patch: the list ${names.join('.')} merges by ${mk} and needs objects, got ${goValue(item)}`);
      if (item[mk] === undefined) throw new ApiError(500, '', `map: ${goValue(item)} does not contain declared merge key: ${mk}`);
      const idx = out.findIndex((o) => isPlainObject(o) && deepEqual(o[mk], item[mk]));
      if (item[DIRECTIVE] === 'delete') {
        if (idx >= 0) out.splice(idx, 1);
        continue;
      }
      if (idx >= 0) out[idx] = mergeMap(structuredClone(out[idx]) as PlainObject, item, names, schema);
      else out.push(mergeMap({}, item, names, schema));
    }
    return { list: out, ordered: true, keyOf: keyFunction(mk) };
  }
  if (info?.smpMergePrimitives) {
    const out = [...orig];
    for (const item of patch) if (!out.some((o) => deepEqual(o, item))) out.push(clone(item));
    return { list: out, ordered: true, keyOf: keyFunction() };
  }
  return replaced(patch);
}

/**
 * Kube's order for a merged list: items named by the patch (or `$setElementOrder`) in that order,
 * server-only items in their live order, interleaved so that both relative orders hold and a
 * server-only item goes first only when the live list already had it before the patch item.
 */
function orderLike(merged: unknown[], order: unknown[], live: unknown[], keyOf: (v: unknown) => unknown): unknown[] {
  const indexIn = (list: unknown[], v: unknown) => list.findIndex((x) => deepEqual(keyOf(x), keyOf(v)));
  const named = merged.filter((v) => indexIn(order, v) >= 0).sort((a, b) => indexIn(order, a) - indexIn(order, b));
  const serverOnly = merged.filter((v) => indexIn(order, v) < 0).sort((a, b) => indexIn(live, a) - indexIn(live, b));
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < named.length) {
    if (j >= named.length) out.push(serverOnly[i++]);
    else if (i >= serverOnly.length) out.push(named[j++]);
    else {
      const li = indexIn(live, serverOnly[i]);
      const ri = indexIn(live, named[j]);
      out.push(li >= 0 && ri >= 0 && li < ri ? serverOnly[i++] : named[j++]);
    }
  }
  return out;
}

/** A patch fragment used as a value: directives removed, nulls dropped (they mean "absent"). */
function stripDirectives(v: PlainObject): PlainObject {
  const out: PlainObject = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$') || x === null) continue;
    out[k] = isPlainObject(x) ? stripDirectives(x) : Array.isArray(x) ? x.map((e) => (isPlainObject(e) ? stripDirectives(e) : clone(e))) : x;
  }
  return out;
}

/** Go's %v of a decoded JSON value, as in kube's merge-key error messages. */
function goValue(v: unknown): string {
  if (isPlainObject(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${goValue(v[k])}`).join(' ')}]`;
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (v === null) return '<nil>';
  return String(v);
}
