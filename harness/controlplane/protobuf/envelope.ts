// The Kubernetes protobuf envelope: magic "k8s\0", then runtime.Unknown{1 typeMeta{1 apiVersion,
// 2 kind}, 2 raw, 3 contentEncoding, 4 contentType}, `raw` being the kind's own message; and the
// watch stream's frames: a 4-byte big-endian length, then metav1.WatchEvent{1 type, 2 object
// RawExtension{1 raw}} with no envelope of its own, `raw` being the enveloped object.
import { WireReader, badRequest, WIRE_BYTES } from './wire.ts';
import { WireWriter } from './writer.ts';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

export interface Envelope {
  apiVersion: string;
  kind: string;
  raw: [number, number];
  contentEncoding: string;
  contentType: string;
}

export function readEnvelope(body: Uint8Array): Envelope {
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

/** Writes magic + Unknown around the message `writeRaw` writes. */
export function writeEnvelope(apiVersion: string, kind: string, writeRaw: (w: WireWriter) => void): Buffer {
  const w = new WireWriter();
  w.raw(MAGIC);
  const typeMeta = w.begin(1);
  if (apiVersion) w.string(1, apiVersion);
  if (kind) w.string(2, kind);
  w.end(typeMeta);
  const raw = w.begin(2);
  writeRaw(w);
  w.end(raw);
  return w.finish();
}

/** One watch event frame around an enveloped object. */
export function watchFrame(type: string, object: Uint8Array): Buffer {
  const w = new WireWriter(object.length + type.length + 16);
  w.raw(Uint8Array.of(0, 0, 0, 0));
  w.string(1, type);
  const obj = w.begin(2);
  w.bytes(1, object);
  w.end(obj);
  const frame = w.finish();
  frame.writeUInt32BE(frame.length - 4, 0);
  return frame;
}
