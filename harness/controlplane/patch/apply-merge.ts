// The value side of server-side apply: merging an applied configuration into the live object by
// list type, and removing fields the applier gave up.
import { clone, isPlainObject, type PlainObject } from './json-values.ts';
import { listElements } from './field-walk.ts';
import type { ObjectSchema } from './schema.ts';
import type { FieldPath } from './fieldset.ts';

/** Live merged with config: config values win, objects and keyed lists merge, atomic values replace. */
export function mergeApplied(live: unknown, cfg: unknown, names: string[], schema: ObjectSchema): unknown {
  if (isPlainObject(cfg)) {
    if (!isPlainObject(live) || (names.length > 0 && schema.atomicObject(names))) return clone(cfg);
    const out: PlainObject = { ...live };
    for (const [k, v] of Object.entries(cfg)) if (v !== undefined) out[k] = mergeApplied(live[k], v, [...names, k], schema);
    return out;
  }
  if (Array.isArray(cfg) && Array.isArray(live)) {
    const info = schema.list(names);
    const ce = listElements(cfg, info);
    const le = listElements(live, info);
    if (!ce || !le) return clone(cfg);
    return mergeKeyedLists(live, le, cfg, ce, (l, c) => (info!.type === 'map' ? mergeApplied(l, c, names, schema) : clone(c)));
  }
  return clone(cfg);
}

/**
 * Keyed list merge: items only in live keep their place, config items follow the config's order,
 * items in both are merged in place of the config item.
 */
function mergeKeyedLists(live: unknown[], le: string[], cfg: unknown[], ce: string[], mergeItem: (l: unknown, c: unknown) => unknown): unknown[] {
  const cfgIndex = new Map(ce.map((el, i) => [el, i]));
  const liveIndex = new Map(le.map((el, i) => [el, i]));
  const emitted = new Set<string>();
  const out: unknown[] = [];
  const emitCfg = (ci: number) => {
    const el = ce[ci];
    const li = liveIndex.get(el);
    out.push(li === undefined ? clone(cfg[ci]) : mergeItem(live[li], cfg[ci]));
    emitted.add(el);
  };
  let li = 0;
  let ci = 0;
  while (li < live.length || ci < cfg.length) {
    if (li < live.length) {
      const el = le[li];
      if (!cfgIndex.has(el)) {
        out.push(clone(live[li]));
        li++;
        continue;
      }
      if (emitted.has(el)) {
        li++;
        continue;
      }
    }
    if (ci < cfg.length) {
      if (!emitted.has(ce[ci])) emitCfg(ci);
      ci++;
      continue;
    }
    li++;
  }
  return out;
}

/** Finds the container of the node at an encoded field path and the node's key/index in it. */
function locate(root: PlainObject, path: FieldPath, schema: ObjectSchema): { parent: PlainObject | unknown[]; at: string | number } | undefined {
  let node: unknown = root;
  const names: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const el = path[i];
    let at: string | number;
    if (el.startsWith('f:')) {
      if (!isPlainObject(node)) return undefined;
      at = el.slice(2);
      if (!(at in node)) return undefined;
    } else {
      if (!Array.isArray(node)) return undefined;
      at = el.startsWith('i:') ? Number(el.slice(2)) : (listElements(node, schema.list(names))?.indexOf(el) ?? -1);
      if (at < 0 || at >= node.length) return undefined;
    }
    if (i === path.length - 1) return { parent: node as PlainObject | unknown[], at };
    node = (node as Record<string | number, unknown>)[at];
    if (typeof at === 'string') names.push(at);
  }
  return undefined;
}

/** The value at an encoded field path, or undefined. */
export function valueAt(root: PlainObject, path: FieldPath, schema: ObjectSchema): unknown {
  if (path.length === 0) return root;
  const loc = locate(root, path, schema);
  return loc ? (loc.parent as Record<string | number, unknown>)[loc.at] : undefined;
}

/** Removes the node at an encoded field path (`f:`, `k:`, `v:`, `i:` elements) from a plain JSON value, in place. */
export function removePath(root: PlainObject, path: FieldPath, schema: ObjectSchema): void {
  const loc = locate(root, path, schema);
  if (!loc) return;
  if (Array.isArray(loc.parent)) loc.parent.splice(loc.at as number, 1);
  else delete loc.parent[loc.at as string];
}

/** Copy of a JSON value without object keys whose value is null (apply treats them as unset). */
export function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (isPlainObject(v)) {
    const out: PlainObject = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = withoutNulls(x);
    return out;
  }
  return v;
}
