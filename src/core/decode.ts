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
const FIELD_SIGNATURE = 8;

type Reader = (buf: Buffer, pos: number, end: number, base: number) => unknown[];

export interface FastDecoder {
  /** The decoded body of the reply with this serial, once; `undefined` if it went the generic way. */
  take(serial: number | null | undefined): unknown[] | undefined;
}

/** `Buffer#utf8Slice`: `toString('utf8', a, b)` without its argument checks (30,000 strings per ListUnits). */
type SliceBuffer = Buffer & { utf8Slice?: (start: number, end: number) => string };

/** Struct fields by D-Bus type code: strings (`s`, `o`, `g`) or `u`. */
function structArray(fields: string): Reader {
  const codes = [...fields].map((c) => (c === 'u' ? 1 : 0));
  const width = codes.length;
  // Written for the first (cold, interpreted) run, which is the only one a CLI gets: no calls per
  // value but the string slice, alignment as arithmetic (the body starts 8-aligned, so buffer
  // indices align as message offsets do), little-endian u32 read inline.
  return (buf, pos, end, base) => {
    if ((base & 7) !== 0) throw new RangeError('body not 8-aligned');
    const slice = typeof (buf as SliceBuffer).utf8Slice === 'function' ? (a: number, b: number) => (buf as SliceBuffer).utf8Slice!(a, b) : (a: number, b: number) => buf.toString('utf8', a, b);
    // a column that repeats the row above ("loaded", "inactive", "dead", "", "/") reuses its string;
    // a column that rarely does (names, descriptions, paths) stops being compared
    const lastAt = new Array<number>(width).fill(-1);
    const lastLen = new Array<number>(width).fill(-1);
    const lastStr = new Array<string>(width).fill('');
    const tries = new Array<number>(width).fill(0);
    const hits = new Array<number>(width).fill(0);
    pos = (pos + 3) & ~3;
    const len = (buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24)) >>> 0;
    pos = (pos + 4 + 7) & ~7;
    const stop = pos + len;
    if (stop > end) throw new RangeError('array past the body');
    const rows: unknown[][] = [];
    while (pos < stop) {
      pos = (pos + 7) & ~7;
      const row: unknown[] = new Array(width);
      for (let i = 0; i < width; i++) {
        pos = (pos + 3) & ~3;
        const n = (buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24)) >>> 0;
        pos += 4;
        if (codes[i] === 1) {
          row[i] = n;
          continue;
        }
        let str: string | undefined;
        const t = tries[i]!;
        if (n === lastLen[i] && (t < 8 || hits[i]! * 2 >= t)) {
          tries[i] = t + 1;
          const at = lastAt[i]!;
          let k = 0;
          while (k < n && buf[pos + k] === buf[at + k]) k++;
          if (k === n) {
            str = lastStr[i];
            hits[i]!++;
          }
        }
        if (str === undefined) {
          str = n === 0 ? '' : slice(pos, pos + n);
          lastStr[i] = str;
          lastLen[i] = n;
          lastAt[i] = pos;
        }
        row[i] = str;
        pos += n + 1; // NUL
      }
      rows.push(row);
    }
    if (pos !== stop) throw new RangeError('array length mismatch');
    return [rows];
  };
}

/** The signatures read here; everything else is dbus-next's. */
export const FAST_READERS: ReadonlyMap<string, Reader> = new Map([
  ['a(ssssssouso)', structArray('ssssssouso')], // ListUnits, ListUnitsFiltered, ListUnitsByPatterns, ListUnitsByNames
  ['a(ss)', structArray('ss')], // ListUnitFiles, ListUnitFilesByPatterns
  ['a(usssoo)', structArray('usssoo')], // ListJobs
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
export function decodeFast(header: Buffer, data: Buffer, minBody = MIN_BODY): { serial: number; body: unknown[] } | null {
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
      p = align(p, 4, 0) + 4;
    } else {
      return null; // a header field we do not know how to skip
    }
    pos = p;
  }
  if (signature === undefined) return null;
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
        const r = decodeFast(h, data);
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
  };
}
