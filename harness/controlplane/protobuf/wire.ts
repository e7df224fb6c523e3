// Protocol-buffers wire-format reader: just enough to walk Kubernetes messages field by field.
// Every malformed input raises ApiError 400 so a bad body never crashes the server.
import { ApiError } from '../types.ts';

/** [field number, JSON name, type, flags] — see tables.generated.ts for the meaning of flags. */
export type FieldRow = [number, string, string, string];

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class WireReader {
  pos: number;
  constructor(readonly buf: Uint8Array, start = 0, readonly end = buf.length) {
    this.pos = start;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.end) throw badRequest(`protobuf body is truncated: ${what} at byte ${this.pos} runs past the end`);
  }

  /** Unsigned varint as a bigint (int64 values may exceed 2^53). */
  varintBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      this.need(1, 'varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
    throw badRequest(`protobuf body is garbled: varint longer than 10 bytes before byte ${this.pos}`);
  }

  /** Varint read as a signed 64-bit integer (int32/int64 negatives are sign-extended), as a number. */
  varintSigned(): number {
    let v = this.varintBig();
    if (v >= 1n << 63n) v -= 1n << 64n;
    return Number(v);
  }

  varintNumber(): number {
    return Number(this.varintBig());
  }

  /** Field key: [field number, wire type]. */
  key(): [number, number] {
    const start = this.pos;
    const k = this.varintNumber();
    const field = Math.floor(k / 8);
    const wire = k & 7;
    if (field < 1) throw badRequest(`protobuf body is garbled: field number 0 at byte ${start}`);
    if (wire === 3 || wire === 4 || wire > 5) throw badRequest(`protobuf body is garbled: unsupported wire type ${wire} at byte ${start}`);
    return [field, wire];
  }

  /** Length-delimited payload as a [start, end) window into the buffer. */
  lengthDelimited(): [number, number] {
    const len = this.varintNumber();
    this.need(len, `length-delimited field of ${len} bytes`);
    const start = this.pos;
    this.pos += len;
    return [start, this.pos];
  }

  bytes(): Uint8Array {
    const [s, e] = this.lengthDelimited();
    return this.buf.subarray(s, e);
  }

  string(): string {
    const at = this.pos;
    try {
      return utf8.decode(this.bytes());
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw badRequest(`protobuf body is garbled: invalid UTF-8 in string at byte ${at}`);
    }
  }

  fixed64(): DataView {
    this.need(8, '64-bit field');
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
    this.pos += 8;
    return view;
  }

  fixed32(): DataView {
    this.need(4, '32-bit field');
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4);
    this.pos += 4;
    return view;
  }

  skip(wire: number): void {
    if (wire === WIRE_VARINT) this.varintBig();
    else if (wire === WIRE_FIXED64) this.fixed64();
    else if (wire === WIRE_BYTES) this.lengthDelimited();
    else this.fixed32();
  }
}
