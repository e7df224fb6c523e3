// Test helper: encodes a JSON object into Kubernetes protobuf the way gogo-generated Marshal does
// (every non-pointer field written, zero or not), so the decoder can be round-trip tested.
import { MESSAGES, SLICE_MESSAGES } from '../../harness/controlplane/protobuf/tables.generated.ts';

type Obj = Record<string, unknown>;

export class Writer {
  private chunks: number[] = [];
  varint(v: bigint | number): this {
    let x = BigInt(v);
    if (x < 0n) x += 1n << 64n;
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x) b |= 0x80;
      this.chunks.push(b);
    } while (x);
    return this;
  }
  key(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }
  bytes(field: number, data: Uint8Array): this {
    this.key(field, 2).varint(data.length);
    for (const b of data) this.chunks.push(b);
    return this;
  }
  string(field: number, s: string): this {
    return this.bytes(field, Buffer.from(s, 'utf8'));
  }
  double(field: number, v: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    this.key(field, 1);
    for (const x of b) this.chunks.push(x);
    return this;
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

function parseTime(s: string): { seconds: number; nanos: number } {
  const m = /^(.*?)(?:\.(\d+))?Z$/.exec(s);
  if (!m) throw new Error(`bad time ${s}`);
  const seconds = Math.floor(Date.parse(`${m[1]}Z`) / 1000);
  const nanos = m[2] ? Number(m[2].padEnd(9, '0').slice(0, 9)) : 0;
  return { seconds, nanos };
}

function encodeSpecial(type: string, value: unknown): Uint8Array | undefined {
  const w = new Writer();
  switch (type) {
    case 'Time':
    case 'MicroTime': {
      if (value === undefined || value === null) return w.finish();
      const { seconds, nanos } = parseTime(value as string);
      if (seconds) w.key(1, 0).varint(seconds);
      if (nanos) w.key(2, 0).varint(nanos);
      return w.finish();
    }
    case 'Quantity':
      return w.string(1, String(value ?? '0')).finish();
    case 'IntOrString':
      if (typeof value === 'string') return w.key(1, 0).varint(1).key(2, 0).varint(0).string(3, value).finish();
      return w.key(1, 0).varint(0).key(2, 0).varint(Number(value ?? 0)).string(3, '').finish();
    case 'FieldsV1':
    case 'RawExtension':
      return w.bytes(1, Buffer.from(value === undefined ? '' : JSON.stringify(value))).finish();
    default:
      return undefined;
  }
}

function writeScalar(w: Writer, field: number, type: string, value: unknown): void {
  switch (type) {
    case 'string':
      w.string(field, String(value ?? ''));
      break;
    case 'bytes':
      w.bytes(field, Buffer.from(String(value ?? ''), 'base64'));
      break;
    case 'bool':
      w.key(field, 0).varint(value ? 1 : 0);
      break;
    case 'double':
    case 'float':
      w.double(field, Number(value ?? 0));
      break;
    default:
      w.key(field, 0).varint(Number(value ?? 0));
  }
}

const SCALARS = new Set(['string', 'bytes', 'bool', 'double', 'float', 'int32', 'int64', 'uint32', 'uint64']);

function writeValue(w: Writer, field: number, type: string, value: unknown): void {
  if (SCALARS.has(type)) return writeScalar(w, field, type, value);
  const special = encodeSpecial(type, value);
  if (special) {
    w.bytes(field, special);
    return;
  }
  if (SLICE_MESSAGES.has(type)) {
    const inner = new Writer();
    for (const item of (value as string[]) ?? []) inner.string(1, item);
    w.bytes(field, inner.finish());
    return;
  }
  w.bytes(field, encodeMessage((value as Obj) ?? {}, type));
}

/** Encodes `obj` with the table of `message` (gogo style: absent non-pointer fields as zero). */
export function encodeMessage(obj: Obj, message: string): Uint8Array {
  const rows = MESSAGES[message];
  if (!rows) throw new Error(`no table for ${message}`);
  const w = new Writer();
  for (const [num, name, type, flags] of rows) {
    if (flags.includes('I')) {
      w.bytes(num, encodeMessage(obj, type));
      continue;
    }
    const value = obj[name];
    if (type.startsWith('map:')) {
      for (const [k, v] of Object.entries((value as Obj) ?? {})) {
        const entry = new Writer().string(1, k);
        writeValue(entry, 2, type.slice(4), v);
        w.bytes(num, entry.finish());
      }
      continue;
    }
    if (flags.includes('R')) {
      for (const item of (value as unknown[]) ?? []) writeValue(w, num, type, item);
      continue;
    }
    if (value === undefined && flags.includes('P')) continue; // nil pointers are not written
    if (value === undefined && type.startsWith('unsupported:')) continue;
    writeValue(w, num, type, value);
  }
  return w.finish();
}

/** Wraps a message in the k8s\0 + runtime.Unknown envelope. */
export function envelope(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
  const typeMeta = new Writer().string(1, apiVersion).string(2, kind).finish();
  const unknown = new Writer().bytes(1, typeMeta).bytes(2, raw).string(3, '').string(4, '').finish();
  return Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), unknown]);
}

/** Encodes a whole object (apiVersion/kind taken from it) as a protobuf request body. */
export function encodeObject(obj: Obj & { apiVersion: string; kind: string }, message: string): Buffer {
  const { apiVersion, kind, ...rest } = obj;
  return envelope(apiVersion, kind, encodeMessage(rest, message));
}
