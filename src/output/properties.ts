/**
 * systemctl's property formatting for `show` (v252 src/shared/bus-print-properties.c
 * `bus_print_property` and src/systemctl/systemctl-show.c `print_property`), on properties as a
 * `raw` call decodes them (core/decode.ts): each a name, its D-Bus signature and its value (BigInt for 64-bit,
 * arrays for structs, Buffer for `ay`), in the order the bus sent them.
 *
 * `formatProperty` returns the lines systemctl prints for one property (`Name=value`, or only the
 * value with `--value`), `[]` when it prints nothing (empty values without `--all`).
 * `propertyJson` gives the typed value for `show --json`.
 */
import { readFileSync } from 'node:fs';
import { escapeTerminal } from './escape.js';
import { signalToString } from '../core/kill-signal.js';
import { formatTimespan, formatTimestamp, type TimestampStyle } from './time.js';

/** One property as it came off the bus. */
export interface RawProperty {
  name: string;
  signature: string;
  value: unknown;
}

export interface PrintFlags {
  /** `--all`: print empty values too. */
  showEmpty?: boolean;
  /** `--value`: only the value. */
  onlyValue?: boolean;
  /**
   * `--timestamp=STYLE` for what systemctl's own `print_property` formats (`…Timestamp`
   * properties, TimersCalendar's next_elapse, Exec*'s start/stop times); the other timestamps
   * (NextElapseUSecRealtime, LastTriggerUSec, …) stay pretty, as there. Default `pretty`.
   */
  timestampStyle?: TimestampStyle;
}

const UINT64_MAX = 0xffff_ffff_ffff_ffffn;
const UINT32_MAX = 0xffff_ffff;

/** systemd's `signal_to_string` (one implementation, core/kill-signal.ts). */
export { signalToString };

/** systemd's `sigchld_code_to_string` (`(null)` as glibc prints a NULL `%s`). */
export function sigchldCodeToString(code: number): string {
  return ['(null)', 'exited', 'killed', 'dumped', 'trapped', 'stopped', 'continued'][code] ?? '(null)';
}

const CAPABILITIES = [
  'cap_chown', 'cap_dac_override', 'cap_dac_read_search', 'cap_fowner', 'cap_fsetid', 'cap_kill', 'cap_setgid',
  'cap_setuid', 'cap_setpcap', 'cap_linux_immutable', 'cap_net_bind_service', 'cap_net_broadcast', 'cap_net_admin',
  'cap_net_raw', 'cap_ipc_lock', 'cap_ipc_owner', 'cap_sys_module', 'cap_sys_rawio', 'cap_sys_chroot', 'cap_sys_ptrace',
  'cap_sys_pacct', 'cap_sys_admin', 'cap_sys_boot', 'cap_sys_nice', 'cap_sys_resource', 'cap_sys_time',
  'cap_sys_tty_config', 'cap_mknod', 'cap_lease', 'cap_audit_write', 'cap_audit_control', 'cap_setfcap',
  'cap_mac_override', 'cap_mac_admin', 'cap_syslog', 'cap_wake_alarm', 'cap_block_suspend', 'cap_audit_read',
  'cap_perfmon', 'cap_bpf', 'cap_checkpoint_restore',
];

let capLast: number | undefined;
function capLastCap(): number {
  if (capLast === undefined) {
    try {
      capLast = Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim());
    } catch {
      capLast = CAPABILITIES.length - 1;
    }
    if (!Number.isInteger(capLast) || capLast < 0 || capLast > 62) capLast = CAPABILITIES.length - 1;
  }
  return capLast;
}

/** systemd's `capability_set_to_string_alloc`: the names of the set bits up to cap_last_cap. */
export function capabilitySetToString(mask: bigint): string {
  const out: string[] = [];
  for (let i = 0; i <= capLastCap(); i++) {
    if ((mask >> BigInt(i)) & 1n) out.push(CAPABILITIES[i] ?? `0x${i.toString(16)}`);
  }
  return out.join(' ');
}

const NAMESPACES: [string, bigint][] = [
  ['cgroup', 0x0200_0000n],
  ['ipc', 0x0800_0000n],
  ['net', 0x4000_0000n],
  ['mnt', 0x0002_0000n],
  ['pid', 0x2000_0000n],
  ['user', 0x1000_0000n],
  ['uts', 0x0400_0000n],
];
const NAMESPACE_FLAGS_ALL = NAMESPACES.reduce((a, [, f]) => a | f, 0n);

function namespaceFlags(u: bigint): string {
  if ((u & NAMESPACE_FLAGS_ALL) === 0n) return 'yes';
  if ((u & NAMESPACE_FLAGS_ALL) === NAMESPACE_FLAGS_ALL) return 'no';
  return NAMESPACES.filter(([, f]) => (u & f) === f)
    .map(([n]) => n)
    .join(' ');
}

function mountPropagation(u: bigint): string | undefined {
  if (u === 0n) return '';
  if (u === 1n << 20n) return 'shared';
  if (u === 1n << 19n) return 'slave';
  if (u === 1n << 18n) return 'private';
  return undefined;
}

/** systemd's `cpu_set_to_range_string` of a `cpu_set_from_dbus` byte mask: `0-3 6`. */
export function cpuSetToRangeString(bytes: Buffer): string {
  const cpus: number[] = [];
  for (let j = 0; j < bytes.length; j++) for (let i = 0; i < 8; i++) if (bytes[j]! & (1 << i)) cpus.push(j * 8 + i);
  const parts: string[] = [];
  for (let k = 0; k < cpus.length; ) {
    let e = k;
    while (e + 1 < cpus.length && cpus[e + 1] === cpus[e]! + 1) e++;
    parts.push(e > k ? `${cpus[k]}-${cpus[e]}` : `${cpus[k]}`);
    k = e + 1;
  }
  return parts.join(' ');
}

function ipToString(family: number, addr: Buffer): string {
  if (family === 2 && addr.length === 4) return [...addr].join('.');
  if (addr.length !== 16) return '';
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(addr.readUInt16BE(i));
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) return `::ffff:${[...addr.subarray(12)].join('.')}`;
  // the longest run of two or more zero words becomes ::
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

const EXEC_FLAGS = ['ignore-failure', 'privileged', 'no-setuid', 'ambient', 'no-env-expand'];

const big = (v: unknown): bigint => (typeof v === 'bigint' ? v : BigInt(v as number));
const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : (v as number));
const yesNo = (b: unknown): string => (b ? 'yes' : 'no');

/** `bus_print_property_value`: `null` value or empty → printed only with --all. */
function value(name: string, v: string | null | undefined, f: PrintFlags): string[] {
  if (!f.showEmpty && (v === null || v === undefined || v === '')) return [];
  return [f.onlyValue ? (v ?? '') : `${name}=${v ?? ''}`];
}

const IO_LIMITS = new Set(['IOReadBandwidthMax', 'IOWriteBandwidthMax', 'IOReadIOPSMax', 'IOWriteIOPSMax', 'BlockIOReadBandwidth', 'BlockIOWriteBandwidth']);
const CPU_SETS = new Set(['CPUAffinity', 'NUMAMask', 'AllowedCPUs', 'AllowedMemoryNodes', 'EffectiveCPUs', 'EffectiveMemoryNodes']);
const FILTER_LISTS = new Set(['SystemCallFilter', 'SystemCallLog', 'RestrictAddressFamilies', 'RestrictNetworkInterfaces', 'RestrictFileSystems']);
const MPOL = ['default', 'preferred', 'bind', 'interleave', 'local'];

/** systemctl-show.c `print_property`: the special cases. `null` → not handled here. */
function printSpecial(name: string, sig: string, v: unknown, f: PrintFlags): string[] | null {
  if (sig === 'i') {
    if (name.endsWith('ActionExitStatus')) {
      const i = num(v);
      if (i >= 0 && i <= 255) return value(name, String(i), f);
      return f.showEmpty ? value(name, '[not set]', f) : [];
    }
    if (name === 'NUMAPolicy') return value(name, MPOL[num(v)] ?? 'n/a', f);
    return null;
  }
  if (sig.startsWith('(')) {
    const s = v as unknown[];
    if (sig === '(uo)' && name === 'Job') return num(s[0]) > 0 ? value(name, String(s[0]), f) : value(name, null, f);
    if (sig === '(so)' && name === 'Unit') return value(name, s[0] as string, f);
    if (sig === '(ss)' && name === 'LoadError') {
      const [a, b] = s as [string, string];
      return a || b ? value(name, `${a} "${b}"`, f) : value(name, null, f);
    }
    if (FILTER_LISTS.has(name) && sig === '(bas)') {
      const allow = s[0] as boolean;
      const l = s[1] as string[];
      if (!f.showEmpty && !allow && l.length === 0) return [];
      const text = `${allow ? '' : '~'}${l.join(' ')}`;
      return [f.onlyValue ? text : `${name}=${text}`];
    }
    if (sig === '(bs)' && ['SELinuxContext', 'AppArmorProfile', 'SmackProcessLabel'].includes(name)) {
      const str = s[1] as string;
      return str ? value(name, `${s[0] ? '-' : ''}${str}`, f) : value(name, null, f);
    }
    if (name.endsWith('ExitStatus') && sig === '(aiai)') {
      const status = s[0] as number[];
      const signals = s[1] as number[];
      if (!f.showEmpty && status.length === 0 && signals.length === 0) return [];
      const text = [...status.map(String), ...signals.map((n) => signalToString(n))].join(' ');
      return [f.onlyValue ? text : `${name}=${text}`];
    }
    return null;
  }
  if (!sig.startsWith('a')) return null;
  const arr = v as unknown[];
  const each = (fmt: (e: unknown[]) => string): string[] => (arr as unknown[][]).flatMap((e) => value(name, fmt(e), f));
  const joined = (parts: (string | null)[]): string[] => {
    const p = parts.filter((x): x is string => x !== null);
    return value(name, p.length > 0 ? p.join(' ') : null, f);
  };
  if (sig === 'a(sb)' && name === 'EnvironmentFiles') return each((e) => `${e[0]} (ignore_errors=${yesNo(e[1])})`);
  if (sig === 'a(ss)' && (name === 'Paths' || name === 'Listen')) return each((e) => `${e[1]} (${e[0]})`);
  if (sig === 'a(stt)' && name === 'TimersMonotonic') {
    return each((e) => `{ ${e[0]}=${formatTimespan(big(e[1]), 0)} ; next_elapse=${formatTimespan(big(e[2]), 0)} }`);
  }
  if (sig === 'a(sst)' && name === 'TimersCalendar') {
    return each((e) => `{ ${e[0]}=${e[1]} ; next_elapse=${formatTimestamp(big(e[2]), f.timestampStyle) ?? ''} }`);
  }
  if (name.startsWith('Exec') && (sig === 'a(sasbttttuii)' || sig === 'a(sasasttttuii)')) {
    const ex = sig === 'a(sasasttttuii)';
    return each((e) => {
      const code = num(e[8]);
      const status = num(e[9]);
      const tail = code === 1 ? '' : `/${signalToString(status)}`;
      const third = ex ? `flags=${EXEC_FLAGS.filter((x) => (e[2] as string[]).includes(x)).join(' ')}` : `ignore_errors=${yesNo(e[2])}`;
      return (
        `{ path=${e[0]} ; argv[]=${(e[1] as string[]).join(' ')} ; ${third} ; ` +
        `start_time=[${formatTimestamp(big(e[3]), f.timestampStyle) ?? 'n/a'}] ; stop_time=[${formatTimestamp(big(e[5]), f.timestampStyle) ?? 'n/a'}] ; ` +
        `pid=${num(e[7])} ; code=${sigchldCodeToString(code)} ; status=${status}${tail} }`
      );
    });
  }
  if (sig === 'a(ss)' && name === 'DeviceAllow') return each((e) => `${e[0]} ${e[1]}`);
  if (sig === 'a(st)' && (name === 'IODeviceWeight' || name === 'BlockIODeviceWeight' || IO_LIMITS.has(name))) {
    return each((e) => `${e[0]} ${big(e[1])}`);
  }
  if (sig === 'a(st)' && name === 'IODeviceLatencyTargetUSec') return each((e) => `${e[0]} ${formatTimespan(big(e[1]), 1)}`);
  if (sig === 'ay' && (name === 'StandardInputData' || name === 'RootHashSignature')) {
    return value(name, (v as Buffer).toString('base64'), f);
  }
  if (sig === 'a(iayu)' && (name === 'IPAddressAllow' || name === 'IPAddressDeny')) {
    return joined((arr as unknown[][]).map((e) => `${ipToString(num(e[0]), Buffer.from(e[1] as Buffer))}/${num(e[2])}`));
  }
  if (sig === 'a(ssbt)' && (name === 'BindPaths' || name === 'BindReadOnlyPaths')) {
    return joined(
      (arr as unknown[][]).map((e) =>
        e[0] ? `${e[2] ? '-' : ''}${e[0]}${e[1] ? ':' : ''}${e[1]}${big(e[3]) === 16384n ? ':rbind' : ''}` : null,
      ),
    );
  }
  if (sig === 'a(ss)' && name === 'TemporaryFileSystem') return joined((arr as unknown[][]).map((e) => `${e[0]}${e[1] ? ':' : ''}${e[1]}`));
  if (sig === 'aay' && name === 'LogExtraFields') {
    return joined(
      (arr as Buffer[]).map((b) => {
        const buf = Buffer.from(b);
        if (buf.includes(0) || !buf.includes(0x3d)) return null;
        return buf.toString('utf8');
      }),
    );
  }
  if (sig === 'ay' && CPU_SETS.has(name)) return value(name, cpuSetToRangeString(Buffer.from(v as Buffer)), f);
  if (sig === 'a(ssba(ss))' && name === 'MountImages') {
    return joined(
      (arr as unknown[][]).map((e) => {
        let str = `${e[2] ? '-' : ''}${e[0]}:${e[1]}`;
        for (const [p, o] of e[3] as [string, string][]) str += `:${p}${o ? `:${o}` : ''}`;
        return str;
      }),
    );
  }
  if (sig === 'a(sba(ss))' && name === 'ExtensionImages') {
    return joined(
      (arr as unknown[][]).map((e) => {
        let str = `${e[1] ? '-' : ''}${e[0]}`;
        for (const [p, o] of e[2] as [string, string][]) str += `:${p}${o ? `:${o}` : ''}`;
        return str;
      }),
    );
  }
  if (sig === 'a(ss)' && name === 'BPFProgram') return each((e) => `${e[0]}:${e[1]}`);
  if (sig === 'a(iiqq)' && (name === 'SocketBindAllow' || name === 'SocketBindDeny')) {
    return each((e) => {
      const af = num(e[0]);
      const family = af === 2 ? 'ipv4' : af === 10 ? 'ipv6' : '';
      const proto = num(e[1]) === 6 ? 'tcp' : num(e[1]) === 17 ? 'udp' : '';
      const prefix = `${family}${family ? ':' : ''}${proto}${proto ? ':' : ''}`;
      const n = num(e[2]);
      const min = num(e[3]);
      return n === 0 ? `${prefix}any` : n === 1 ? `${prefix}${min}` : `${prefix}${min}-${min + n - 1}`;
    });
  }
  if (sig === 'a(ss)' && name === 'RootImageOptions') return each((e) => `${e[0]}:${e[1]}`);
  if (sig === 'a(sst)' && /^(State|Runtime|Cache|Logs)DirectorySymlink$/.test(name)) return each((e) => `${e[0]}:${e[1]}`);
  return null;
}

const NOT_SET_WEIGHT = new Set(['CPUWeight', 'StartupCPUWeight', 'IOWeight', 'StartupIOWeight']);
const NOT_SET_SHARES = new Set(['CPUShares', 'StartupCPUShares']);
const NOT_SET_BLKIO = new Set(['BlockIOWeight', 'StartupBlockIOWeight']);
const MEMORY_LIMITS = new Set(['DefaultMemoryLow', 'DefaultMemoryMin', 'MemoryLow', 'MemoryHigh', 'MemoryMax', 'MemorySwapMax', 'MemoryLimit', 'MemoryAvailable']);
const TIMESTAMP_NAMES = new Set(['NextElapseUSecRealtime', 'LastTriggerUSec', 'TimeUSec', 'RTCTimeUSec']);

/** bus-print-properties.c `bus_print_property`: the generic cases. `null` → unprintable. */
function printGeneric(name: string, sig: string, v: unknown, f: PrintFlags): string[] | null {
  switch (sig) {
    case 's': {
      const s = v as string;
      if (!f.showEmpty && s === '') return [];
      return value(name, s.includes('\n') ? '[unprintable]' : s, f);
    }
    case 'b':
      return value(name, yesNo(v), f);
    case 't': {
      const u = big(v);
      if (name.endsWith('Timestamp')) return value(name, formatTimestamp(u, f.timestampStyle), f);
      if (TIMESTAMP_NAMES.has(name)) return value(name, formatTimestamp(u), f);
      if (name.includes('USec')) return value(name, formatTimespan(u, 0), f);
      if (name === 'CoredumpFilter') return value(name, `0x${u.toString(16)}`, f);
      if (name === 'RestrictNamespaces') return value(name, namespaceFlags(u), f);
      if (name === 'MountFlags') {
        const r = mountPropagation(u);
        return r === undefined ? null : value(name, r, f);
      }
      if (name === 'CapabilityBoundingSet' || name === 'AmbientCapabilities') return value(name, capabilitySetToString(u), f);
      if (
        (NOT_SET_WEIGHT.has(name) && u === UINT64_MAX) ||
        (NOT_SET_SHARES.has(name) && u === UINT64_MAX) ||
        (NOT_SET_BLKIO.has(name) && u === UINT64_MAX) ||
        ((name === 'MemoryCurrent' || name === 'TasksCurrent') && u === UINT64_MAX) ||
        (name.endsWith('NSec') && u === UINT64_MAX)
      ) {
        return value(name, '[not set]', f);
      }
      if (
        (MEMORY_LIMITS.has(name) && u === UINT64_MAX) ||
        ((name === 'TasksMax' || name === 'DefaultTasksMax') && u === UINT64_MAX) ||
        ((name.startsWith('Limit') || name.startsWith('DefaultLimit')) && u === UINT64_MAX)
      ) {
        return value(name, 'infinity', f);
      }
      if (['IPIngressBytes', 'IPIngressPackets', 'IPEgressBytes', 'IPEgressPackets'].includes(name) && u === UINT64_MAX) {
        return value(name, '[no data]', f);
      }
      return value(name, u.toString(), f);
    }
    case 'x':
    case 'i':
      return value(name, big(v).toString(), f);
    case 'u': {
      const u = num(v);
      if (name.includes('UMask') || name.includes('Mode')) return value(name, u.toString(8).padStart(4, '0'), f);
      if ((name === 'UID' || name === 'GID') && u === UINT32_MAX) return value(name, '[not set]', f);
      return value(name, String(u), f);
    }
    case 'd':
      return value(name, formatDouble(v as number), f);
    case 'as': {
      const l = v as string[];
      if (l.length === 0) {
        if (!f.showEmpty) return [];
        return [f.onlyValue ? '' : `${name}=`];
      }
      const text = l.map((s) => shellMaybeQuote(s)).join(' ');
      return [f.onlyValue ? text : `${name}=${text}`];
    }
    case 'ay': {
      const b = Buffer.from(v as Buffer);
      if (!f.showEmpty && b.length === 0) return [];
      return value(name, b.toString('hex'), f);
    }
    case 'au': {
      const l = v as number[];
      if (!f.showEmpty && l.length === 0) return [];
      const b = Buffer.alloc(l.length * 4);
      l.forEach((x, i) => b.writeUInt32LE(x, i * 4));
      return value(name, b.toString('hex'), f);
    }
    default:
      return null;
  }
}

/** Characters that make systemd's `shell_maybe_quote` quote a string (SHELL_NEED_QUOTES). */
const SHELL_NEED_QUOTES = new Set([...'"\\`$*?[\'()<>|&;! \t\n\r']);

/**
 * systemd's `shell_maybe_quote(s, flags)`: the string as it is, or quoted when it has a character
 * a shell would take specially, a control character, or invalid UTF-8 — in double quotes with
 * `"\\`$` backslash-escaped, or (`posix`, SHELL_ESCAPE_POSIX) as `$'…'` with `\\` and `'`
 * escaped; newlines and tabs become `\\n`/`\\t` in both.
 */
export function shellMaybeQuote(s: string, posix = false): string {
  let i = 0;
  const chars = [...s];
  for (; i < chars.length; i++) {
    const c = chars[i]!;
    const code = c.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f || c === '\ufffd' || SHELL_NEED_QUOTES.has(c)) break;
  }
  if (i === chars.length) return s;
  let out = (posix ? "$'" : '"') + chars.slice(0, i).join('');
  const bad = posix ? ['\\', "'"] : ['"', '\\', '`', '$'];
  for (const c of chars.slice(i)) {
    if (c === '\n') out += '\\n';
    else if (c === '\t') out += '\\t';
    else if (bad.includes(c)) out += `\\${c}`;
    else out += c;
  }
  return out + (posix ? "'" : '"');
}

/** printf's `%g`. */
export function formatDouble(d: number): string {
  if (!Number.isFinite(d)) return Number.isNaN(d) ? 'nan' : d > 0 ? 'inf' : '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const exp = Math.floor(Math.log10(Math.abs(d)));
  if (exp < -4 || exp >= 6) {
    const [m, e] = d.toExponential(5).split('e') as [string, string];
    const mant = m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m;
    const en = Number(e);
    return `${mant}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  }
  const s = d.toFixed(Math.max(0, 5 - exp));
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/**
 * The lines systemctl prints for one property (without newlines), escaped for a terminal.
 * Properties systemctl cannot print show as `Name=[unprintable]` with --all, else nothing.
 */
export function formatProperty(p: RawProperty, flags: PrintFlags = {}): string[] {
  let lines = printSpecial(p.name, p.signature, p.value, flags);
  if (lines === null) lines = printGeneric(p.name, p.signature, p.value, flags);
  if (lines === null) lines = flags.showEmpty ? [`${p.name}=[unprintable]`] : [];
  return lines.map((l) => escapeTerminal(l));
}

/** Plain JSON data of a D-Bus value: BigInt → number (UINT64_MAX/INT64_MAX → null), `ay` → hex. */
function plainValue(sig: string, v: unknown): unknown {
  if (typeof v === 'bigint') {
    if (v === UINT64_MAX || v === 0x7fff_ffff_ffff_ffffn) return null;
    return Number(v);
  }
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (Array.isArray(v)) {
    const inner = sig.startsWith('a') ? elementSignature(sig) : null;
    const fields = sig.startsWith('(') ? structFields(sig) : null;
    return v.map((x, i) => plainValue(inner ?? fields?.[i] ?? '', x));
  }
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('signature' in o && 'value' in o) return plainValue(String(o.signature), o.value);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) out[k] = plainValue('', x);
    return out;
  }
  return v;
}

/** `a(ss)` → `(ss)`, `aay` → `ay`. */
function elementSignature(sig: string): string {
  return sig.slice(1);
}

/** `(sasb)` → ['s', 'as', 'b']. */
export function structFields(sig: string): string[] {
  const inner = sig.slice(1, -1);
  const out: string[] = [];
  let i = 0;
  const one = (): string => {
    const start = i;
    const c = inner[i]!;
    if (c === 'a') {
      i++;
      one();
    } else if (c === '(' || c === '{') {
      const close = c === '(' ? ')' : '}';
      let depth = 0;
      do {
        if (inner[i] === c) depth++;
        else if (inner[i] === close) depth--;
        i++;
      } while (depth > 0 && i < inner.length);
    } else i++;
    return inner.slice(start, i);
  };
  while (i < inner.length) out.push(one());
  return out;
}

/**
 * The typed JSON value of a property for `show --json`: numbers as numbers, booleans, strings,
 * lists; UINT64_MAX ("unset"/"infinity") as `null`; `ay` as hex (CPU sets as systemctl's range
 * string); Exec* entries as records; `Job`/`Unit` structs as records.
 */
export function propertyJson(p: RawProperty): unknown {
  const { name, signature: sig, value: v } = p;
  if (name.startsWith('Exec') && (sig === 'a(sasbttttuii)' || sig === 'a(sasasttttuii)')) {
    const ts = (x: unknown): number | null => {
      const n = big(x);
      return n === 0n || n === UINT64_MAX ? null : Number(n);
    };
    return (v as unknown[][]).map((e) => ({
      path: e[0],
      argv: e[1],
      ...(sig === 'a(sasasttttuii)' ? { flags: e[2] } : { ignoreErrors: e[2] }),
      startTimestamp: ts(e[3]),
      startTimestampMonotonic: ts(e[4]),
      exitTimestamp: ts(e[5]),
      exitTimestampMonotonic: ts(e[6]),
      pid: num(e[7]),
      code: sigchldCodeToString(num(e[8])) === '(null)' ? null : sigchldCodeToString(num(e[8])),
      status: num(e[9]),
    }));
  }
  if (sig === '(uo)' && name === 'Job') {
    const s = v as unknown[];
    return num(s[0]) > 0 ? { id: num(s[0]), path: s[1] } : null;
  }
  if (sig === '(so)' && name === 'Unit') return { id: (v as unknown[])[0], path: (v as unknown[])[1] };
  if (sig === 'ay' && CPU_SETS.has(name)) return cpuSetToRangeString(Buffer.from(v as Buffer));
  if (sig === 't' && (name.endsWith('Timestamp') || TIMESTAMP_NAMES.has(name))) {
    const n = big(v);
    return n === 0n || n === UINT64_MAX ? null : Number(n);
  }
  return plainValue(sig, v);
}
