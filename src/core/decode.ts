/**
 * Decoding D-Bus messages (little-endian, what systemd sends on every little-endian machine) into
 * the values the rest of sysherd uses, compiled once per signature:
 * - plain (every call but `raw` ones): 64-bit integers as numbers, systemd's UINT64_MAX/INT64_MAX
 *   markers as `null`, variants as their values, `ay` as a Buffer, structs as arrays, dicts as
 *   objects;
 * - raw (a `raw` call: `show` prints every property's signature and full 64-bit value): variants
 *   as `Variant` (signature and value), 64-bit integers as BigInt, the rest as plain.
 * The big replies (ListUnits & co `a(ssssssouso)`, ListUnitFiles `a(ss)`, ListJobs `a(usssoo)`)
 * have readers of their own (`structArray`): 30,000 strings in one pass with no call per value.
 * `decodeMessage` reads one whole message: the fixed header, the header fields, the body.
 */

import { Variant } from './variant.js';

type Reader = (buf: Buffer, pos: number, end: number, base: number) => unknown[];

/** `Buffer#utf8Slice`: `toString('utf8', a, b)` without its argument checks (30,000 strings per ListUnits). */
type SliceBuffer = Buffer & { utf8Slice?: (start: number, end: number) => string };

/** Struct fields by D-Bus type code: strings (`s`, `o`, `g`) or `u`. */
function structArray(fields: string): Reader {
  const codes = [...fields].map((c) => (c === 'u' ? 1 : 0));
  const width = codes.length;
  const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
  // Written for the first (cold, interpreted) run, which is the only one a CLI gets: no calls per
  // value but the string slice, alignment as arithmetic (the body starts 8-aligned, so buffer
  // indices align as message offsets do), a u32 read as one element of a Uint32Array view where
  // the buffer is 4-aligned (else inline from its bytes), a value equal to its column's previous
  // one ("loaded", "inactive", "dead", "", "/") reused after ONE comparison with the array's bytes
  // read as latin1 (a byte-by-byte loop was the interpreter's biggest cost: 3,228 units, decode
  // 7.7 → ~6 ms). That comparison is exact: the previous string has as many characters as bytes
  // only if it is ASCII or holds U+FFFD, which no latin1 character equals.
  return (buf, pos, end, base) => {
    if ((base & 7) !== 0) throw new RangeError('body not 8-aligned');
    const b = buf as SliceBuffer & { latin1Slice?: (start: number, end: number) => string };
    pos = (pos + 3) & ~3;
    const len = (buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24)) >>> 0;
    pos = (pos + 4 + 7) & ~7;
    const stop = pos + len;
    if (stop > end) throw new RangeError('array past the body');
    const at = pos; // bytes[i] is buf[at + i]
    const bytes = b.latin1Slice !== undefined ? b.latin1Slice(at, stop) : buf.toString('latin1', at, stop);
    const u32 = littleEndian && (buf.byteOffset & 3) === 0 ? new Uint32Array(buf.buffer, buf.byteOffset, buf.length >>> 2) : null;
    const last = new Array<string>(width).fill('');
    const rows: unknown[][] = [];
    while (pos < stop) {
      pos = (pos + 7) & ~7;
      const row: unknown[] = new Array(width);
      for (let i = 0; i < width; i++) {
        pos = (pos + 3) & ~3;
        const n = u32 !== null ? u32[pos >>> 2]! : (buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24)) >>> 0;
        pos += 4;
        if (codes[i] === 1) {
          row[i] = n;
          continue;
        }
        const l = last[i]!;
        if (n === 0) row[i] = '';
        else if (l.length === n && bytes.startsWith(l, pos - at)) row[i] = l;
        else row[i] = last[i] = b.utf8Slice !== undefined ? b.utf8Slice(pos, pos + n) : buf.toString('utf8', pos, pos + n);
        pos += n + 1; // NUL
      }
      rows.push(row);
    }
    if (pos !== stop) throw new RangeError('array length mismatch');
    return [rows];
  };
}

/** Where a value is read: the buffer, the position, the end of the body. */
interface Cursor {
  b: Buffer;
  p: number;
  end: number;
}
type ValueReader = (c: Cursor) => unknown;

const TWO32 = 4294967296;
const pad = (c: Cursor, n: number): void => {
  c.p = (c.p + n - 1) & ~(n - 1);
  if (c.p > c.end) throw new RangeError('value past the body');
};
const u32 = (c: Cursor): number => {
  pad(c, 4);
  const v = c.b.readUInt32LE(c.p);
  c.p += 4;
  return v;
};
const text = (c: Cursor, n: number): string => {
  if (c.p + n >= c.end + 1) throw new RangeError('string past the body');
  const b = c.b as SliceBuffer;
  const s = n === 0 ? '' : b.utf8Slice !== undefined ? b.utf8Slice(c.p, c.p + n) : b.toString('utf8', c.p, c.p + n);
  c.p += n + 1; // NUL
  return s;
};
/** 64-bit integers as `plain()` gives them: a number; systemd's UINT64_MAX/INT64_MAX markers `null`. */
const int64 = (c: Cursor, signed: boolean): number | null => {
  pad(c, 8);
  const lo = c.b.readUInt32LE(c.p);
  const hi = signed ? c.b.readInt32LE(c.p + 4) : c.b.readUInt32LE(c.p + 4);
  c.p += 8;
  if (lo === 0xffffffff && (hi === 0x7fffffff || (!signed && hi === 0xffffffff))) return null;
  return hi * TWO32 + lo; // one rounding, as Number(BigInt) rounds
};
const ALIGN8 = new Set(['x', 't', 'd', '(', '{']);
const PLAIN: Record<string, ValueReader> = {
  y: (c) => {
    if (c.p >= c.end) throw new RangeError('byte past the body');
    return c.b[c.p++];
  },
  b: (c) => u32(c) !== 0,
  n: (c) => (pad(c, 2), (c.p += 2), c.b.readInt16LE(c.p - 2)),
  q: (c) => (pad(c, 2), (c.p += 2), c.b.readUInt16LE(c.p - 2)),
  i: (c) => (pad(c, 4), (c.p += 4), c.b.readInt32LE(c.p - 4)),
  u: u32,
  x: (c) => int64(c, true),
  t: (c) => int64(c, false),
  d: (c) => (pad(c, 8), (c.p += 8), c.b.readDoubleLE(c.p - 8)),
  s: (c) => text(c, u32(c)),
  o: (c) => text(c, u32(c)),
  g: (c) => text(c, c.b[c.p++]!),
  v: (c) => variant(c),
  h: u32, // an index into the message's file descriptors (none are negotiated: never sent to us)
};
/** `raw`: 64-bit integers as BigInt, variants with their signatures. */
const RAW: Record<string, ValueReader> = {
  ...PLAIN,
  x: (c) => (pad(c, 8), (c.p += 8), c.b.readBigInt64LE(c.p - 8)),
  t: (c) => (pad(c, 8), (c.p += 8), c.b.readBigUInt64LE(c.p - 8)),
  v: (c) => {
    const sig = text(c, c.b[c.p++]!);
    return new Variant(sig, compileSignature(sig, true)(c));
  },
};

/** A variant's value; the one-letter signatures (most of GetAll's) read inline. */
function variant(c: Cursor): unknown {
  const n = c.b[c.p]!;
  if (n === 1) {
    const t = c.b[c.p + 1]!;
    c.p += 3;
    switch (t) {
      case 0x73: // s
      case 0x6f: // o
        return text(c, u32(c));
      case 0x62: // b
        return u32(c) !== 0;
      case 0x75: // u
        return u32(c);
      case 0x74: // t
        return int64(c, false);
      case 0x69: // i
        return (pad(c, 4), (c.p += 4), c.b.readInt32LE(c.p - 4));
      case 0x78: // x
        return int64(c, true);
      default:
        c.p -= 3;
    }
  }
  c.p++;
  const sig = text(c, n);
  return compileSignature(sig, false)(c);
}

const compiled = new Map<string, ValueReader>();
const compiledRaw = new Map<string, ValueReader>();

/** A reader of one complete type at `sig[at.i]`, advancing `at.i` past it. */
function compileType(sig: string, at: { i: number }, raw: boolean): ValueReader {
  const t = sig[at.i++];
  if (t === undefined) throw new RangeError(`incomplete signature '${sig}'`);
  const basic = (raw ? RAW : PLAIN)[t];
  if (basic) return basic;
  if (t === '(') {
    const fields: ValueReader[] = [];
    if (sig[at.i] === ')') throw new RangeError(`empty struct in '${sig}'`);
    while (sig[at.i] !== ')') fields.push(compileType(sig, at, raw));
    at.i++;
    return (c) => {
      pad(c, 8);
      return fields.map((f) => f(c));
    };
  }
  if (t === 'a') {
    const e = sig[at.i]!;
    const elementAlign = ALIGN8.has(e) ? 8 : e === 'y' || e === 'g' || e === 'v' ? 1 : e === 'n' || e === 'q' ? 2 : 4;
    if (e === 'y') {
      at.i++;
      return (c) => {
        const n = u32(c);
        if (c.p + n > c.end) throw new RangeError('array past the body');
        c.p += n;
        return Buffer.from(c.b.subarray(c.p - n, c.p)); // ay: a Buffer
      };
    }
    if (e === '{') {
      at.i++;
      const key = compileType(sig, at, raw);
      const value = compileType(sig, at, raw);
      if (sig[at.i++] !== '}') throw new RangeError(`bad dict in '${sig}'`);
      return (c) => {
        const n = u32(c);
        pad(c, 8);
        const stop = c.p + n;
        if (stop > c.end) throw new RangeError('array past the body');
        const out: Record<string, unknown> = {};
        while (c.p < stop) {
          pad(c, 8);
          const k = String(key(c));
          const v = value(c);
          if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
          else out[k] = v;
        }
        if (c.p !== stop) throw new RangeError('dict length mismatch');
        return out;
      };
    }
    const element = compileType(sig, at, raw);
    return (c) => {
      const n = u32(c);
      pad(c, elementAlign);
      const stop = c.p + n;
      if (stop > c.end) throw new RangeError('array past the body');
      const out: unknown[] = [];
      while (c.p < stop) out.push(element(c));
      if (c.p !== stop) throw new RangeError('array length mismatch');
      return out;
    };
  }
  throw new RangeError(`type '${t}' not read here`);
}

/** The reader of one complete type (a variant's signature), compiled once per signature. */
function compileSignature(sig: string, raw: boolean): ValueReader {
  const cache = raw ? compiledRaw : compiled;
  let r = cache.get(sig);
  if (r === undefined) {
    const at = { i: 0 };
    r = compileType(sig, at, raw);
    if (at.i !== sig.length) throw new RangeError(`'${sig}' is not one complete type`);
    cache.set(sig, r);
  }
  return r;
}


/** The big replies' own readers (plain only). */
const STRUCT_ARRAYS: ReadonlyMap<string, Reader> = new Map([
  ['a(ssssssouso)', structArray('ssssssouso')], // ListUnits, ListUnitsFiltered, ListUnitsByPatterns, ListUnitsByNames
  ['a(ss)', structArray('ss')], // ListUnitFiles, ListUnitFilesByPatterns
  ['a(usssoo)', structArray('usssoo')], // ListJobs
]);

const bodies = new Map<string, Reader>();
const bodiesRaw = new Map<string, Reader>();

/** The reader of a whole body: the signature's complete types in turn, compiled once. */
function bodyReader(sig: string, raw: boolean): Reader {
  const cache = raw ? bodiesRaw : bodies;
  let r = cache.get(sig);
  if (r !== undefined) return r;
  const special = raw ? undefined : STRUCT_ARRAYS.get(sig);
  if (special !== undefined) r = special;
  else {
    const at = { i: 0 };
    const types: ValueReader[] = [];
    while (at.i < sig.length) types.push(compileType(sig, at, raw));
    r = (buf, pos, end) => {
      const c: Cursor = { b: buf, p: pos, end };
      const out = types.map((t) => t(c));
      if (c.p !== end) throw new RangeError('body length mismatch');
      return out;
    };
  }
  cache.set(sig, r);
  return r;
}

/** Message types (the D-Bus specification). */
export const MessageType = { METHOD_CALL: 1, METHOD_RETURN: 2, ERROR: 3, SIGNAL: 4 } as const;

/** One message as it came off the wire. */
export interface InMessage {
  type: number;
  flags: number;
  serial: number;
  path?: string;
  interface?: string;
  member?: string;
  errorName?: string;
  replySerial?: number;
  destination?: string;
  sender?: string;
  signature: string;
  body: unknown[];
}

/** The length of the message that starts with these 16 bytes (header, padding, body). */
export function messageLength(head: Buffer): number {
  if (head[0] !== 0x6c /* 'l' */) {
    throw new RangeError(head[0] === 0x42 ? 'big-endian D-Bus messages are not supported' : 'not a D-Bus message');
  }
  const fieldsLength = head.readUInt32LE(12);
  return 16 + ((fieldsLength + 7) & ~7) + head.readUInt32LE(4);
}

/** Header field codes (the D-Bus specification) and where they go. */
const FIELD_KEYS: Partial<Record<number, keyof InMessage>> = { 1: 'path', 2: 'interface', 3: 'member', 4: 'errorName', 5: 'replySerial', 6: 'destination', 7: 'sender', 8: 'signature' };

/**
 * Decode one whole message (`buf` starts at its first byte and holds exactly it). `raw(m)`, asked
 * with the header once it is read (before the body, which may still fail): decode the body the
 * raw way (a reply to a `raw` call).
 */
export function decodeMessage(buf: Buffer, raw?: (m: InMessage) => boolean): InMessage {
  const total = messageLength(buf);
  if (buf.length !== total) throw new RangeError('message length mismatch');
  const fieldsEnd = 16 + buf.readUInt32LE(12);
  const bodyStart = (fieldsEnd + 7) & ~7;
  const m: InMessage = { type: buf[1]!, flags: buf[2]!, serial: buf.readUInt32LE(8), signature: '', body: [] };
  const c: Cursor = { b: buf, p: 16, end: fieldsEnd };
  while (c.p < fieldsEnd) {
    pad(c, 8);
    const code = buf[c.p++]!;
    const value = variant(c);
    const key = FIELD_KEYS[code]; // UNIX_FDS and fields of later specifications: not ours
    if (key !== undefined) (m as unknown as Record<string, unknown>)[key] = value;
  }
  if (c.p !== fieldsEnd) throw new RangeError('header fields length mismatch');
  const rawBody = raw?.(m) ?? false;
  if (m.signature !== '') m.body = bodyReader(m.signature, rawBody)(buf, bodyStart, total, bodyStart);
  else if (total !== bodyStart) throw new RangeError('a body without a signature');
  return m;
}
