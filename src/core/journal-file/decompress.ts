/**
 * journald's compressed payloads (fields above ~512 bytes): LZ4 (a little-endian 64-bit size, then
 * one LZ4 block: decoded here, the block format is a few lines) and Zstandard (one frame: fzstd,
 * a pure-JS decoder). XZ, which journald has not chosen by default since LZ4 came, is left to
 * journalctl: `UnsupportedJournalError` makes the caller fall back.
 */
import { createRequire } from 'node:module';

/**
 * fzstd, loaded on the first zstd payload (most status calls meet none: its loading was ~1.6 ms
 * of every `status`). The CLI bundle has it in a file of its own beside it (dist/cli/fzstd.js,
 * src/build/build-cli.mjs); the library takes the package.
 */
let zstd: typeof import('fzstd').decompress | undefined;
function zstdDecompress(payload: Uint8Array): Uint8Array {
  if (zstd === undefined) {
    const load = createRequire(import.meta.url);
    let mod: typeof import('fzstd');
    try {
      mod = load('./fzstd.js') as typeof import('fzstd');
    } catch {
      mod = load('fzstd') as typeof import('fzstd');
    }
    zstd = mod.decompress;
  }
  return zstd(payload);
}

/** Something in the files that this reader does not handle: the caller runs journalctl instead. */
export class UnsupportedJournalError extends Error {
  override name = 'UnsupportedJournalError';
}

export const OBJECT_COMPRESSED_XZ = 1;
export const OBJECT_COMPRESSED_LZ4 = 2;
export const OBJECT_COMPRESSED_ZSTD = 4;

/** Largest payload we decompress (journald's own limit for a field is far below: DATA_SIZE_MAX 768 MiB in theory, 64 KiB lines in practice). */
const MAX_PAYLOAD = 256 * 1024 * 1024;

/** Decode one LZ4 block into `dst` (its size known); throws on any inconsistency. */
export function lz4Block(src: Uint8Array, dst: Uint8Array): void {
  let s = 0;
  let d = 0;
  const bad = (): never => {
    throw new UnsupportedJournalError('corrupt LZ4 payload');
  };
  // a length of 15 goes on in the next bytes, each added, until one is not 255
  const longer = (n: number): number => {
    if (n !== 15) return n;
    let b: number;
    do {
      if (s >= src.length) bad();
      b = src[s++]!;
      n += b;
    } while (b === 255);
    return n;
  };
  while (s < src.length) {
    const token = src[s++]!;
    const lit = longer(token >>> 4);
    if (s + lit > src.length || d + lit > dst.length) bad();
    dst.set(src.subarray(s, s + lit), d);
    s += lit;
    d += lit;
    if (s >= src.length) break; // the last sequence has literals only
    if (s + 2 > src.length) bad();
    const off = src[s]! | (src[s + 1]! << 8);
    s += 2;
    const len = longer(token & 15) + 4;
    if (off === 0 || off > d || d + len > dst.length) bad();
    if (off >= len) {
      dst.copyWithin(d, d - off, d - off + len);
      d += len;
    } else {
      for (let i = 0; i < len; i++, d++) dst[d] = dst[d - off]!;
    }
  }
  if (d !== dst.length) bad();
}

/** The payload of a data object whose flags say it is compressed. */
export function decompressPayload(flags: number, payload: Uint8Array): Buffer {
  if (flags & OBJECT_COMPRESSED_LZ4) {
    if (payload.length <= 8) throw new UnsupportedJournalError('corrupt LZ4 payload');
    const size = Number(new DataView(payload.buffer, payload.byteOffset, 8).getBigUint64(0, true));
    if (size > MAX_PAYLOAD) throw new UnsupportedJournalError('LZ4 payload too large');
    const out = Buffer.allocUnsafe(size);
    lz4Block(payload.subarray(8), out);
    return out;
  }
  if (flags & OBJECT_COMPRESSED_ZSTD) {
    try {
      const out = zstdDecompress(payload);
      return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    } catch (cause) {
      throw new UnsupportedJournalError(`corrupt zstd payload: ${cause instanceof Error ? cause.message : String(cause)}`);
    }
  }
  throw new UnsupportedJournalError('XZ-compressed journal payload');
}
