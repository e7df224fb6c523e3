// The Kubernetes protobuf wire format (`application/vnd.kubernetes.protobuf`) for built-in kinds:
// request bodies (what kubectl ≥ 1.32 and client-go ≥ 0.32 typed clients send) decoded into the
// JSON object the same request would carry, and responses, lists, Status errors and watch events
// encoded from the JSON form, with the tables generated from the public API definitions.
import type { KubeObject } from '../types.ts';
import { decodeMessage } from './decode.ts';
import { encodeMessage } from './encode.ts';
import { readEnvelope, watchFrame, writeEnvelope } from './envelope.ts';
import { ANY_GROUP_KINDS } from './kinds.ts';
import { KINDS } from './tables.generated.ts';
import { badRequest } from './wire.ts';

export { PROTOBUF_CONTENT_TYPE } from './envelope.ts';
export const PROTOBUF_WATCH_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf;stream=watch';

/** The table message of an apiVersion/kind, or undefined when it has none (custom resources). */
export function messageFor(apiVersion: string, kind: string): string | undefined {
  return ANY_GROUP_KINDS[kind] ?? KINDS[`${apiVersion}/${kind}`];
}

/**
 * Decodes one protobuf request body. Throws ApiError 400 (BadRequest) for a garbled or truncated
 * body, an unknown field number, or a kind the decoder has no table for.
 */
export function decodeProtobuf(body: Buffer | Uint8Array): KubeObject {
  const env = readEnvelope(body);
  const message = messageFor(env.apiVersion, env.kind);
  if (!message) throw badRequest(`protobuf decoding of ${env.apiVersion}/${env.kind} is not supported; send application/json`);
  const fields = decodeMessage(body, message, env.raw[0], env.raw[1]);
  const obj: Record<string, unknown> = { apiVersion: env.apiVersion, kind: env.kind, ...fields };
  // Every stored kind has metadata; DeleteOptions has none.
  if (message !== ANY_GROUP_KINDS.DeleteOptions && !obj.metadata) obj.metadata = {};
  return obj as KubeObject;
}

/** Whether an object (by its apiVersion and kind) can be served as protobuf. */
export function canEncode(obj: { apiVersion?: unknown; kind?: unknown }): boolean {
  return typeof obj.apiVersion === 'string' && typeof obj.kind === 'string' && messageFor(obj.apiVersion, obj.kind) !== undefined;
}

// The last frozen (stored) object encoded: a committed object is encoded for every watch it fans
// out to and for the write's own response, back to back.
let lastObject: unknown;
let lastBytes: Buffer | undefined;

/** An object (or list, or Status) as an enveloped protobuf body. Throws ApiError 500 when it cannot be. */
export function encodeProtobuf(obj: KubeObject): Buffer {
  if (obj === lastObject && lastBytes) return lastBytes;
  const { apiVersion, kind } = obj as { apiVersion: string; kind: string };
  const message = messageFor(apiVersion, kind);
  if (!message) throw new Error(`${apiVersion}/${kind} has no protobuf message`);
  const bytes = writeEnvelope(apiVersion, kind, (w) => encodeMessage(w, message, obj as unknown as Record<string, unknown>, kind));
  if (Object.isFrozen(obj)) {
    lastObject = obj;
    lastBytes = bytes;
  }
  return bytes;
}

/** One frame of a protobuf watch stream (`;stream=watch`). */
export function encodeWatchEvent(type: string, obj: KubeObject): Buffer {
  return watchFrame(type, encodeProtobuf(obj));
}
