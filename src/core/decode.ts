/**
 * Signature-specific decoding of the big replies (ListUnits & co `a(ssssssouso)`, ListUnitFiles
 * `a(ss)`, ListJobs `a(usssoo)`), behind the bus adapter.
 *
 * dbus-next decodes every body three times over: a generic tree walk (`readTree`, one closure
 * call per value), a conversion to its JS format (`marshallVariantToJs`), then our `plain()`. For
 * 3,000 units that is most of the CPU of `list-units` after start-up. Here the reply of a known
 * signature is read once, straight into plain arrays of strings and numbers (what `plain()` of
 * dbus-next's result would give), and dbus-next is told the body has no signature, so it skips it.
 *
 * How: the connection's stream is read by dbus-next in two steps per message (`read(16)` for the
 * fixed header, then `read(n)` for the header fields and the body); `installFastDecoder` wraps
 * `stream.read`, follows the same two steps, and when a METHOD_RETURN's signature is one of
 * ours and its body is big, decodes the body and blanks the signature field's code (so the
 * header field is ignored). The decoded body waits, keyed by the reply's serial, for `take()`.
 * Anything unexpected leaves the message untouched for dbus-next. Little-endian messages only
 * (what systemd sends on every little-endian machine); big-endian ones go the generic way.
 */

/** A body smaller than this is not worth the detour. */
const MIN_BODY = 2048;
/** Replies decoded but not yet taken (a call that timed out leaves one behind): at most this many. */
const MAX_WAITING = 64;

const METHOD_RETURN = 2;
const FIELD_REPLY_SERIAL = 5;
const FIELD_SIGNATURE = 8;

type Reader = (buf: Buffer, pos: number, end: number, base: number) => unknown[];

export interface FastDecoder {
  /** The decoded body of the reply with this serial, once; `undefined` if it went the generic way. */
  take(serial: number | null | undefined): unknown[] | undefined;
  /** The reply to the call with this serial goes to dbus-next as it is (a caller that wants its Variants). */
  leave(callSerial: number): void;
}

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
const BASIC: Record<string, ValueReader> = {
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
  return compileSignature(sig)(c);
}

const compiled = new Map<string, ValueReader>();

/** A reader of one complete type at `sig[at.i]`, advancing `at.i` past it. */
function compileType(sig: string, at: { i: number }): ValueReader {
  const t = sig[at.i++];
  if (t === undefined) throw new RangeError(`incomplete signature '${sig}'`);
  const basic = BASIC[t];
  if (basic) return basic;
  if (t === '(') {
    const fields: ValueReader[] = [];
    while (sig[at.i] !== ')') fields.push(compileType(sig, at));
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
        return Buffer.from(c.b.subarray(c.p - n, c.p)); // dbus-next's ay: a Buffer
      };
    }
    if (e === '{') {
      at.i++;
      const key = compileType(sig, at);
      const value = compileType(sig, at);
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
    const element = compileType(sig, at);
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
  throw new RangeError(`type '${t}' not read here`); // h (fds) and anything new: dbus-next's
}

/** The reader of one complete type (a variant's signature), compiled once per signature. */
function compileSignature(sig: string): ValueReader {
  let r = compiled.get(sig);
  if (r === undefined) {
    const at = { i: 0 };
    r = compileType(sig, at);
    if (at.i !== sig.length) throw new RangeError(`'${sig}' is not one complete type`);
    compiled.set(sig, r);
  }
  return r;
}

/**
 * Any body of these complete types, as `plain()` of dbus-next's result would be: GetAll's
 * `a{sv}` (status reads three per unit: dbus-next's generic walk of their ~100 variants was most
 * of status's CPU), GetUnitProcesses' `a(sus)`.
 */
function generic(sig: string): Reader {
  const read = compileSignature(sig);
  return (buf, pos, end, base) => {
    if ((base & 7) !== 0) throw new RangeError('body not 8-aligned');
    const c: Cursor = { b: buf, p: pos, end };
    const v = read(c);
    if (c.p !== end) throw new RangeError('body length mismatch');
    return [v];
  };
}

/** The signatures read here; everything else is dbus-next's. */
export const FAST_READERS: ReadonlyMap<string, Reader> = new Map([
  ['a(ssssssouso)', structArray('ssssssouso')], // ListUnits, ListUnitsFiltered, ListUnitsByPatterns, ListUnitsByNames
  ['a(ss)', structArray('ss')], // ListUnitFiles, ListUnitFilesByPatterns
  ['a(usssoo)', structArray('usssoo')], // ListJobs
  ['a{sv}', generic('a{sv}')], // Properties.GetAll
  ['a(sus)', generic('a(sus)')], // GetUnitProcesses
]);

function align(pos: number, n: number, base: number): number {
  const r = (pos - base) % n;
  return r === 0 ? pos : pos + n - r;
}

/**
 * Decode the body of one message if it is ours: `header` is the 16-byte fixed header, `data`
 * the header fields (starting at message offset 16) and the body. Returns the reply's serial
 * and body, having blanked the signature field in `data`; `null` to leave it to dbus-next.
 */
export function decodeFast(header: Buffer, data: Buffer, minBody = MIN_BODY, wantsRaw?: (callSerial: number) => boolean): { serial: number; body: unknown[] } | null {
  if (header.length !== 16 || header[0] !== 0x6c /* 'l' */ || header[1] !== METHOD_RETURN) return null;
  const bodyLength = header.readUInt32LE(4);
  if (bodyLength < minBody) return null;
  const serial = header.readUInt32LE(8);
  const fieldsLength = header.readUInt32LE(12);
  const bodyStart = (fieldsLength + 7) & ~7;
  if (data.length < bodyStart + bodyLength) return null;
  // header fields: a(yv), each struct aligned to 8 from the message start (data starts at 16)
  let signature: string | undefined;
  let signatureCodeAt = -1;
  let replySerial = -1;
  let pos = 0;
  while (pos < fieldsLength) {
    pos = align(pos, 8, 0);
    const code = data[pos]!;
    const sigLen = data[pos + 1]!;
    const sig = data.toString('latin1', pos + 2, pos + 2 + sigLen);
    let p = pos + 2 + sigLen + 1;
    if (sig === 'g') {
      const n = data[p]!;
      if (code === FIELD_SIGNATURE) {
        signature = data.toString('latin1', p + 1, p + 1 + n);
        signatureCodeAt = pos;
      }
      p += 1 + n + 1;
    } else if (sig === 's' || sig === 'o') {
      p = align(p, 4, 0);
      p += 4 + data.readUInt32LE(p) + 1;
    } else if (sig === 'u') {
      p = align(p, 4, 0);
      if (code === FIELD_REPLY_SERIAL) replySerial = data.readUInt32LE(p);
      p += 4;
    } else {
      return null; // a header field we do not know how to skip
    }
    pos = p;
  }
  if (signature === undefined) return null;
  if (wantsRaw !== undefined && wantsRaw(replySerial)) return null;
  const reader = FAST_READERS.get(signature);
  if (!reader) return null;
  const body = reader(data, bodyStart, bodyStart + bodyLength, bodyStart);
  data[signatureCodeAt] = 0; // field code 0: dbus-next ignores the field, so reads no body
  return { serial, body };
}

type ReadableLike = { read?: (n?: number) => unknown };

/** Wrap the stream's `read` (see above). Returns `null` for a stream that cannot be wrapped. */
export function installFastDecoder(stream: unknown): FastDecoder | null {
  const s = stream as ReadableLike | undefined;
  if (!s || typeof s.read !== 'function') return null;
  const read = s.read.bind(s);
  const waiting = new Map<number, unknown[]>();
  const raw = new Set<number>();
  let header: Buffer | null = null;
  s.read = (n?: number): unknown => {
    const chunk = read(n);
    if (chunk === null || chunk === undefined) return chunk;
    const data = Buffer.isBuffer(chunk) ? chunk : (chunk as { data?: unknown }).data;
    if (!Buffer.isBuffer(data)) return chunk;
    if (header === null) {
      // dbus-next's first step: the fixed header
      if (n === 16 && data.length === 16) header = data;
      return chunk;
    }
    const h = header;
    header = null;
    if (waiting.size < MAX_WAITING) {
      try {
        const r = decodeFast(h, data, MIN_BODY, (callSerial) => raw.delete(callSerial));
        if (r) waiting.set(r.serial, r.body);
      } catch {
        // not what we expected: dbus-next decodes it (the signature field is only blanked on success)
      }
    }
    return chunk;
  };
  return {
    take(serial) {
      if (serial === null || serial === undefined) return undefined;
      const body = waiting.get(serial);
      if (body !== undefined) waiting.delete(serial);
      return body;
    },
    leave(callSerial) {
      if (raw.size > MAX_WAITING) raw.clear(); // calls that got no reply
      raw.add(callSerial);
    },
  };
}
