/**
 * The generic D-Bus marshaller (little-endian): any message of any signature, for what encode.ts's
 * one-Buffer writer of simple method calls does not take (variants — Properties.Set,
 * SetUnitProperties' `a(sv)` —, structs, dicts, 64-bit integers, replies to calls made to us).
 * Values as sysherd holds them: numbers or BigInt for integers, booleans, strings, arrays for
 * arrays and structs, objects (or [key, value] pairs) for dicts, Buffers for `ay`, `Variant` for `v`.
 * A value that does not fit its type is a RangeError before anything is written.
 */
import type { InMessage } from './decode.js';
import { Variant } from './variant.js';

/** Header field codes and their types (the D-Bus specification). */
const FIELDS: [keyof OutMessage, number, string][] = [
  ['path', 1, 'o'],
  ['interface', 2, 's'],
  ['member', 3, 's'],
  ['errorName', 4, 's'],
  ['replySerial', 5, 'u'],
  ['destination', 6, 's'],
];

/** A message to send: the header fields of a decoded one (decode.ts), the rest optional. */
export type OutMessage = Omit<InMessage, 'flags' | 'sender' | 'signature' | 'body'> & { flags?: number; signature?: string; body?: unknown[] };

class Writer {
  buf = Buffer.allocUnsafe(256);
  n = 0;
  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const b = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.n + k));
    this.buf.copy(b, 0, 0, this.n);
    this.buf = b;
  }
  align(a: number): void {
    const to = (this.n + a - 1) & ~(a - 1);
    this.room(to - this.n);
    this.buf.fill(0, this.n, to);
    this.n = to;
  }
  u8(v: number): void {
    this.room(1);
    this.buf[this.n++] = v;
  }
  u32(v: number): void {
    this.align(4);
    this.room(4);
    this.buf.writeUInt32LE(v, this.n);
    this.n += 4;
  }
  bytes(b: Buffer): void {
    this.room(b.length);
    b.copy(this.buf, this.n);
    this.n += b.length;
  }
}

const int = (v: unknown, lo: bigint, hi: bigint, t: string): bigint => {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isInteger(v)) b = BigInt(v);
  else throw new RangeError(`'${t}' wants an integer, not ${typeof v}`);
  if (b < lo || b > hi) throw new RangeError(`${b} does not fit '${t}'`);
  return b;
};

function text(v: unknown, t: string): Buffer {
  if (typeof v !== 'string') throw new RangeError(`'${t}' wants a string, not ${typeof v}`);
  if (v.includes('\0')) throw new RangeError('a D-Bus string cannot hold a NUL');
  return Buffer.from(v, 'utf8');
}

/** The end of the complete type starting at `sig[i]`. */
function typeEnd(sig: string, i: number): number {
  const t = sig[i];
  if (t === undefined) throw new RangeError(`incomplete signature '${sig}'`);
  if (t === 'a') return typeEnd(sig, i + 1);
  if (t === '(' || t === '{') {
    const close = t === '(' ? ')' : '}';
    let j = i + 1;
    while (sig[j] !== close) {
      if (j >= sig.length) throw new RangeError(`unclosed '${t}' in '${sig}'`);
      j = typeEnd(sig, j);
    }
    return j + 1;
  }
  if (!'ybnqiuxtdsogvh'.includes(t)) throw new RangeError(`unknown type '${t}' in '${sig}'`);
  return i + 1;
}

/** The complete types of a signature, in order. */
export function splitSignature(sig: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < sig.length; ) {
    const e = typeEnd(sig, i);
    out.push(sig.slice(i, e));
    i = e;
  }
  return out;
}

const ALIGN: Record<string, number> = { y: 1, g: 1, v: 1, n: 2, q: 2, b: 4, i: 4, u: 4, h: 4, s: 4, o: 4, a: 4, x: 8, t: 8, d: 8, '(': 8, '{': 8 };

function write(w: Writer, t: string, v: unknown): void {
  const c = t[0]!;
  switch (c) {
    case 'y':
      w.u8(Number(int(v, 0n, 255n, t)));
      return;
    case 'b':
      if (typeof v !== 'boolean') throw new RangeError(`'b' wants a boolean, not ${typeof v}`);
      w.u32(v ? 1 : 0);
      return;
    case 'n':
    case 'q': {
      const x = Number(c === 'n' ? int(v, -0x8000n, 0x7fffn, t) : int(v, 0n, 0xffffn, t));
      w.align(2);
      w.u8(x & 0xff);
      w.u8((x >> 8) & 0xff);
      return;
    }
    case 'i':
    case 'u':
    case 'h': {
      const x = c === 'i' ? int(v, -0x8000_0000n, 0x7fff_ffffn, t) : int(v, 0n, 0xffff_ffffn, t);
      w.u32(Number(BigInt.asUintN(32, x)));
      return;
    }
    case 'x':
    case 't': {
      const x = c === 'x' ? int(v, -(2n ** 63n), 2n ** 63n - 1n, t) : int(v, 0n, 2n ** 64n - 1n, t);
      w.align(8);
      w.u32(Number(BigInt.asUintN(32, x)));
      w.u32(Number(BigInt.asUintN(32, x >> 32n)));
      return;
    }
    case 'd':
      if (typeof v !== 'number') throw new RangeError(`'d' wants a number, not ${typeof v}`);
      w.align(8);
      w.bytes(Buffer.from(new Float64Array([v]).buffer));
      return;
    case 's':
    case 'o': {
      const b = text(v, t);
      if (c === 'o' && !/^\/$|^(\/[A-Za-z0-9_]+)+$/.test(v as string)) throw new RangeError(`not an object path: '${String(v)}'`);
      w.u32(b.length);
      w.bytes(b);
      w.u8(0);
      return;
    }
    case 'g': {
      const b = text(v, t);
      if (b.length > 255) throw new RangeError('a signature is at most 255 bytes');
      splitSignature(v as string);
      w.u8(b.length);
      w.bytes(b);
      w.u8(0);
      return;
    }
    case 'v': {
      if (!(v instanceof Variant)) throw new RangeError("'v' wants a Variant (variant(signature, value))");
      const types = splitSignature(v.signature);
      if (types.length !== 1) throw new RangeError(`a variant holds one complete type, not '${v.signature}'`);
      write(w, 'g', v.signature);
      write(w, v.signature, v.value);
      return;
    }
    case '(': {
      const fields = splitSignature(t.slice(1, -1));
      if (!Array.isArray(v) || v.length !== fields.length) throw new RangeError(`'${t}' wants an array of ${fields.length} values`);
      w.align(8);
      fields.forEach((f, i) => write(w, f, v[i]));
      return;
    }
    case 'a': {
      const e = t.slice(1);
      w.u32(0);
      const lengthAt = w.n - 4;
      w.align(ALIGN[e[0]!]!);
      const start = w.n;
      if (e[0] === '{') {
        const [k, val] = splitSignature(e.slice(1, -1)) as [string, string];
        const entries = Array.isArray(v) ? (v as [unknown, unknown][]) : v instanceof Map ? [...v] : typeof v === 'object' && v !== null ? Object.entries(v) : null;
        if (entries === null) throw new RangeError(`'${t}' wants an object, a Map or [key, value] pairs`);
        for (const [key, value] of entries) {
          w.align(8);
          write(w, k, /^[ybnqiuxth]$/.test(k) && typeof key === 'string' ? Number(key) : key);
          write(w, val, value);
        }
      } else if (e === 'y' && Buffer.isBuffer(v)) {
        w.bytes(v);
      } else {
        if (!Array.isArray(v)) throw new RangeError(`'${t}' wants an array`);
        for (const x of v) write(w, e, x);
      }
      const length = w.n - start;
      if (length > 64 * 1024 * 1024) throw new RangeError('an array is at most 64 MiB');
      w.buf.writeUInt32LE(length, lengthAt);
      return;
    }
    default:
      throw new RangeError(`cannot write type '${t}'`);
  }
}

/** The whole message, ready for the wire. */
export function marshalMessage(m: OutMessage): Buffer {
  const signature = m.signature ?? '';
  const body = m.body ?? [];
  const types = splitSignature(signature);
  if (types.length !== body.length) throw new RangeError(`signature '${signature}' wants ${types.length} values, got ${body.length}`);
  const b = new Writer();
  types.forEach((t, i) => write(b, t, body[i]));
  const h = new Writer();
  h.bytes(Buffer.from([0x6c, m.type, m.flags ?? 0, 1]));
  h.u32(b.n);
  h.u32(m.serial);
  h.u32(0); // the fields' length, below
  for (const [key, code, t] of FIELDS) {
    const v = m[key];
    if (v === undefined || v === '') continue;
    h.align(8);
    h.u8(code);
    write(h, 'g', t);
    write(h, t, v);
  }
  if (signature !== '') {
    h.align(8);
    h.u8(8);
    write(h, 'g', 'g');
    write(h, 'g', signature);
  }
  h.buf.writeUInt32LE(h.n - 16, 12);
  h.align(8);
  const out = Buffer.allocUnsafe(h.n + b.n);
  h.buf.copy(out, 0, 0, h.n);
  b.buf.copy(out, h.n, 0, b.n);
  return out;
}
