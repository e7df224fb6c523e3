// CRD support for the control plane: validation of CRD objects, the resource types a CRD serves,
// and per-version schemas (defaulting, pruning, validation) for its custom resources.
// CEL rules (`x-kubernetes-validations`) are ignored: they are neither evaluated nor rejected.
import type { KubeObject, StatusCause } from '../types.ts';
import { listAndEmbeddedChecks } from './list-checks.ts';
import { defaultObject, pruneObject } from './prune-default.ts';
import { additionalSchema, itemsSchema, versionOf, type Schema } from './schema-types.ts';
import { ajvErrorsToCauses, compileValidator } from './validate-object.ts';

export { validateCrd } from './validate-crd.ts';
export { crdResourceTypes } from './resource-types.ts';

export interface CompiledCrdSchema {
  /** Applies schema defaults in place (returns the same object). */
  default(obj: KubeObject): KubeObject;
  /** Removes unknown fields in place; returns their paths, `.spec.foo` style. */
  prune(obj: KubeObject): string[];
  /** Schema violations as Kubernetes causes (empty when valid). */
  validate(obj: KubeObject): StatusCause[];
}

/** A schema that keeps everything: CRD versions without a schema (not valid in v1, but tolerated). */
const OPEN_SCHEMA: Schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

const MAX_CACHED = 256;
const cache = new Map<string, CompiledCrdSchema>();

function rootSchema(crd: KubeObject, version: string): Schema {
  return versionOf(crd, version)?.schema?.openAPIV3Schema ?? OPEN_SCHEMA;
}

function build(root: Schema): CompiledCrdSchema {
  const validator = compileValidator(root);
  return {
    default(obj) {
      defaultObject(obj as unknown as Record<string, unknown>, root);
      return obj;
    },
    prune(obj) {
      return pruneObject(obj as unknown as Record<string, unknown>, root);
    },
    validate(obj) {
      const out: StatusCause[] = [];
      if (!validator(obj)) out.push(...ajvErrorsToCauses(obj, validator.errors ?? []));
      out.push(...listAndEmbeddedChecks(obj, root));
      return out;
    },
  };
}

/**
 * Compiles the schema of `version` once per distinct schema (the cache key is the schema itself,
 * so a new CRD generation with a changed schema compiles again and an unchanged one does not).
 */
export function compileCrdSchema(crd: KubeObject, version: string): CompiledCrdSchema {
  const root = rootSchema(crd, version);
  const key = JSON.stringify(root);
  let compiled = cache.get(key);
  if (!compiled) {
    compiled = build(structuredClone(root));
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(key, compiled);
  }
  return compiled;
}

/**
 * Server-side-apply list semantics at `path` (field names from the root, list items skipped, map
 * keys included): `x-kubernetes-list-type` (+ map keys, and the schema defaults of key fields so an
 * applied item may omit them), `atomic` for lists without one, undefined when `path` is not a list.
 */
export function listTypeAt(
  crd: KubeObject,
  version: string,
  path: string[],
): { type: 'atomic' | 'set' | 'map'; keys?: string[]; keyDefaults?: Record<string, unknown> } | undefined {
  let s: Schema | undefined = rootSchema(crd, version);
  for (const name of path) {
    if (!s) return undefined;
    if (s.type === 'array') s = itemsSchema(s);
    if (!s) return undefined;
    s = s.properties?.[name] ?? (s.properties ? undefined : additionalSchema(s));
  }
  if (!s || s.type !== 'array') return undefined;
  const type = s['x-kubernetes-list-type'] ?? 'atomic';
  if (type !== 'atomic' && type !== 'set' && type !== 'map') return undefined;
  const keys = s['x-kubernetes-list-map-keys'];
  if (type !== 'map' || !keys) return { type };
  const props = itemsSchema(s)?.properties ?? {};
  const defaults = Object.fromEntries(keys.filter((k) => props[k]?.default !== undefined).map((k) => [k, props[k].default]));
  return { type, keys: [...keys], ...(Object.keys(defaults).length ? { keyDefaults: defaults } : {}) };
}
