// Object metadata rules shared by every kind: names, generateName, labels, timestamps, uids.
import { randomBytes, randomUUID } from 'node:crypto';
import type { KubeObject, ResourceType, StatusCause } from '../types.ts';
import { isLabelValue, isQualifiedName } from '../storage/selectors.ts';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Kinds whose names must be DNS-1123 labels rather than subdomains. */
const LABEL_NAMED = new Set(['/namespaces', '/services']);
/** Kinds whose names only need to be valid path segments (RBAC objects). */
const PATH_NAMED = new Set(['rbac.authorization.k8s.io/roles', 'rbac.authorization.k8s.io/clusterroles', 'rbac.authorization.k8s.io/rolebindings', 'rbac.authorization.k8s.io/clusterrolebindings']);

export function nowTimestamp(): string {
  // Whole seconds: format once per second, not once per write.
  const second = Math.floor(Date.now() / 1000);
  if (second !== stampSecond) {
    stampSecond = second;
    stamp = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return stamp;
}

let stampSecond = -1;
let stamp = '';

export function newUid(): string {
  return randomUUID();
}

/** `generateName` + 5 chars, prefix cut to 58 characters (kube's names.SimpleNameGenerator). */
export function generateName(prefix: string): string {
  const base = prefix.length > 58 ? prefix.slice(0, 58) : prefix;
  const bytes = randomBytes(5);
  let suffix = '';
  for (const b of bytes) suffix += SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length];
  return base + suffix;
}

export function validateName(rt: ResourceType, name: string): StatusCause[] {
  const key = `${rt.group}/${rt.resource}`;
  const bad = (msg: string): StatusCause[] => [{ type: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: ${JSON.stringify(name)}: ${msg}` }];
  if (PATH_NAMED.has(key)) {
    if (name === '.' || name === '..') return bad(`may not be '${name}'`);
    if (/[/%]/.test(name)) return bad(`may not contain '/' or '%'`);
    return [];
  }
  if (LABEL_NAMED.has(key)) {
    if (name.length > 63 || !DNS1123_LABEL.test(name)) {
      return bad(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      );
    }
    return [];
  }
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    return bad(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  }
  return [];
}

/** Checks labels/annotations/finalizers shapes: what ObjectMeta validation reports as 422 causes. */
export function validateMetadata(obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const meta = obj.metadata;
  const labels = meta.labels;
  if (labels !== undefined && labels !== null) {
    if (typeof labels !== 'object' || Array.isArray(labels)) causes.push({ type: 'FieldValueInvalid', field: 'metadata.labels', message: 'Invalid value: must be a map of strings' });
    else
      for (const [k, v] of Object.entries(labels)) {
        if (!isQualifiedName(k)) causes.push({ type: 'FieldValueInvalid', field: 'metadata.labels', message: `Invalid value: ${JSON.stringify(k)}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character` });
        if (typeof v !== 'string' || !isLabelValue(v)) causes.push({ type: 'FieldValueInvalid', field: 'metadata.labels', message: `Invalid value: ${JSON.stringify(v)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character` });
      }
  }
  const annotations = meta.annotations;
  if (annotations !== undefined && annotations !== null) {
    if (typeof annotations !== 'object' || Array.isArray(annotations)) causes.push({ type: 'FieldValueInvalid', field: 'metadata.annotations', message: 'Invalid value: must be a map of strings' });
    else
      for (const [k, v] of Object.entries(annotations)) {
        if (!isQualifiedName(k)) causes.push({ type: 'FieldValueInvalid', field: 'metadata.annotations', message: `Invalid value: ${JSON.stringify(k)}: name part must consist of alphanumeric characters, '-', '_' or '.'` });
        if (typeof v !== 'string') causes.push({ type: 'FieldValueInvalid', field: `metadata.annotations`, message: `Invalid value: annotation values must be strings` });
      }
  }
  if (meta.finalizers !== undefined && meta.finalizers !== null) {
    if (!Array.isArray(meta.finalizers) || meta.finalizers.some((f) => typeof f !== 'string' || !isQualifiedName(f))) {
      causes.push({ type: 'FieldValueInvalid', field: 'metadata.finalizers', message: `Invalid value: ${JSON.stringify(meta.finalizers)}: finalizers must be qualified names` });
    }
  }
  return causes;
}

/**
 * Equality of JSON values for no-op detection: key order and undefined-valued keys do not count.
 * Shared (frozen) subtrees compare by reference, so most of an update costs nothing.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return JSON.stringify(a) === JSON.stringify(b);
  const arrA = Array.isArray(a);
  if (arrA !== Array.isArray(b)) return false;
  if (arrA) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!sameJson(x[i], y[i])) return false;
    return true;
  }
  return sameFields(a as Record<string, unknown>, b as Record<string, unknown>);
}

/** sameJson over two objects' own keys, skipping `skip` (metadata, status, ...). */
export function sameFields(a: Record<string, unknown>, b: Record<string, unknown>, skip?: ReadonlySet<string>): boolean {
  let defined = 0;
  for (const k of Object.keys(a)) {
    if (a[k] === undefined || skip?.has(k)) continue;
    defined++;
    if (!Object.prototype.hasOwnProperty.call(b, k) || !sameJson(a[k], b[k])) return false;
  }
  for (const k of Object.keys(b)) if (b[k] !== undefined && !skip?.has(k)) defined--;
  return defined === 0;
}

/**
 * Replaces, inside the working copy `next`, every subtree that is exactly equal (same keys in the
 * same order, same values) to the corresponding subtree of the stored, frozen `prev` by that frozen
 * subtree. The JSON stays byte-identical; later comparisons and the store's copy then skip them.
 * Returns `prev` itself when everything is equal. Frozen parts of `next` are left as they are.
 */
export function shareUnchanged<T>(next: T, prev: unknown): T {
  if (next === prev) return next;
  if (next === null || typeof next !== 'object' || prev === null || typeof prev !== 'object' || !Object.isFrozen(prev)) return next;
  if (Array.isArray(next)) {
    if (!Array.isArray(prev) || Object.isFrozen(next)) return next;
    let same = next.length === prev.length;
    for (let i = 0; i < next.length; i++) {
      const v = shareUnchanged(next[i], i < prev.length ? prev[i] : undefined);
      if (v !== next[i]) next[i] = v;
      if (same && v !== prev[i]) same = false;
    }
    return same ? (prev as T) : next;
  }
  if (Array.isArray(prev) || Object.isFrozen(next) || !isPlainRecord(next) || !isPlainRecord(prev)) return next;
  const n = next as Record<string, unknown>;
  const p = prev as Record<string, unknown>;
  const nk = Object.keys(n);
  const pk = Object.keys(p);
  let same = nk.length === pk.length;
  for (let i = 0; i < nk.length; i++) {
    const k = nk[i];
    if (same && pk[i] !== k) same = false;
    if (!Object.prototype.hasOwnProperty.call(p, k)) {
      same = false;
      continue;
    }
    const v = shareUnchanged(n[k], p[k]);
    if (v !== n[k]) n[k] = v;
    if (same && v !== p[k]) same = false;
  }
  return same ? (prev as T) : next;
}

function isPlainRecord(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const SPEC_SKIP = new Set(['metadata']);
const SPEC_SKIP_STATUS = new Set(['metadata', 'status']);
const META_SKIP = new Set(['managedFields', 'resourceVersion']);

/** Same everything except metadata (and status when it is a subresource): no `metadata.generation` bump. */
export function sameSpec(a: KubeObject, b: KubeObject, withoutStatus: boolean): boolean {
  return sameFields(a as unknown as Record<string, unknown>, b as unknown as Record<string, unknown>, withoutStatus ? SPEC_SKIP_STATUS : SPEC_SKIP);
}

/** Equal up to resourceVersion, with an empty managedFields list counting as none: a no-op write. */
export function sameStored(a: KubeObject, b: KubeObject): boolean {
  const mf = (o: KubeObject) => (o.metadata.managedFields?.length ? o.metadata.managedFields : undefined);
  return (
    sameFields(a as unknown as Record<string, unknown>, b as unknown as Record<string, unknown>, SPEC_SKIP) &&
    sameFields(a.metadata as Record<string, unknown>, b.metadata as Record<string, unknown>, META_SKIP) &&
    sameJson(mf(a), mf(b))
  );
}
