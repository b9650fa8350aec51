/**
 * Signal names and numbers as systemd parses and prints them (`signal_from_string`,
 * `signal_to_string` of systemd 252, Linux/glibc numbering), and C's integer parsing as systemd
 * uses it (`safe_atoi`, `safe_atou32`: `strtol`/`strtoul` with base 0 plus the `0b`/`0o`
 * prefixes). Used by `kill -s` and `cancel JOB…`, and reachable from the library.
 */
import { InvalidArgumentError } from './errors.js';

/** glibc's SIGRTMIN and SIGRTMAX on Linux (32 and 33 are taken by the threading library). */
export const SIGRTMIN = 34;
export const SIGRTMAX = 64;
/** One more than the highest signal number (`_NSIG`). */
export const NSIG = 65;

/** systemd's static signal table: number → name without `SIG`. */
const SIGNAL_NAMES: Record<number, string> = {
  1: 'HUP',
  2: 'INT',
  3: 'QUIT',
  4: 'ILL',
  5: 'TRAP',
  6: 'ABRT',
  7: 'BUS',
  8: 'FPE',
  9: 'KILL',
  10: 'USR1',
  11: 'SEGV',
  12: 'USR2',
  13: 'PIPE',
  14: 'ALRM',
  15: 'TERM',
  16: 'STKFLT',
  17: 'CHLD',
  18: 'CONT',
  19: 'STOP',
  20: 'TSTP',
  21: 'TTIN',
  22: 'TTOU',
  23: 'URG',
  24: 'XCPU',
  25: 'XFSZ',
  26: 'VTALRM',
  27: 'PROF',
  28: 'WINCH',
  29: 'IO',
  30: 'PWR',
  31: 'SYS',
};
const SIGNAL_NUMBERS = new Map(Object.entries(SIGNAL_NAMES).map(([n, name]) => [name, Number(n)]));

/** What a C integer parse failed with: `EINVAL` (not a number) or `ERANGE` (out of range). */
export type ParseErrno = 'EINVAL' | 'ERANGE';
export type IntParse = { ok: true; value: number } | { ok: false; errno: ParseErrno };

/** strerror() of the two errnos, as systemd's `%m` prints them. */
export const STRERROR: Record<ParseErrno, string> = {
  EINVAL: 'Invalid argument',
  ERANGE: 'Numerical result out of range',
};

const C_SPACE = ' \t\n\v\f\r';
/** systemd's WHITESPACE, skipped before parsing. */
const SD_WHITESPACE = ' \t\n\r';

function digitValue(c: string): number {
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 122) return code - 87;
  if (code >= 65 && code <= 90) return code - 55;
  return 99;
}

/**
 * glibc's `strtol`/`strtoul` core: optional blanks and sign, a `0x` prefix (base 0 or 16), `0`
 * meaning octal (base 0), then digits. Returns the magnitude, the sign and what is left; `digits`
 * is false when nothing was converted (C sets the end pointer back to the start).
 */
function cStrto(s: string, base: number): { magnitude: bigint; negative: boolean; rest: string; digits: boolean } {
  let i = 0;
  while (i < s.length && C_SPACE.includes(s[i]!)) i++;
  let negative = false;
  if (s[i] === '+' || s[i] === '-') {
    negative = s[i] === '-';
    i++;
  }
  if ((base === 0 || base === 16) && s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && i + 2 < s.length && digitValue(s[i + 2]!) < 16) {
    base = 16;
    i += 2;
  } else if (base === 0) {
    base = s[i] === '0' ? 8 : 10;
  }
  const start = i;
  let magnitude = 0n;
  while (i < s.length && digitValue(s[i]!) < base) {
    magnitude = magnitude * BigInt(base) + BigInt(digitValue(s[i]!));
    i++;
  }
  if (i === start) return { magnitude: 0n, negative: false, rest: s, digits: false };
  return { magnitude, negative, rest: s.slice(i), digits: true };
}

/** systemd's `mangle_base`: Python-style `0b`/`0o` prefixes pick the base; else base 0 (C's). */
function mangleBase(s: string): { s: string; base: number } {
  if (/^0[bB]/.test(s)) return { s: s.slice(2), base: 2 };
  if (/^0[oO]/.test(s)) return { s: s.slice(2), base: 8 };
  return { s, base: 0 };
}

function skipWhitespace(s: string): string {
  let i = 0;
  while (i < s.length && SD_WHITESPACE.includes(s[i]!)) i++;
  return s.slice(i);
}

const ULONG_MAX = (1n << 64n) - 1n;
const LONG_MAX = (1n << 63n) - 1n;

/** systemd's `safe_atou32`: `12`, ` 12`, `+12`, `0x10`, `010` (octal), `0b11`, `0o7`; `-1` → ERANGE. */
export function safeAtou32(input: string): IntParse {
  const { s, base } = mangleBase(skipWhitespace(input));
  const r = cStrto(s, base);
  if (r.digits && r.magnitude > ULONG_MAX) return { ok: false, errno: 'ERANGE' }; // strtoul's own ERANGE
  if (!r.digits || r.rest !== '') return { ok: false, errno: 'EINVAL' };
  if (r.magnitude !== 0n && s[0] === '-') return { ok: false, errno: 'ERANGE' };
  const value = r.negative ? (ULONG_MAX + 1n - r.magnitude) & ULONG_MAX : r.magnitude;
  if (value > 0xffffffffn) return { ok: false, errno: 'ERANGE' };
  return { ok: true, value: Number(value) };
}

/** systemd's `safe_atou64`: as `safe_atou32`, within 64 bits; the value as a BigInt. */
export function safeAtou64(input: string): { ok: true; value: bigint } | { ok: false; errno: ParseErrno } {
  const { s, base } = mangleBase(skipWhitespace(input));
  const r = cStrto(s, base);
  if (r.digits && r.magnitude > ULONG_MAX) return { ok: false, errno: 'ERANGE' };
  if (!r.digits || r.rest !== '') return { ok: false, errno: 'EINVAL' };
  if (r.magnitude !== 0n && s[0] === '-') return { ok: false, errno: 'ERANGE' };
  return { ok: true, value: r.negative ? (ULONG_MAX + 1n - r.magnitude) & ULONG_MAX : r.magnitude };
}

/** systemd's `safe_atoi`: like `safe_atou32`, signed, within a C `int`. */
export function safeAtoi(input: string): IntParse {
  const { s, base } = mangleBase(skipWhitespace(input));
  const r = cStrto(s, base);
  if (r.digits && (r.negative ? r.magnitude > LONG_MAX + 1n : r.magnitude > LONG_MAX)) return { ok: false, errno: 'ERANGE' };
  if (!r.digits || r.rest !== '') return { ok: false, errno: 'EINVAL' };
  const value = r.negative ? -r.magnitude : r.magnitude;
  if (value > 0x7fffffffn || value < -0x80000000n) return { ok: false, errno: 'ERANGE' };
  return { ok: true, value: Number(value) };
}

/**
 * systemd's `signal_from_string`: a number 1…64 (`9`, `0x9`), a name with or without `SIG`
 * (`HUP`, `SIGHUP`; upper case only, as systemd), `RTMIN`, `RTMIN+n`, `RTMAX`, `RTMAX-n`.
 * Returns the number, or the errno systemd would return.
 */
export function parseSignal(input: string): IntParse {
  const n = safeAtoi(input);
  if (n.ok) return n.value > 0 && n.value < NSIG ? n : { ok: false, errno: 'ERANGE' };
  const s = input.startsWith('SIG') ? input.slice(3) : input;
  const named = SIGNAL_NUMBERS.get(s);
  if (named !== undefined) return { ok: true, value: named };
  if (s.startsWith('RTMIN')) {
    const p = s.slice(5);
    if (p === '') return { ok: true, value: SIGRTMIN };
    if (p[0] !== '+') return { ok: false, errno: 'EINVAL' };
    const k = safeAtoi(p);
    if (!k.ok) return k;
    if (k.value < 0 || k.value > SIGRTMAX - SIGRTMIN) return { ok: false, errno: 'ERANGE' };
    return { ok: true, value: SIGRTMIN + k.value };
  }
  if (s.startsWith('RTMAX')) {
    const p = s.slice(5);
    if (p === '') return { ok: true, value: SIGRTMAX };
    if (p[0] !== '-') return { ok: false, errno: 'EINVAL' };
    const k = safeAtoi(p);
    if (!k.ok) return k;
    if (k.value > 0 || k.value < SIGRTMIN - SIGRTMAX) return { ok: false, errno: 'ERANGE' };
    return { ok: true, value: SIGRTMAX + k.value };
  }
  return { ok: false, errno: 'EINVAL' };
}

/**
 * `kill -s SIGNAL` as systemctl takes it: the signal number, or `InvalidArgumentError` with
 * systemctl's words (`Failed to parse signal string "FOO".`).
 */
export function signalFromString(input: string): number {
  const r = parseSignal(input);
  if (!r.ok) {
    throw new InvalidArgumentError(`Failed to parse signal string "${input}".`, { verbatim: true });
  }
  return r.value;
}

/** systemd's `signal_to_string`: `HUP`, `RTMIN+3`, or the number (`32`). */
export function signalToString(signo: number): string {
  const name = SIGNAL_NAMES[signo];
  if (name) return name;
  if (signo >= SIGRTMIN && signo <= SIGRTMAX) return `RTMIN+${signo - SIGRTMIN}`;
  return String(signo);
}

/** The conventional name with `SIG` (`SIGHUP`, `SIGRTMIN+3`), or the number for 32/33. */
export function signalName(signo: number): string {
  const s = signalToString(signo);
  return /^\d+$/.test(s) ? s : `SIG${s}`;
}

/** What `systemctl kill -s help` prints: `signal_to_string` of 0 … 64, one a line. */
export function signalHelp(): string {
  const lines: string[] = [];
  for (let i = 0; i < NSIG; i++) lines.push(signalToString(i));
  return `${lines.join('\n')}\n`;
}

/** UINT64_MAX: systemd's "infinity" (CGROUP_LIMIT_MAX, USEC_INFINITY, CGROUP_WEIGHT_INVALID). */
export const UINT64_MAX = 0xffff_ffff_ffff_ffffn;

const USEC_PER_SEC = 1_000_000;
/** parse_time's multipliers, in systemd's matching order. */
const TIME_UNITS: [string, number][] = [
  ['seconds', USEC_PER_SEC], ['second', USEC_PER_SEC], ['sec', USEC_PER_SEC], ['s', USEC_PER_SEC],
  ['minutes', 60 * USEC_PER_SEC], ['minute', 60 * USEC_PER_SEC], ['min', 60 * USEC_PER_SEC],
  ['months', 2_629_800 * USEC_PER_SEC], ['month', 2_629_800 * USEC_PER_SEC], ['M', 2_629_800 * USEC_PER_SEC],
  ['msec', 1000], ['ms', 1000], ['m', 60 * USEC_PER_SEC],
  ['hours', 3600 * USEC_PER_SEC], ['hour', 3600 * USEC_PER_SEC], ['hr', 3600 * USEC_PER_SEC], ['h', 3600 * USEC_PER_SEC],
  ['days', 86_400 * USEC_PER_SEC], ['day', 86_400 * USEC_PER_SEC], ['d', 86_400 * USEC_PER_SEC],
  ['weeks', 604_800 * USEC_PER_SEC], ['week', 604_800 * USEC_PER_SEC], ['w', 604_800 * USEC_PER_SEC],
  ['years', 31_557_600 * USEC_PER_SEC], ['year', 31_557_600 * USEC_PER_SEC], ['y', 31_557_600 * USEC_PER_SEC],
  ['usec', 1], ['us', 1], ['μs', 1], ['µs', 1],
];

/** `parse_sec`: a time span (`5s`, `1min 30s`, `500ms`, `2` = seconds, `infinity`) in µs. */
export function parseSec(t: string): { ok: true; value: bigint } | { ok: false; errno: ParseErrno } {
  if (/^[ \t\n\r]*infinity[ \t\n\r]*$/.test(t)) return { ok: true, value: UINT64_MAX };
  let p = t;
  let total = 0n;
  let something = false;
  for (;;) {
    p = p.replace(/^[ \t\n\r]+/, '');
    if (p === '') {
      if (!something) return { ok: false, errno: 'EINVAL' };
      break;
    }
    if (p.startsWith('-')) return { ok: false, errno: 'ERANGE' };
    const m = /^\+?(\d*)(?:\.(\d+))?/.exec(p);
    if (!m || (m[1] === '' && m[2] === undefined)) return { ok: false, errno: 'EINVAL' };
    p = p.slice(m[0].length).replace(/^[ \t\n\r]+/, '');
    const unit = TIME_UNITS.find(([s]) => p.startsWith(s));
    const mult = unit ? unit[1] : USEC_PER_SEC;
    if (unit) p = p.slice(unit[0].length);
    const whole = BigInt(m[1] || '0') * BigInt(mult);
    const frac = m[2] ? BigInt(Math.floor(Number(`0.${m[2]}`) * mult)) : 0n;
    total += whole + frac;
    if (total >= UINT64_MAX) return { ok: false, errno: 'ERANGE' };
    something = true;
  }
  return { ok: true, value: total };
}
