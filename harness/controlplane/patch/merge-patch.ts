// RFC 7386 JSON merge patch (application/merge-patch+json): null deletes, objects merge, anything
// else (arrays included) replaces.
import { ApiError, type KubeObject } from '../types.ts';
import { clone, goJsonTypeName, isPlainObject, type PlainObject } from './json-values.ts';

export function applyMergePatch(obj: KubeObject, patch: unknown): KubeObject {
  if (!isPlainObject(patch)) {
    const type = goJsonTypeName(patch);
    throw new ApiError(400, 'BadRequest', type === 'null' ? 'Invalid JSON Patch' : `error decoding patch: json: cannot unmarshal ${type} into Go value of type map[string]interface {}`);
  }
  // Deep copy first: the result must never share nested objects with the stored one.
  return mergeValue(structuredClone(obj), patch) as KubeObject;
}

export function mergeValue(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  const out: PlainObject = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergeValue(out[k], v);
  }
  return out;
}
