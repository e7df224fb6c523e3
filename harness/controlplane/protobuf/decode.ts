// Table-driven decoder: one Kubernetes protobuf message → its JSON form. Field presence follows
// Go's encoding/json on the same struct (gogo writes every non-pointer field, JSON's omitempty
// drops the zero ones), with one pragmatic exception: empty non-pointer strings and empty
// non-pointer structs are dropped even without omitempty, so stray `status: {}`, `name: ""` vanish.
import { UNION_MESSAGES, type UnionForm } from './kinds.ts';
import { MESSAGES, SLICE_MESSAGES } from './tables.generated.ts';
import { formatGoDuration, formatTime } from './well-known.ts';
import { WireReader, badRequest, WIRE_BYTES, WIRE_FIXED32, WIRE_FIXED64, WIRE_VARINT, type FieldRow } from './wire.ts';

type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };
type JsonObj = { [k: string]: JsonValue };

const MAX_DEPTH = 64;
const INT_TYPES = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64']);

interface Indexed { byNumber: Map<number, FieldRow> }
const indexCache = new Map<string, Indexed>();

function tableFor(message: string): Indexed {
  let idx = indexCache.get(message);
  if (!idx) {
    const rows = MESSAGES[message];
    if (!rows) throw badRequest(`protobuf decoding of message ${message} is not supported`);
    idx = { byNumber: new Map(rows.map((r) => [r[0], r])) };
    indexCache.set(message, idx);
  }
  return idx;
}

export function hasMessage(message: string): boolean {
  return message in MESSAGES;
}

/** Decodes a message body (no envelope) with the table of `message`. */
export function decodeMessage(buf: Uint8Array, message: string, start = 0, end = buf.length, depth = 0): JsonObj {
  if (depth > MAX_DEPTH) throw badRequest('protobuf body is garbled: messages nested too deeply');
  const { byNumber } = tableFor(message);
  const r = new WireReader(buf, start, end);
  const out: JsonObj = {};
  const repeated = new Map<string, JsonValue[]>();
  const maps = new Map<string, JsonObj>();
  while (!r.done()) {
    const [num, wire] = r.key();
    const row = byNumber.get(num);
    if (!row) throw badRequest(`protobuf decoding failed: unknown field number ${num} in ${shortName(message)}`);
    const [, name, type, flags] = row;
    const where = `${shortName(message)}.${name}`;
    if (type.startsWith('map:')) {
      expectWire(wire, WIRE_BYTES, where);
      const [s, e] = r.lengthDelimited();
      const [k, v] = decodeMapEntry(buf, s, e, type.slice(4), where, depth);
      let m = maps.get(name);
      if (!m) maps.set(name, (m = {}));
      m[k] = v;
      continue;
    }
    if (flags.includes('R')) {
      let list = repeated.get(name);
      if (!list) repeated.set(name, (list = []));
      if (wire === WIRE_BYTES && isPackable(type)) {
        // Packed repeated scalars: a run of values inside one length-delimited field.
        const [s, e] = r.lengthDelimited();
        const inner = new WireReader(buf, s, e);
        while (!inner.done()) list.push(readScalar(inner, type, packedWire(type), where));
      } else {
        list.push(readValue(r, wire, type, where, depth));
      }
      continue;
    }
    const value = readValue(r, wire, type, where, depth);
    if (flags.includes('I')) {
      if (value && typeof value === 'object' && !Array.isArray(value)) Object.assign(out, value);
      continue;
    }
    if (keep(value, type, flags)) out[name] = value;
    else delete out[name];
  }
  for (const [name, list] of repeated) if (list.length) out[name] = list;
  for (const [name, m] of maps) out[name] = m;
  return out;
}

/** Go JSON presence rules, see the header comment. */
function keep(value: JsonValue, type: string, flags: string): boolean {
  if (value === null) return false;
  if (flags.includes('P')) return true;
  if (value === '') return false;
  if (typeof value === 'object') return Object.keys(value).length > 0 || (isScalarLike(type) && !Array.isArray(value));
  if (flags.includes('O')) return value !== 0 && value !== false;
  return true;
}

function isScalarLike(type: string): boolean {
  return !type.includes('.');
}

function isPackable(type: string): boolean {
  return INT_TYPES.has(type) || type === 'bool' || type === 'double' || type === 'float' || type === 'fixed32' || type === 'fixed64';
}

function packedWire(type: string): number {
  if (type === 'double' || type === 'fixed64') return WIRE_FIXED64;
  if (type === 'float' || type === 'fixed32') return WIRE_FIXED32;
  return WIRE_VARINT;
}

function expectWire(actual: number, expected: number, where: string): void {
  if (actual !== expected) throw badRequest(`protobuf decoding failed: ${where} has wire type ${actual}, expected ${expected}`);
}

function readValue(r: WireReader, wire: number, type: string, where: string, depth: number): JsonValue {
  if (type.startsWith('unsupported:')) throw badRequest(`protobuf decoding of field ${where} (${type.slice(12)}) is not supported`);
  if (isPackable(type) || type === 'string' || type === 'bytes') return readScalar(r, type, wire, where);
  expectWire(wire, WIRE_BYTES, where);
  const [s, e] = r.lengthDelimited();
  return decodeTyped(r.buf, s, e, type, where, depth + 1);
}

function readScalar(r: WireReader, type: string, wire: number, where: string): JsonValue {
  switch (type) {
    case 'string':
      expectWire(wire, WIRE_BYTES, where);
      return r.string();
    case 'bytes':
      expectWire(wire, WIRE_BYTES, where);
      return Buffer.from(r.bytes()).toString('base64');
    case 'bool':
      expectWire(wire, WIRE_VARINT, where);
      return r.varintBig() !== 0n;
    case 'double':
      expectWire(wire, WIRE_FIXED64, where);
      return r.fixed64().getFloat64(0, true);
    case 'float':
      expectWire(wire, WIRE_FIXED32, where);
      return r.fixed32().getFloat32(0, true);
    case 'uint32':
    case 'uint64':
      expectWire(wire, WIRE_VARINT, where);
      return r.varintNumber();
    case 'sint32':
    case 'sint64': {
      expectWire(wire, WIRE_VARINT, where);
      const z = r.varintBig();
      return Number((z >> 1n) ^ -(z & 1n));
    }
    default:
      expectWire(wire, WIRE_VARINT, where);
      return r.varintSigned();
  }
}

/** A sub-message: a table message, a Go slice wrapper, or a well-known type with its own JSON form. */
function decodeTyped(buf: Uint8Array, s: number, e: number, type: string, where: string, depth: number): JsonValue {
  switch (type) {
    case 'Time':
    case 'MicroTime': {
      const { seconds, nanos } = readTimestamp(buf, s, e, where);
      if (seconds === 0 && nanos === 0) return null; // the zero time marshals to JSON null
      return formatTime(seconds, nanos, type === 'MicroTime');
    }
    case 'Duration':
      return formatGoDuration(readSingle(buf, s, e, where, 1, 'int64') as number ?? 0);
    case 'Quantity':
      return (readSingle(buf, s, e, where, 1, 'string') as string | undefined) ?? '0';
    case 'IntOrString':
      return readIntOrString(buf, s, e, where);
    case 'FieldsV1':
    case 'RawExtension':
      return readEmbeddedJson(buf, s, e, where);
    default: {
      const obj = decodeMessage(buf, type, s, e, depth);
      if (SLICE_MESSAGES.has(type)) return (obj.items as JsonValue[] | undefined) ?? [];
      const union = UNION_MESSAGES[type];
      return union ? unionValue(union, obj) : obj;
    }
  }
}

/** A union message's JSON form: its array member when set, else its schema, else its boolean. */
function unionValue(form: UnionForm, obj: JsonObj): JsonValue {
  const list = form.array ? obj[form.array] : undefined;
  if (Array.isArray(list) && list.length) return list;
  if (obj[form.object] !== undefined) return obj[form.object];
  return form.bool ? obj[form.bool] === true : null;
}

function decodeMapEntry(buf: Uint8Array, s: number, e: number, valueType: string, where: string, depth: number): [string, JsonValue] {
  const r = new WireReader(buf, s, e);
  let key = '';
  let value: JsonValue | undefined;
  while (!r.done()) {
    const [num, wire] = r.key();
    if (num === 1) {
      expectWire(wire, WIRE_BYTES, `${where} key`);
      key = r.string();
    } else if (num === 2) {
      value = readValue(r, wire, valueType, `${where}[value]`, depth);
    } else throw badRequest(`protobuf decoding failed: unknown field number ${num} in map entry of ${where}`);
  }
  if (value === undefined) value = zeroOf(valueType);
  return [key, value];
}

function zeroOf(type: string): JsonValue {
  if (type === 'string' || type === 'bytes') return '';
  if (type === 'Quantity') return '0';
  if (SLICE_MESSAGES.has(type)) return [];
  return type.includes('.') ? {} : null;
}

/** Reads field `field` of a small well-known message; unknown fields are errors. */
function readSingle(buf: Uint8Array, s: number, e: number, where: string, field: number, type: string): JsonValue | undefined {
  const r = new WireReader(buf, s, e);
  let value: JsonValue | undefined;
  while (!r.done()) {
    const [num, wire] = r.key();
    if (num !== field) throw badRequest(`protobuf decoding failed: unknown field number ${num} in ${where}`);
    value = readScalar(r, type, wire, where);
  }
  return value;
}

function readTimestamp(buf: Uint8Array, s: number, e: number, where: string): { seconds: number; nanos: number } {
  const r = new WireReader(buf, s, e);
  let seconds = 0;
  let nanos = 0;
  while (!r.done()) {
    const [num, wire] = r.key();
    expectWire(wire, WIRE_VARINT, where);
    if (num === 1) seconds = r.varintSigned();
    else if (num === 2) nanos = r.varintSigned();
    else throw badRequest(`protobuf decoding failed: unknown field number ${num} in timestamp ${where}`);
  }
  if (nanos < 0 || nanos > 999_999_999) throw badRequest(`protobuf decoding failed: invalid nanos ${nanos} in ${where}`);
  return { seconds, nanos };
}

function readIntOrString(buf: Uint8Array, s: number, e: number, where: string): JsonValue {
  const r = new WireReader(buf, s, e);
  let kind = 0;
  let intVal = 0;
  let strVal = '';
  while (!r.done()) {
    const [num, wire] = r.key();
    if (num === 1) kind = readScalar(r, 'int64', wire, where) as number;
    else if (num === 2) intVal = readScalar(r, 'int32', wire, where) as number;
    else if (num === 3) strVal = readScalar(r, 'string', wire, where) as string;
    else throw badRequest(`protobuf decoding failed: unknown field number ${num} in IntOrString ${where}`);
  }
  return kind === 1 ? strVal : intVal;
}

function readEmbeddedJson(buf: Uint8Array, s: number, e: number, where: string): JsonValue {
  const raw = readSingle(buf, s, e, where, 1, 'bytes') as string | undefined;
  if (raw === undefined) return null;
  const text = Buffer.from(raw, 'base64').toString('utf8');
  if (text === '') return null;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    throw badRequest(`protobuf decoding failed: ${where} does not hold JSON`);
  }
}

function shortName(message: string): string {
  return message.slice(message.lastIndexOf('.') + 1);
}
