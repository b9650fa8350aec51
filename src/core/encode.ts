/**
 * Method calls marshalled straight into one Buffer, for the bodies most of sysherd's calls send
 * (strings, object paths, 32-bit integers, booleans, string arrays): little-endian, header fields
 * path, interface, member, destination, signature, in that order, each only when set — the same
 * bytes as the generic marshaller (marshal.ts) and as dbus-next's (test/unit/core/encode.test.ts
 * compares all three), without building anything per value. Anything else (another type, a string
 * with a NUL) is left to marshal.ts: `null`.
 */

/** What of a method call goes on the wire. */
export interface CallMessage {
  serial: number | null;
  flags?: number;
  path?: string;
  interface?: string;
  member?: string;
  destination?: string;
  signature?: string;
  body?: unknown[];
}

const METHOD_CALL = 1;
/** Header field codes (the D-Bus specification). */
const PATH = 1;
const INTERFACE = 2;
const MEMBER = 3;
const DESTINATION = 6;
const SIGNATURE = 8;

const SIMPLE_BODY = /^(?:[soubi]|as)*$/;

const pad = (n: number, a: number): number => (n + a - 1) & ~(a - 1);

/** The bytes of a string-like value (`s`/`o`: u32 length; `g`: byte length), or null if it has a NUL. */
function utf8(s: unknown): Buffer | null {
  if (typeof s !== 'string' || s.includes('\0')) return null;
  return Buffer.from(s, 'utf8');
}

/** The marshalled call, or null when marshal.ts should do it. */
export function encodeMethodCall(m: CallMessage): Buffer | null {
  const serial = m.serial;
  if (!serial) return null;
  const signature = m.signature ?? '';
  const body = m.body ?? [];
  if (signature.length > 255 || !SIMPLE_BODY.test(signature)) return null;
  // the body's values, checked and sized first
  const parts: { t: string; v: unknown }[] = [];
  let bodyLength = 0;
  let i = 0;
  for (let k = 0; k < signature.length; k++) {
    const t = signature[k]!;
    const v = body[i++];
    if (t === 'a') {
      k++; // 'as'
      if (!Array.isArray(v)) return null;
      const items: Buffer[] = [];
      for (const x of v) {
        const b = utf8(x);
        if (b === null) return null;
        items.push(b);
      }
      bodyLength = pad(bodyLength, 4) + 4;
      for (const b of items) bodyLength = pad(bodyLength, 4) + 4 + b.length + 1;
      parts.push({ t: 'as', v: items });
    } else if (t === 's' || t === 'o') {
      const b = utf8(v);
      if (b === null) return null;
      bodyLength = pad(bodyLength, 4) + 4 + b.length + 1;
      parts.push({ t, v: b });
    } else {
      // u, i, b
      if (t === 'b' ? typeof v !== 'boolean' : typeof v !== 'number' || !Number.isInteger(v)) return null;
      if (t === 'u' && ((v as number) < 0 || (v as number) > 0xffffffff)) return null;
      if (t === 'i' && ((v as number) < -0x80000000 || (v as number) > 0x7fffffff)) return null;
      bodyLength = pad(bodyLength, 4) + 4;
      parts.push({ t, v });
    }
  }
  if (i !== body.length) return null;

  const fields: [number, string, Buffer][] = [];
  for (const [code, sig, value] of [
    [PATH, 'o', m.path],
    [INTERFACE, 's', m.interface],
    [MEMBER, 's', m.member],
    [DESTINATION, 's', m.destination],
  ] as const) {
    if (!value) continue;
    const b = utf8(value);
    if (b === null) return null;
    fields.push([code, sig, b]);
  }
  if (signature !== '') fields.push([SIGNATURE, 'g', Buffer.from(signature, 'latin1')]);
  // header: 12 bytes, the fields array's length, then each field 8-aligned: code, signature, value
  let end = 16;
  for (const [, sig, b] of fields) {
    end = pad(end, 8) + 4; // code, 'o'/'s'/'g' as a signature (1 + 1 + NUL)
    end = sig === 'g' ? end + 1 + b.length + 1 : pad(end, 4) + 4 + b.length + 1;
  }
  const bodyStart = pad(end, 8);
  const buf = Buffer.alloc(bodyStart + bodyLength);
  buf[0] = 108; // 'l'
  buf[1] = METHOD_CALL;
  buf[2] = m.flags ?? 0;
  buf[3] = 1;
  buf.writeUInt32LE(bodyLength, 4);
  buf.writeUInt32LE(serial, 8);
  buf.writeUInt32LE(end - 16, 12);
  let p = 16;
  for (const [code, sig, b] of fields) {
    p = pad(p, 8);
    buf[p] = code;
    buf[p + 1] = 1;
    buf[p + 2] = sig.charCodeAt(0);
    p += 4;
    if (sig === 'g') {
      buf[p++] = b.length;
    } else {
      p = pad(p, 4);
      buf.writeUInt32LE(b.length, p);
      p += 4;
    }
    b.copy(buf, p);
    p += b.length + 1;
  }
  p = bodyStart;
  const str = (b: Buffer): void => {
    p = bodyStart + pad(p - bodyStart, 4);
    buf.writeUInt32LE(b.length, p);
    b.copy(buf, p + 4);
    p += 4 + b.length + 1;
  };
  for (const { t, v } of parts) {
    if (t === 'as') {
      p = bodyStart + pad(p - bodyStart, 4);
      const lengthAt = p;
      p += 4;
      for (const b of v as Buffer[]) str(b);
      buf.writeUInt32LE(p - lengthAt - 4, lengthAt);
    } else if (t === 's' || t === 'o') {
      str(v as Buffer);
    } else {
      p = bodyStart + pad(p - bodyStart, 4);
      if (t === 'b') buf.writeUInt32LE(v ? 1 : 0, p);
      else if (t === 'u') buf.writeUInt32LE(v as number, p);
      else buf.writeInt32LE(v as number, p);
      p += 4;
    }
  }
  return buf;
}
