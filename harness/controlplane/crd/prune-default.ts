// Pruning and defaulting of custom resources by their structural schema, as kube-apiserver does:
// https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#field-pruning
// https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#defaulting
import { additionalSchema, isObject, itemsSchema, OBJECT_META_FIELDS, type Schema } from './schema-types.ts';

const SCALAR_OR_ARRAY = new Set(['string', 'integer', 'number', 'boolean', 'array']);

function childPath(path: string, key: string): string {
  return `${path}.${key}`;
}

/** Drops metadata fields that are not ObjectMeta (decoding into ObjectMeta drops them too). */
function pruneMetadata(meta: unknown, path: string, removed: string[]): void {
  if (!isObject(meta)) return;
  for (const key of Object.keys(meta)) {
    if (!OBJECT_META_FIELDS.has(key)) {
      delete meta[key];
      removed.push(childPath(path, key));
    }
  }
}

/**
 * Removes every field the schema does not specify (unless under x-kubernetes-preserve-unknown-fields)
 * and returns the removed paths, `.spec.foo` style. `apiVersion`, `kind` and `metadata` are always
 * kept at the root and in embedded resources; metadata keeps only ObjectMeta fields.
 */
export function pruneObject(obj: Record<string, unknown>, root: Schema): string[] {
  const removed: string[] = [];
  pruneObjectFields(obj, root, '', true, removed);
  return removed;
}

function pruneObjectFields(obj: Record<string, unknown>, s: Schema, path: string, resourceLike: boolean, removed: string[]): void {
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const additional = s.properties ? undefined : additionalSchema(s);
  for (const key of Object.keys(obj)) {
    const p = childPath(path, key);
    if (resourceLike && (key === 'apiVersion' || key === 'kind')) continue;
    if (resourceLike && key === 'metadata') {
      pruneMetadata(obj[key], p, removed);
      continue;
    }
    const prop = s.properties?.[key] ?? additional;
    if (prop) pruneValue(obj[key], prop, p, removed);
    else if (!preserve) {
      delete obj[key];
      removed.push(p);
    }
  }
}

function pruneValue(v: unknown, s: Schema, path: string, removed: string[]): void {
  if (Array.isArray(v)) {
    const items = itemsSchema(s);
    if (items) v.forEach((el, i) => pruneValue(el, items, `${path}[${i}]`, removed));
    return;
  }
  if (!isObject(v)) return;
  // A type mismatch is left to validation, which reports it with the original value.
  if (s.type && SCALAR_OR_ARRAY.has(s.type)) return;
  pruneObjectFields(v, s, path, s['x-kubernetes-embedded-resource'] === true, removed);
}

/**
 * Applies `default`s: a missing field (or a null in a non-nullable one) gets a copy of its default,
 * then defaulting continues inside it; also inside array items and map values. Nulls in
 * non-nullable fields without a default are dropped, as kube-apiserver does before defaulting.
 */
export function defaultObject(obj: Record<string, unknown>, root: Schema): void {
  defaultFields(obj, root, true);
}

function defaultFields(obj: Record<string, unknown>, s: Schema, resourceLike: boolean): void {
  for (const [key, prop] of Object.entries(s.properties ?? {})) {
    if (resourceLike && key === 'metadata') continue;
    if (obj[key] === null && !prop.nullable) delete obj[key];
    if (obj[key] === undefined) {
      if (prop.default === undefined) continue;
      obj[key] = structuredClone(prop.default);
    }
    defaultValue(obj[key], prop);
  }
  const additional = s.properties ? undefined : additionalSchema(s);
  if (additional) {
    for (const key of Object.keys(obj)) {
      if (obj[key] === null && !additional.nullable) delete obj[key];
      else defaultValue(obj[key], additional);
    }
  }
}

function defaultValue(v: unknown, s: Schema): void {
  if (Array.isArray(v)) {
    const items = itemsSchema(s);
    if (!items) return;
    for (let i = 0; i < v.length; i++) {
      if (v[i] === null && !items.nullable && items.default !== undefined) v[i] = structuredClone(items.default);
      defaultValue(v[i], items);
    }
    return;
  }
  if (isObject(v)) defaultFields(v, s, s['x-kubernetes-embedded-resource'] === true);
}
