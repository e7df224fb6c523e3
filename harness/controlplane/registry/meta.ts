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
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

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

/** Everything except metadata and (optionally) status: what bumps `metadata.generation`. */
export function specPart(obj: KubeObject, withoutStatus: boolean): string {
  const { metadata: _m, status, ...rest } = obj as KubeObject & { status?: unknown };
  return canonical(withoutStatus ? rest : { ...rest, status });
}

/** Stable JSON for no-op detection (key order independent). */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
