/**
 * The hash of journald's data hash tables for files with the keyed-hash flag (systemd ≥ 246, the
 * default): SipHash-2-4 of the payload keyed with the file's id (systemd's
 * `journal_file_hash_data`). Files without that flag use Jenkins' lookup3 (`jenkinsHash64`).
 */

const MASK = (1n << 64n) - 1n;

const rotl = (x: bigint, b: bigint): bigint => ((x << b) | (x >> (64n - b))) & MASK;

/** SipHash-2-4 of `data` with a 16-byte key, as systemd's `siphash24()` returns it. */
export function siphash24(data: Uint8Array, key: Uint8Array): bigint {
  const kv = new DataView(key.buffer, key.byteOffset, 16);
  const k0 = kv.getBigUint64(0, true);
  const k1 = kv.getBigUint64(8, true);
  let v0 = k0 ^ 0x736f6d6570736575n;
  let v1 = k1 ^ 0x646f72616e646f6dn;
  let v2 = k0 ^ 0x6c7967656e657261n;
  let v3 = k1 ^ 0x7465646279746573n;
  const round = (): void => {
    v0 = (v0 + v1) & MASK;
    v1 = rotl(v1, 13n) ^ v0;
    v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & MASK;
    v3 = rotl(v3, 16n) ^ v2;
    v0 = (v0 + v3) & MASK;
    v3 = rotl(v3, 21n) ^ v0;
    v2 = (v2 + v1) & MASK;
    v1 = rotl(v1, 17n) ^ v2;
    v2 = rotl(v2, 32n);
  };
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const full = data.length - (data.length % 8);
  for (let i = 0; i < full; i += 8) {
    const m = dv.getBigUint64(i, true);
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  let b = BigInt(data.length & 0xff) << 56n;
  for (let i = data.length - 1; i >= full; i--) b |= BigInt(data[i]!) << BigInt(8 * (i - full));
  v3 ^= b;
  round();
  round();
  v0 ^= b;
  v2 ^= 0xffn;
  round();
  round();
  round();
  round();
  return v0 ^ v1 ^ v2 ^ v3;
}

/**
 * Bob Jenkins' lookup3 `hashlittle2` with both seeds 0, as systemd's `jenkins_hash64()`:
 * `(c << 32) | b`.
 */
export function jenkinsHash64(k: Uint8Array): bigint {
  let a = (0xdeadbeef + k.length) >>> 0;
  let b = a;
  let c = a;
  const rot = (x: number, n: number): number => ((x << n) | (x >>> (32 - n))) >>> 0;
  const u32 = (i: number): number => (k[i]! | (k[i + 1]! << 8) | (k[i + 2]! << 16) | (k[i + 3]! << 24)) >>> 0;
  let len = k.length;
  let i = 0;
  while (len > 12) {
    a = (a + u32(i)) >>> 0;
    b = (b + u32(i + 4)) >>> 0;
    c = (c + u32(i + 8)) >>> 0;
    // mix(a, b, c)
    a = (a - c) >>> 0; a = (a ^ rot(c, 4)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rot(a, 6)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rot(b, 8)) >>> 0; b = (b + a) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rot(c, 16)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rot(a, 19)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rot(b, 4)) >>> 0; b = (b + a) >>> 0;
    len -= 12;
    i += 12;
  }
  if (len === 0) return (BigInt(c) << 32n) | BigInt(b);
  // the last 1–12 bytes, zero-padded (the byte-wise variant of the tail switch)
  const t = new Uint8Array(12);
  t.set(k.subarray(i, i + len));
  const w = (j: number): number => (t[j]! | (t[j + 1]! << 8) | (t[j + 2]! << 16) | (t[j + 3]! << 24)) >>> 0;
  a = (a + w(0)) >>> 0;
  b = (b + w(4)) >>> 0;
  c = (c + w(8)) >>> 0;
  // final(a, b, c)
  c = (c ^ b) >>> 0; c = (c - rot(b, 14)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 11)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 25)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 16)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 4)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 14)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 24)) >>> 0;
  return (BigInt(c) << 32n) | BigInt(b);
}
