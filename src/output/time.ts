/**
 * systemd's time and size formatting (v252 src/basic/time-util.c, src/basic/format-util.c), so
 * that what we print reads exactly as systemctl's:
 *
 * - `formatTimestamp`: `Sun 2026-11-22 03:14:48 UTC` (local zone; `us` and `utc` variants, `unix`)
 * - `formatTimestampRelative`: `3min 2s ago`, `5 days left`, `now`
 * - `formatTimespan`: `1min 30s`, `100ms`, `1.500000s`, `infinity`, with an accuracy
 * - `formatBytes`: `1.2M`, `512B`
 *
 * Values are µs (timestamps since the epoch, spans) or bytes, as numbers or BigInt (D-Bus `t`).
 * "Unset" is 0 or UINT64_MAX for timestamps (the functions return `null` there, as systemd's
 * return NULL and the caller prints its own text), UINT64_MAX is `infinity` for spans.
 */
import { readFileSync } from 'node:fs';

export const USEC_INFINITY = 0xffff_ffff_ffff_ffffn;

export const USEC_PER_MSEC = 1000n;
export const USEC_PER_SEC = 1_000_000n;
export const USEC_PER_MINUTE = 60n * USEC_PER_SEC;
export const USEC_PER_HOUR = 60n * USEC_PER_MINUTE;
export const USEC_PER_DAY = 24n * USEC_PER_HOUR;
export const USEC_PER_WEEK = 7n * USEC_PER_DAY;
/** 30.44 days. */
export const USEC_PER_MONTH = 2_629_800n * USEC_PER_SEC;
/** 365.25 days. */
export const USEC_PER_YEAR = 31_557_600n * USEC_PER_SEC;

/** A µs count (or a byte count) as BigInt; `null`/`undefined` → UINT64_MAX (systemd's unset). */
export function toMicros(v: number | bigint | null | undefined): bigint {
  if (v === null || v === undefined) return USEC_INFINITY;
  if (typeof v === 'bigint') return v;
  if (!Number.isFinite(v)) return USEC_INFINITY;
  return BigInt(Math.trunc(v));
}

/** The current time in µs since the epoch (CLOCK_REALTIME). */
export function nowMicros(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
}

/**
 * systemd's `dual_timestamp_get`: CLOCK_REALTIME and CLOCK_MONOTONIC (µs) read at one instant.
 * Converting a monotonic deadline to wall time needs both from the same moment: a realtime read
 * earlier than the monotonic one moves the result back by the gap (a second boundary then flips).
 */
export function dualNow(): { realtime: bigint; monotonic: bigint } {
  const mono = process.hrtime.bigint();
  const p = performance.now();
  return { realtime: BigInt(Math.round((performance.timeOrigin + p) * 1000)), monotonic: mono / 1000n };
}

/** systemctl's `calc_next_elapse`: the monotonic next elapse in realtime, the earlier of both. */
export function calcNextElapse(now: { realtime: bigint; monotonic: bigint }, next: { realtime: bigint; monotonic: bigint }): bigint {
  if (timestampIsSet(next.monotonic)) {
    const converted = next.monotonic > now.monotonic ? now.realtime + (next.monotonic - now.monotonic) : now.realtime - (now.monotonic - next.monotonic);
    return timestampIsSet(next.realtime) ? (converted < next.realtime ? converted : next.realtime) : converted;
  }
  return next.realtime;
}

/** systemd's `timestamp_is_set`: neither 0 nor infinity. */
export function timestampIsSet(t: number | bigint | null | undefined): boolean {
  const v = toMicros(t);
  return v > 0n && v !== USEC_INFINITY;
}

export type TimestampStyle = 'pretty' | 'us' | 'utc' | 'us+utc' | 'unix';

/** systemd's `timestamp_style_table`, in its order (what `--timestamp=help` prints). */
export const TIMESTAMP_STYLES: readonly TimestampStyle[] = ['pretty', 'us', 'utc', 'us+utc', 'unix'];

/**
 * systemd's `timestamp_style_from_string`: a name of the table, or `µs`/`µs+utc` spelt with the
 * micro sign (U+00B5) or the Greek mu (U+03BC) for `us`/`us+utc`. `undefined` when unknown.
 */
export function parseTimestampStyle(s: string): TimestampStyle | undefined {
  if ((TIMESTAMP_STYLES as readonly string[]).includes(s)) return s as TimestampStyle;
  if (s === '\u00b5s' || s === '\u03bcs') return 'us';
  if (s === '\u00b5s+utc' || s === '\u03bcs+utc') return 'us+utc';
  return undefined;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Largest timestamp systemd formats (year 9999 on 64-bit, USEC_TIMESTAMP_FORMATTABLE_MAX). */
const USEC_TIMESTAMP_FORMATTABLE_MAX = 253_402_214_400n * USEC_PER_SEC - 1n;

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/**
 * systemd's `format_timestamp_style`: `Sun 2026-11-22 03:14:48 UTC`. `null` when the timestamp is
 * not set (0 or infinity), as systemd returns NULL. The zone abbreviation is the local zone's
 * (`$TZ`, else /etc/localtime), as strftime's `%Z`.
 */
export function formatTimestamp(t: number | bigint | null | undefined, style: TimestampStyle = 'pretty'): string | null {
  const v = toMicros(t);
  if (v <= 0n || v === USEC_INFINITY) return null;
  if (style === 'unix') return `@${v / USEC_PER_SEC}`;
  if (v > USEC_TIMESTAMP_FORMATTABLE_MAX) return null;
  const utc = style === 'utc' || style === 'us+utc';
  const us = style === 'us' || style === 'us+utc';
  const secs = v / USEC_PER_SEC;
  const ms = Number(secs) * 1000;
  const d = new Date(ms);
  let out: string;
  if (utc) {
    out = `${WEEKDAYS[d.getUTCDay()]} ${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  } else {
    out = `${WEEKDAYS[d.getDay()]} ${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }
  if (us) out += `.${String(v % USEC_PER_SEC).padStart(6, '0')}`;
  if (utc) return `${out} UTC`;
  const zone = zoneAbbreviation(Number(secs), -d.getTimezoneOffset() * 60);
  return zone ? `${out} ${zone}` : out;
}

/**
 * systemd's `format_timestamp_relative`: `3min 2s ago`, `1 day 2h left`, `now`; `null` when not
 * set. `now` in µs (defaults to the clock).
 */
export function formatTimestampRelative(t: number | bigint | null | undefined, now: number | bigint = nowMicros()): string | null {
  const v = toMicros(t);
  if (v <= 0n || v === USEC_INFINITY) return null;
  const n = toMicros(now);
  let d: bigint;
  let s: string;
  if (n > v) {
    d = n - v;
    s = 'ago';
  } else {
    d = v - n;
    s = 'left';
  }
  const plural = (k: bigint, one: string, many: string): string => `${k} ${k === 1n ? one : many}`;
  if (d >= USEC_PER_YEAR) {
    return `${plural(d / USEC_PER_YEAR, 'year', 'years')} ${plural((d % USEC_PER_YEAR) / USEC_PER_MONTH, 'month', 'months')} ${s}`;
  }
  if (d >= USEC_PER_MONTH) {
    return `${plural(d / USEC_PER_MONTH, 'month', 'months')} ${plural((d % USEC_PER_MONTH) / USEC_PER_DAY, 'day', 'days')} ${s}`;
  }
  if (d >= USEC_PER_WEEK) {
    return `${plural(d / USEC_PER_WEEK, 'week', 'weeks')} ${plural((d % USEC_PER_WEEK) / USEC_PER_DAY, 'day', 'days')} ${s}`;
  }
  if (d >= 2n * USEC_PER_DAY) return `${d / USEC_PER_DAY} days ${s}`;
  if (d >= 25n * USEC_PER_HOUR) return `1 day ${(d - USEC_PER_DAY) / USEC_PER_HOUR}h ${s}`;
  if (d >= 6n * USEC_PER_HOUR) return `${d / USEC_PER_HOUR}h ${s}`;
  if (d >= USEC_PER_HOUR) return `${d / USEC_PER_HOUR}h ${(d % USEC_PER_HOUR) / USEC_PER_MINUTE}min ${s}`;
  if (d >= 5n * USEC_PER_MINUTE) return `${d / USEC_PER_MINUTE}min ${s}`;
  if (d >= USEC_PER_MINUTE) return `${d / USEC_PER_MINUTE}min ${(d % USEC_PER_MINUTE) / USEC_PER_SEC}s ${s}`;
  if (d >= USEC_PER_SEC) return `${d / USEC_PER_SEC}s ${s}`;
  if (d >= USEC_PER_MSEC) return `${d / USEC_PER_MSEC}ms ${s}`;
  if (d > 0n) return `${d}us ${s}`;
  return 'now';
}

const TIMESPAN_TABLE: [string, bigint][] = [
  ['y', USEC_PER_YEAR],
  ['month', USEC_PER_MONTH],
  ['w', USEC_PER_WEEK],
  ['d', USEC_PER_DAY],
  ['h', USEC_PER_HOUR],
  ['min', USEC_PER_MINUTE],
  ['s', USEC_PER_SEC],
  ['ms', USEC_PER_MSEC],
  ['us', 1n],
];

/**
 * systemd's `format_timespan(t, accuracy)`: `1min 30s`, `100ms`, `1.500s` (accuracy 1ms),
 * `1.500000s` (accuracy 0 or 1µs), `infinity` (UINT64_MAX or null), `0`.
 */
export function formatTimespan(span: number | bigint | null | undefined, accuracy: number | bigint = 1): string {
  let t = toMicros(span);
  const acc = toMicros(accuracy);
  if (t === USEC_INFINITY) return 'infinity';
  if (t <= 0n) return '0';
  let out = '';
  let something = false;
  for (const [suffix, unit] of TIMESPAN_TABLE) {
    if (t <= 0n) break;
    if (t < acc && something) break;
    if (t < unit) continue;
    const a = t / unit;
    let b = t % unit;
    let done = false;
    if (t < USEC_PER_MINUTE && b > 0n) {
      let j = 0;
      for (let cc = unit; cc > 1n; cc /= 10n) j++;
      for (let cc = acc; cc > 1n; cc /= 10n) {
        b /= 10n;
        j--;
      }
      if (j > 0) {
        out += `${out ? ' ' : ''}${a}.${String(b).padStart(j, '0')}${suffix}`;
        t = 0n;
        done = true;
      }
    }
    if (!done) {
      out += `${out ? ' ' : ''}${a}${suffix}`;
      t = b;
    }
    something = true;
  }
  return out;
}

const KIB = 1024n;
const BYTE_TABLE: [string, bigint][] = [
  ['E', KIB ** 6n],
  ['P', KIB ** 5n],
  ['T', KIB ** 4n],
  ['G', KIB ** 3n],
  ['M', KIB ** 2n],
  ['K', KIB],
];
const BYTE_TABLE_SI: [string, bigint][] = [
  ['E', 1000n ** 6n],
  ['P', 1000n ** 5n],
  ['T', 1000n ** 4n],
  ['G', 1000n ** 3n],
  ['M', 1000n ** 2n],
  ['K', 1000n],
];

export interface FormatBytesFlags {
  /** 1024-based (the default) or 1000-based. */
  iec?: boolean;
  /** One decimal below the point (the default). */
  belowPoint?: boolean;
  /** `B` after a plain byte count (the default). */
  trailingB?: boolean;
}

/**
 * systemd's `format_bytes_full` (`format_bytes` with the default flags: IEC, one decimal,
 * trailing B): `1.2M`, `512B`, `4.0K`. `null` for UINT64_MAX (unset), as systemd's NULL.
 */
export function formatBytes(bytes: number | bigint | null | undefined, flags: FormatBytesFlags = {}): string | null {
  const t = toMicros(bytes);
  if (t === USEC_INFINITY) return null;
  const table = flags.iec === false ? BYTE_TABLE_SI : BYTE_TABLE;
  const belowPoint = flags.belowPoint !== false;
  const n = table.length;
  for (let i = 0; i < n; i++) {
    const [suffix, factor] = table[i]!;
    if (t >= factor) {
      if (belowPoint) {
        const frac = i !== n - 1 ? ((t / table[i + 1]![1]) * 10n / table[n - 1]![1]) % 10n : ((t * 10n) / factor) % 10n;
        return `${t / factor}.${frac}${suffix}`;
      }
      return `${t / factor}${suffix}`;
    }
  }
  return `${t}${flags.trailingB === false ? '' : 'B'}`;
}

// ── the zone abbreviation (strftime's %Z) ─────────────────────────────────────────────────

interface ZoneInfo {
  transitions: number[];
  /** Index into `types` for each transition. */
  idx: number[];
  types: { utoff: number; isdst: boolean; abbr: string }[];
  /** The POSIX TZ string of the footer (v2+), for times after the last transition. */
  footer: string;
}

let zoneCache: { key: string; info: ZoneInfo | null } | undefined;

/** Parse a TZif file (RFC 8536): transitions, local time types and their abbreviations. */
export function parseTzif(buf: Buffer): ZoneInfo | null {
  if (buf.length < 44 || buf.toString('latin1', 0, 4) !== 'TZif') return null;
  const version = buf[4]!;
  const counts = (off: number) => ({
    isut: buf.readUInt32BE(off + 20),
    isstd: buf.readUInt32BE(off + 24),
    leap: buf.readUInt32BE(off + 28),
    time: buf.readUInt32BE(off + 32),
    type: buf.readUInt32BE(off + 36),
    char: buf.readUInt32BE(off + 40),
  });
  let off = 0;
  let c = counts(0);
  let timeSize = 4;
  if (version >= 0x32) {
    // skip the v1 block: the 64-bit one follows
    off = 44 + c.time * 4 + c.time + c.type * 6 + c.char + c.leap * 8 + c.isstd + c.isut;
    if (buf.length < off + 44) return null;
    c = counts(off);
    timeSize = 8;
  }
  let p = off + 44;
  const transitions: number[] = [];
  for (let i = 0; i < c.time; i++, p += timeSize) {
    transitions.push(timeSize === 8 ? Number(buf.readBigInt64BE(p)) : buf.readInt32BE(p));
  }
  const idx: number[] = [];
  for (let i = 0; i < c.time; i++, p++) idx.push(buf[p]!);
  const raw: { utoff: number; isdst: boolean; ai: number }[] = [];
  for (let i = 0; i < c.type; i++, p += 6) raw.push({ utoff: buf.readInt32BE(p), isdst: buf[p + 4] === 1, ai: buf[p + 5]! });
  const chars = buf.subarray(p, p + c.char);
  p += c.char + c.leap * (timeSize + 4) + c.isstd + c.isut;
  const types = raw.map((r) => {
    const end = chars.indexOf(0, r.ai);
    return { utoff: r.utoff, isdst: r.isdst, abbr: chars.toString('latin1', r.ai, end < 0 ? undefined : end) };
  });
  let footer = '';
  if (timeSize === 8 && buf[p] === 0x0a) {
    const end = buf.indexOf(0x0a, p + 1);
    if (end > p) footer = buf.toString('latin1', p + 1, end);
  }
  return { transitions, idx, types, footer };
}

function loadZone(): ZoneInfo | null {
  const tz = process.env.TZ;
  const key = tz ?? '';
  if (zoneCache && zoneCache.key === key) return zoneCache.info;
  let file: string;
  if (tz === undefined) file = '/etc/localtime';
  else {
    const name = tz.startsWith(':') ? tz.slice(1) : tz;
    file = name.startsWith('/') ? name : `/usr/share/zoneinfo/${name === '' ? 'UTC' : name}`;
  }
  let info: ZoneInfo | null = null;
  try {
    info = parseTzif(readFileSync(file));
  } catch {
    info = null;
  }
  zoneCache = { key, info };
  return info;
}

/**
 * A POSIX TZ string (`CET-1CEST,M3.5.0,M10.5.0/3`, `<+03>-3`, `UTC0`): the standard and daylight
 * abbreviations and the standard offset east of UTC in seconds.
 */
export function parsePosixTz(s: string): { std: string; dst: string | null; stdOffset: number } | null {
  const m = /^(?:<([^>]*)>|([A-Za-z]{3,}))([+-]?\d{1,2}(?::\d{1,2}(?::\d{1,2})?)?)(?:<([^>]*)>|([A-Za-z]{3,}))?/.exec(s);
  if (!m) return null;
  const [h = '0', mi = '0', se = '0'] = m[3]!.replace(/^[+-]/, '').split(':');
  const west = (Number(h) * 3600 + Number(mi) * 60 + Number(se)) * (m[3]!.startsWith('-') ? -1 : 1);
  return { std: m[1] ?? m[2]!, dst: m[4] ?? m[5] ?? null, stdOffset: -west };
}

/** The abbreviation of the local zone at `secs` (with the UTC offset Node computed). */
export function zoneAbbreviation(secs: number, utoff: number): string {
  const info = loadZone();
  if (info) {
    const { transitions, idx, types } = info;
    if (info.footer && (transitions.length === 0 || secs >= transitions[transitions.length - 1]!)) {
      const f = parsePosixTz(info.footer);
      if (f) return f.dst !== null && utoff !== f.stdOffset ? f.dst : f.std;
    }
    // the transition in force at `secs`
    let lo = 0;
    let hi = transitions.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (transitions[mid]! <= secs) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found >= 0) {
      const t = types[idx[found]!];
      if (t && t.utoff === utoff) return t.abbr;
    }
    const any = types.filter((t) => t.utoff === utoff);
    if (any.length > 0) return any[any.length - 1]!.abbr;
    if (types.length === 1) return types[0]!.abbr;
  }
  const tz = process.env.TZ;
  if (tz && !tz.includes('/')) {
    const f = parsePosixTz(tz.replace(/^:/, ''));
    if (f) return f.dst !== null && utoff !== f.stdOffset ? f.dst : f.std;
  }
  if (utoff === 0) return 'UTC';
  return '';
}
