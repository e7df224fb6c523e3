// Protocol-buffers wire-format writer: one growable buffer; a nested message reserves one length
// byte and moves its bytes along only when its length needs more.
import { WIRE_BYTES, WIRE_FIXED32, WIRE_FIXED64, WIRE_VARINT } from './wire.ts';

const TWO_POW_32 = 2 ** 32;

export class WireWriter {
  private buf: Buffer;
  pos = 0;
  constructor(size = 512) {
    this.buf = Buffer.allocUnsafe(size);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** A varint of a non-negative integer up to 2^53, or a negative one as 10 bytes of two's complement. */
  varint(v: number): void {
    this.ensure(10);
    if (v >= 0 && v < 0x80000000) {
      while (v > 0x7f) {
        this.buf[this.pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      this.buf[this.pos++] = v;
      return;
    }
    let lo: number;
    let hi: number;
    if (v >= 0) {
      lo = v % TWO_POW_32;
      hi = Math.floor(v / TWO_POW_32);
    } else {
      const x = BigInt.asUintN(64, BigInt(v));
      lo = Number(x & 0xffffffffn);
      hi = Number(x >> 32n);
    }
    while (hi > 0 || lo > 0x7f) {
      this.buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | ((hi & 0x7f) << 25)) >>> 0;
      hi >>>= 7;
    }
    this.buf[this.pos++] = lo;
  }

  key(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  uvarintField(field: number, v: number): void {
    this.key(field, WIRE_VARINT);
    this.varint(v);
  }

  bytes(field: number, data: Uint8Array): void {
    this.key(field, WIRE_BYTES);
    this.varint(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  string(field: number, s: string): void {
    this.key(field, WIRE_BYTES);
    const len = Buffer.byteLength(s);
    this.varint(len);
    this.ensure(len);
    this.buf.write(s, this.pos, 'utf8');
    this.pos += len;
  }

  double(field: number, v: number): void {
    this.key(field, WIRE_FIXED64);
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  float(field: number, v: number): void {
    this.key(field, WIRE_FIXED32);
    this.ensure(4);
    this.buf.writeFloatLE(v, this.pos);
    this.pos += 4;
  }

  /** Starts a length-delimited field; returns the mark to give end(). */
  begin(field: number): number {
    this.key(field, WIRE_BYTES);
    this.ensure(1);
    return this.pos++;
  }

  end(mark: number): void {
    const len = this.pos - mark - 1;
    if (len < 0x80) {
      this.buf[mark] = len;
      return;
    }
    let extra = 0;
    for (let l = len >>> 7; l > 0; l >>>= 7) extra++;
    this.ensure(extra);
    this.buf.copyWithin(mark + 1 + extra, mark + 1, this.pos);
    this.pos += extra;
    let v = len;
    let at = mark;
    while (v > 0x7f) {
      this.buf[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[at] = v;
  }

  raw(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
