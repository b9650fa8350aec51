/**
 * D-Bus values as plain JSON-safe JavaScript: 64-bit integers arrive from a `raw` decode as BigInt
 * (which `JSON.stringify` cannot handle); systemd uses UINT64_MAX (and INT64_MAX for a few
 * properties) to mean "unset"/"infinity", which becomes `null`.
 */

const UINT64_MAX = 0xffff_ffff_ffff_ffffn;
const INT64_MAX = 0x7fff_ffff_ffff_ffffn;

/** A BigInt as a number; `null` for systemd's "unset"/"infinity" markers. */
export function fromBigInt(v: bigint): number | null {
  if (v === UINT64_MAX || v === INT64_MAX) return null;
  return Number(v);
}

/**
 * Recursively turn a decoded D-Bus value into plain data: BigInt → number or null, a variant
 * (recognised by `isVariant`, supplied by the bus adapter) → its value, Buffer (`ay`) kept.
 */
export function normalize(v: unknown, isVariant: (o: object) => o is { value: unknown }): unknown {
  if (typeof v === 'bigint') return fromBigInt(v);
  if (v === null || typeof v !== 'object') return v;
  if (Buffer.isBuffer(v)) return v;
  if (Array.isArray(v)) return v.map((x) => normalize(x, isVariant));
  if (isVariant(v)) return normalize(v.value, isVariant);
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) out[k] = normalize(val, isVariant);
  return out;
}

const TRUE_WORDS = new Set(['1', 'yes', 'y', 'true', 't', 'on']);
const FALSE_WORDS = new Set(['0', 'no', 'n', 'false', 'f', 'off']);

/** systemd's parse_boolean (case-insensitive); `undefined` when it is neither. */
export function parseBoolean(s: string): boolean | undefined {
  const v = s.toLowerCase();
  if (TRUE_WORDS.has(v)) return true;
  if (FALSE_WORDS.has(v)) return false;
  return undefined;
}
