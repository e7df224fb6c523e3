// Decodes `application/vnd.kubernetes.protobuf` request bodies (what kubectl ≥ 1.32 and client-go
// ≥ 0.32 typed clients send for built-in kinds) into the JSON object the same request would carry.
//
// Envelope: magic "k8s\0", then runtime.Unknown{1 typeMeta{1 apiVersion, 2 kind}, 2 raw,
// 3 contentEncoding, 4 contentType}; `raw` is the kind's own message (tables.generated.ts).
import type { KubeObject } from '../types.ts';
import { decodeMessage } from './decode.ts';
import { ANY_GROUP_KINDS, ROOT_KINDS } from './kinds.ts';
import { WireReader, badRequest, WIRE_BYTES } from './wire.ts';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = [0x6b, 0x38, 0x73, 0x00];

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: [number, number];
  contentEncoding: string;
  contentType: string;
}

function readEnvelope(body: Uint8Array): Envelope {
  if (body.length < 4 || MAGIC.some((b, i) => body[i] !== b)) {
    throw badRequest('protobuf body does not start with the Kubernetes "k8s\\0" magic prefix');
  }
  const r = new WireReader(body, 4);
  const env: Envelope = { apiVersion: '', kind: '', raw: [0, 0], contentEncoding: '', contentType: '' };
  let sawRaw = false;
  while (!r.done()) {
    const [num, wire] = r.key();
    if (wire !== WIRE_BYTES || num > 4) throw badRequest(`protobuf envelope is garbled: unexpected field ${num} (wire type ${wire})`);
    if (num === 1) {
      const [s, e] = r.lengthDelimited();
      const t = new WireReader(body, s, e);
      while (!t.done()) {
        const [tn, tw] = t.key();
        if (tw !== WIRE_BYTES || tn > 2) throw badRequest(`protobuf envelope is garbled: unexpected typeMeta field ${tn}`);
        if (tn === 1) env.apiVersion = t.string();
        else env.kind = t.string();
      }
    } else if (num === 2) {
      env.raw = r.lengthDelimited();
      sawRaw = true;
    } else if (num === 3) env.contentEncoding = r.string();
    else env.contentType = r.string();
  }
  if (!env.kind || !env.apiVersion) throw badRequest('protobuf envelope has no apiVersion/kind');
  if (!sawRaw) throw badRequest(`protobuf envelope for ${env.kind} carries no object`);
  if (env.contentEncoding) throw badRequest(`protobuf content encoding "${env.contentEncoding}" is not supported`);
  if (env.contentType && env.contentType !== PROTOBUF_CONTENT_TYPE) {
    throw badRequest(`protobuf envelope content type "${env.contentType}" is not supported`);
  }
  return env;
}

/** The table message for an envelope's apiVersion/kind, or undefined when not supported. */
export function messageFor(apiVersion: string, kind: string): string | undefined {
  if (ANY_GROUP_KINDS[kind]) return ANY_GROUP_KINDS[kind];
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  if (version !== 'v1') return undefined; // the tables are those of the v1 APIs
  return ROOT_KINDS[`${group}/${kind}`];
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
