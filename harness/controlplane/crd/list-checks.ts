// Checks kube-apiserver runs beside the OpenAPI validation: uniqueness in `x-kubernetes-list-type`
// set/map lists, and apiVersion/kind on `x-kubernetes-embedded-resource` objects.
import type { StatusCause } from '../types.ts';
import { causes } from './field-errors.ts';
import { additionalSchema, isObject, itemsSchema, type Schema } from './schema-types.ts';

/** Stable JSON (sorted keys) so equal values compare equal. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

export function listAndEmbeddedChecks(obj: unknown, root: Schema): StatusCause[] {
  const out: StatusCause[] = [];
  walk(obj, root, '', out, true);
  return out;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function walk(v: unknown, s: Schema, path: string, out: StatusCause[], root = false): void {
  if (Array.isArray(v)) {
    checkList(v, s, path, out);
    const items = itemsSchema(s);
    if (items) v.forEach((el, i) => walk(el, items, `${path}[${i}]`, out));
    return;
  }
  if (!isObject(v)) return;
  if (s['x-kubernetes-embedded-resource'] && !root) {
    if (typeof v.kind !== 'string' || !v.kind) out.push(causes.required(join(path, 'kind'), 'must not be empty'));
    if (typeof v.apiVersion !== 'string' || !v.apiVersion) out.push(causes.required(join(path, 'apiVersion'), 'must not be empty'));
  }
  for (const [key, prop] of Object.entries(s.properties ?? {})) {
    if (root && key === 'metadata') continue;
    if (v[key] !== undefined) walk(v[key], prop, join(path, key), out);
  }
  const additional = s.properties ? undefined : additionalSchema(s);
  if (additional) for (const [key, val] of Object.entries(v)) walk(val, additional, join(path, key), out);
}

function checkList(list: unknown[], s: Schema, path: string, out: StatusCause[]): void {
  const type = s['x-kubernetes-list-type'];
  if (type !== 'set' && type !== 'map') return;
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  const items = itemsSchema(s);
  const seen = new Set<string>();
  list.forEach((el, i) => {
    let identity: unknown = el;
    if (type === 'map') {
      if (!isObject(el)) return;
      // A missing key falls back to its schema default, as the apiserver defaults before checking.
      identity = Object.fromEntries(keys.map((k) => [k, el[k] ?? items?.properties?.[k]?.default ?? null]));
    }
    const id = canonical(identity);
    if (seen.has(id)) out.push(causes.duplicate(`${path}[${i}]`, identity));
    seen.add(id);
  });
}
