// Table-driven encoder: the JSON form of a Kubernetes object → its protobuf message, the inverse
// of decode.ts. Fields are written from the JSON keys present (absent and null ones are left out,
// which protobuf reads as Go's zero value); keys the message does not have are not written, as
// the API server drops unknown fields of built-in kinds. A value of the wrong JSON type is a 500:
// the stored object cannot be served as protobuf.
import { ApiError } from '../types.ts';
import { UNION_MESSAGES, type UnionForm } from './kinds.ts';
import { MESSAGES, SLICE_MESSAGES } from './tables.generated.ts';
import { parseGoDuration, parseTime } from './well-known.ts';
import type { FieldRow } from './wire.ts';
import type { WireWriter } from './writer.ts';

type Json = Record<string, unknown>;

const MAX_DEPTH = 64;

interface Index { byName: Map<string, FieldRow>; inline: FieldRow[] }
const indexCache = new Map<string, Index>();

function indexFor(message: string): Index {
  let idx = indexCache.get(message);
  if (!idx) {
    const rows = MESSAGES[message];
    if (!rows) throw encodeError(message, 'has no protobuf message');
    idx = { byName: new Map(), inline: [] };
    for (const row of rows) {
      if (row[3].includes('I')) idx.inline.push(row);
      else idx.byName.set(row[1], row);
    }
    indexCache.set(message, idx);
  }
  return idx;
}

function encodeError(where: string, problem: string): ApiError {
  return new ApiError(500, 'InternalError', `Internal error occurred: unable to encode as protobuf: ${where} ${problem}`);
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Writes the fields of `value` as message `message` (no envelope, no length prefix). */
export function encodeMessage(w: WireWriter, message: string, value: Json, where = message, depth = 0): void {
  if (depth > MAX_DEPTH) throw encodeError(where, 'is nested too deeply');
  const { byName, inline } = indexFor(message);
  for (const key in value) {
    const row = byName.get(key);
    const v = value[key];
    if (!row || v === null || v === undefined) continue;
    const [num, name, type, flags] = row;
    const at = `${where}.${name}`;
    if (type.startsWith('map:')) writeMap(w, num, type.slice(4), v, at, depth);
    else if (flags.includes('R')) {
      if (!Array.isArray(v)) throw encodeError(at, `is ${describe(v)}, expected an array`);
      for (let i = 0; i < v.length; i++) writeValue(w, num, type, v[i] ?? zeroOf(type), `${at}[${i}]`, depth);
    } else writeValue(w, num, type, v, at, depth);
  }
  // Inlined structs (`json:",inline"`) are a nested message on the wire, their fields the parent's in JSON.
  for (const [num, name, type] of inline) {
    const mark = w.begin(num);
    encodeMessage(w, type, value, `${where}.${name}`, depth + 1);
    w.end(mark);
  }
}

function writeMap(w: WireWriter, num: number, valueType: string, v: unknown, at: string, depth: number): void {
  if (!isObject(v)) throw encodeError(at, `is ${describe(v)}, expected an object`);
  for (const k in v) {
    const mark = w.begin(num);
    w.string(1, k);
    writeValue(w, 2, valueType, v[k] ?? zeroOf(valueType), `${at}[${JSON.stringify(k)}]`, depth);
    w.end(mark);
  }
}

/** Go's JSON reads null as the zero value; inside arrays and maps it is written as that. */
function zeroOf(type: string): unknown {
  switch (type) {
    case 'string':
    case 'bytes':
      return '';
    case 'bool':
      return false;
    case 'Quantity':
      return '0';
    case 'RawExtension':
    case 'FieldsV1':
      return null;
    default:
      if (SLICE_MESSAGES.has(type)) return [];
      return type.includes('.') ? {} : 0;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v} (${JSON.stringify(v)?.slice(0, 40)})`;
}

function int(v: unknown, at: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw encodeError(at, `is ${describe(v)}, expected an integer`);
  return v;
}

function writeValue(w: WireWriter, num: number, type: string, v: unknown, at: string, depth: number): void {
  switch (type) {
    case 'string':
      if (typeof v !== 'string') throw encodeError(at, `is ${describe(v)}, expected a string`);
      w.string(num, v);
      return;
    case 'bytes':
      if (typeof v !== 'string') throw encodeError(at, `is ${describe(v)}, expected base64 text`);
      w.bytes(num, Buffer.from(v, 'base64'));
      return;
    case 'bool':
      if (typeof v !== 'boolean') throw encodeError(at, `is ${describe(v)}, expected a boolean`);
      w.uvarintField(num, v ? 1 : 0);
      return;
    case 'int32':
    case 'int64':
    case 'uint32':
    case 'uint64':
      w.uvarintField(num, int(v, at));
      return;
    case 'sint32':
    case 'sint64': {
      const n = int(v, at);
      w.uvarintField(num, n >= 0 ? n * 2 : -n * 2 - 1);
      return;
    }
    case 'double':
    case 'float':
      if (typeof v !== 'number') throw encodeError(at, `is ${describe(v)}, expected a number`);
      if (type === 'double') w.double(num, v);
      else w.float(num, v);
      return;
    case 'Time':
    case 'MicroTime': {
      const t = typeof v === 'string' ? parseTime(v) : undefined;
      if (!t) throw encodeError(at, `is ${describe(v)}, expected an RFC 3339 time`);
      const mark = w.begin(num);
      if (t.seconds) w.uvarintField(1, t.seconds);
      if (t.nanos) w.uvarintField(2, t.nanos);
      w.end(mark);
      return;
    }
    case 'Duration': {
      const ns = typeof v === 'string' ? parseGoDuration(v) : undefined;
      if (ns === undefined) throw encodeError(at, `is ${describe(v)}, expected a duration such as "1h0m0s"`);
      const mark = w.begin(num);
      if (ns) w.uvarintField(1, ns);
      w.end(mark);
      return;
    }
    case 'Quantity': {
      if (typeof v !== 'string' && typeof v !== 'number') throw encodeError(at, `is ${describe(v)}, expected a quantity`);
      const mark = w.begin(num);
      w.string(1, String(v));
      w.end(mark);
      return;
    }
    case 'IntOrString': {
      const mark = w.begin(num);
      if (typeof v === 'string') {
        w.uvarintField(1, 1);
        w.string(3, v);
      } else w.uvarintField(2, int(v, at));
      w.end(mark);
      return;
    }
    case 'FieldsV1':
    case 'RawExtension': {
      const mark = w.begin(num);
      w.bytes(1, Buffer.from(JSON.stringify(v)));
      w.end(mark);
      return;
    }
    default:
      writeMessage(w, num, type, v, at, depth);
  }
}

function writeMessage(w: WireWriter, num: number, type: string, v: unknown, at: string, depth: number): void {
  if (type.startsWith('unsupported:')) throw encodeError(at, `has type ${type.slice(12)}, which is not served`);
  let obj: Json;
  const union = UNION_MESSAGES[type];
  if (union) obj = unionFields(union, v, at);
  else if (SLICE_MESSAGES.has(type)) {
    if (!Array.isArray(v)) throw encodeError(at, `is ${describe(v)}, expected an array`);
    obj = { items: v };
  } else if (isObject(v)) obj = v;
  else throw encodeError(at, `is ${describe(v)}, expected an object`);
  const mark = w.begin(num);
  encodeMessage(w, type, obj, at, depth + 1);
  w.end(mark);
}

/** The union member a JSON value stands for: an object is the schema, an array or boolean its other member. */
function unionFields(form: UnionForm, v: unknown, at: string): Json {
  if (isObject(v)) return form.bool ? { [form.bool]: true, [form.object]: v } : { [form.object]: v };
  if (Array.isArray(v) && form.array) return { [form.array]: v };
  if (typeof v === 'boolean' && form.bool) return { [form.bool]: v };
  throw encodeError(at, `is ${describe(v)}, expected ${form.array ? 'an object or an array' : 'an object or a boolean'}`);
}
