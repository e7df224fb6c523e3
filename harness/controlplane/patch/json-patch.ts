// RFC 6902 JSON patch (application/json-patch+json) with kube-apiserver's error mapping:
// a body that does not decode as a list of operations is 400 BadRequest; an operation that cannot
// be applied (failed `test`, missing path, unknown op) is 422 Invalid with the generic message
// "the server rejected our request due to an error in our request" (handlers/patch.go).
import jsonpatch from 'fast-json-patch';
import { ApiError, type KubeObject } from '../types.ts';
import { goJsonTypeName, isPlainObject } from './json-values.ts';

/** kube caps a JSON patch at this many operations (413). */
const MAX_OPERATIONS = 10_000;
const RFC_OPERATIONS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

export function applyJsonPatch(obj: KubeObject, ops: unknown): KubeObject {
  if (!Array.isArray(ops)) {
    throw new ApiError(400, 'BadRequest', `json: cannot unmarshal ${goJsonTypeName(ops)} into Go value of type jsonpatch.Patch`);
  }
  const bad = ops.find((op) => !isPlainObject(op));
  if (bad !== undefined) {
    throw new ApiError(400, 'BadRequest', `json: cannot unmarshal ${goJsonTypeName(bad)} into Go value of type jsonpatch.Operation`);
  }
  if (ops.length > MAX_OPERATIONS) {
    throw new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_OPERATIONS}, got ${ops.length}`);
  }
  // fast-json-patch also knows an internal `_get`; kube's decoder knows only the six RFC operations.
  if (ops.some((op) => !RFC_OPERATIONS.has(String((op as Record<string, unknown>).op)))) throw invalidPatch();
  try {
    const doc = structuredClone(obj);
    return jsonpatch.applyPatch(doc, structuredClone(ops) as jsonpatch.Operation[], true, true).newDocument;
  } catch (err) {
    if (err instanceof jsonpatch.JsonPatchError) throw invalidPatch();
    throw err;
  }
}

function invalidPatch(): ApiError {
  return new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
}
