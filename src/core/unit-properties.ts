/**
 * `set-property UNIT NAME=VALUE…`: systemctl 252's property parser (`bus_append_unit_property_
 * assignment` in src/shared/bus-unit-util.c) for what SetUnitProperties can change on a loaded
 * unit: the cgroup/resource properties (CPUWeight, CPUQuota, MemoryMax/High/Low/Min/SwapMax,
 * TasksMax, IOWeight, IODeviceWeight, IO*Bandwidth/IOPSMax, DeviceAllow, IPAddressAllow/Deny,
 * the *Accounting booleans, AllowedCPUs, Delegate, ManagedOOM*, …), the unit properties
 * (Description, Markers, dependencies, conditions, …) and the simple kill/execute/service ones,
 * which systemd itself refuses on a unit that is not transient. Which names apply depends on the
 * unit type, as in systemctl. Pure: assignments in, typed D-Bus values out, or an
 * `InvalidArgumentError` with systemctl's words ("Unknown assignment: Foo=bar").
 */
import { InvalidArgumentError } from './errors.js';
import { parseSec, parseSignal, safeAtoi, safeAtou32, safeAtou64, STRERROR, UINT64_MAX, type ParseErrno } from './kill-signal.js';
import { parseBoolean } from './values.js';

/** One `(sv)` entry of SetUnitProperties: the D-Bus name, the variant's signature and value. */
export interface PropertyValue {
  name: string;
  signature: string;
  /** As it goes on the wire: `t` values are BigInt, `ay` a Buffer, structs arrays. */
  value: unknown;
}

export { UINT64_MAX, parseSec };
const UINT32_MAX = 0xffff_ffffn;

const fail = (message: string): never => {
  throw new InvalidArgumentError(message);
};
const errnoText = (e: ParseErrno): string => STRERROR[e];

/** C's isempty(). */
const isEmpty = (s: string): boolean => s.length === 0;

// ── systemd's value parsers ─────────────────────────────────────────────────────────────────

/** `parse_size(t, base)`: `1G`, `512M`, `1.5K`, `1G 512M` (summed); base 1024 or 1000. */
export function parseSize(t: string, base: 1000 | 1024): { ok: true; value: bigint } | { ok: false; errno: ParseErrno } {
  const suffixes: [string, number][] = [['E', 6], ['P', 5], ['T', 4], ['G', 3], ['M', 2], ['K', 1], ['B', 0], ['', 0]];
  const b = BigInt(base);
  let total = 0n;
  let p = t;
  let start = 0;
  do {
    p = p.replace(/^[ \t\n\r]+/, '');
    const m = /^([+-]?)(\d+)/.exec(p.replace(/^[ \t\n\r\v\f]+/, ''));
    if (!m) return { ok: false, errno: 'EINVAL' };
    if (m[1] === '-') return { ok: false, errno: 'ERANGE' };
    const whole = BigInt(m[2]!);
    if (whole > UINT64_MAX) return { ok: false, errno: 'ERANGE' };
    let e = p.replace(/^[ \t\n\r\v\f]+/, '').slice(m[0].length);
    let frac = 0;
    if (e.startsWith('.')) {
      e = e.slice(1);
      const f = /^\d+/.exec(e);
      if (f) {
        frac = Number(`0.${f[0]}`);
        e = e.slice(f[0].length);
      }
    }
    e = e.replace(/^[ \t\n\r]+/, '');
    let i = start;
    for (; i < suffixes.length; i++) if (e.startsWith(suffixes[i]![0])) break;
    if (i >= suffixes.length) return { ok: false, errno: 'EINVAL' };
    const factor = b ** BigInt(suffixes[i]![1]);
    if (whole > UINT64_MAX / factor) return { ok: false, errno: 'ERANGE' };
    const tmp = whole * factor + BigInt(Math.floor(frac * Number(factor)));
    if (tmp > UINT64_MAX - total) return { ok: false, errno: 'ERANGE' };
    total += tmp;
    if (suffixes[i]![0] === '') {
      // the unit-less part ends the string (systemd: start_pos past the table)
      p = e;
      start = suffixes.length;
    } else {
      start = i + 1;
      p = e.slice(suffixes[i]![0].length);
    }
  } while (p.length > 0 && start < suffixes.length);
  if (p.replace(/^[ \t\n\r]+/, '').length > 0) return { ok: false, errno: 'EINVAL' };
  return { ok: true, value: total };
}

/** `parse_permyriad_unbounded`: `50%`, `12.5%`, `12.34%`, `5‰`, `12.5‰`, `7‱` → permyriad. */
export function parsePermyriadUnbounded(p: string): number | ParseErrno {
  const parts = (sym: string, places: number, scale: number): number | ParseErrno => {
    const body = p.slice(0, -sym.length);
    const dot = body.indexOf('.');
    let q = 0;
    let n = body;
    if (dot >= 0) {
      const dec = body.slice(dot + 1);
      if (dec.length < 1 || dec.length > places || !/^\d+$/.test(dec)) return 'EINVAL';
      q = Number(dec.padEnd(places, '0'));
      n = body.slice(0, dot);
    }
    const v = safeAtoi(n);
    if (!v.ok) return v.errno;
    if (v.value < 0) return 'ERANGE';
    return v.value * scale + q;
  };
  if (p.endsWith('‱')) return parts('‱', 0, 1);
  if (p.endsWith('‰')) return parts('‰', 1, 10);
  if (p.endsWith('%')) return parts('%', 2, 100);
  return 'EINVAL';
}

/** `parse_permyriad`: at most 100%. */
export function parsePermyriad(p: string): number | ParseErrno {
  const v = parsePermyriadUnbounded(p);
  return typeof v === 'number' && v > 10000 ? 'ERANGE' : v;
}

/** `UINT32_SCALE_FROM_PERMYRIAD`: 0…10000 → 0…UINT32_MAX. */
export function uint32ScaleFromPermyriad(p: number): number {
  const c = BigInt(Math.min(Math.max(p, 0), 10000));
  return Number((c * UINT32_MAX + 5000n) / 10000n);
}

/** `parse_cpu_set`: `0-3 5,7` → the CPU numbers; `null` when invalid. */
export function parseCpuSet(s: string): number[] | null {
  const cpus = new Set<number>();
  for (const word of s.split(/[\s,]+/).filter((w) => w !== '')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(word);
    if (!m) return null;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo || hi >= 8192) return null;
    for (let c = lo; c <= hi; c++) cpus.add(c);
  }
  return [...cpus].sort((a, b) => a - b);
}

/** `cpu_set_to_dbus`: bit N of byte N/8 set for CPU N. */
export function cpuSetToBytes(cpus: number[]): Buffer {
  const max = cpus.length === 0 ? -1 : Math.max(...cpus);
  const buf = Buffer.alloc(Math.ceil((max + 1) / 8));
  for (const c of cpus) buf[c >> 3]! |= 1 << (c & 7);
  return buf;
}

/** `in_addr_prefix_from_string_auto`: `10.0.0.0/8`, `::1`, `fe80::/64` → family, bytes, prefix length. */
export function parseAddressPrefix(s: string): [number, Buffer, number] | null {
  const [addr, len, extra] = s.split('/');
  if (extra !== undefined || addr === undefined) return null;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(addr);
  let family: number;
  let bytes: Buffer;
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((x) => x > 255)) return null;
    family = 2;
    bytes = Buffer.from(parts);
  } else {
    const b = ipv6Bytes(addr);
    if (!b) return null;
    family = 10;
    bytes = b;
  }
  const max = bytes.length * 8;
  if (len === undefined) return [family, bytes, max];
  if (!/^\d+$/.test(len) || Number(len) > max) return null;
  return [family, bytes, Number(len)];
}

function ipv6Bytes(s: string): Buffer | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (i === parts.length - 1 && part.includes('.')) {
        const v4 = parseAddressPrefix(part);
        if (!v4 || v4[0] !== 2) return null;
        out.push((v4[1][0]! << 8) | v4[1][1]!, (v4[1][2]! << 8) | v4[1][3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return null;
        out.push(parseInt(part, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return null;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return null;
  const all = [...head, ...new Array<number>(fill).fill(0), ...tail];
  const buf = Buffer.alloc(16);
  all.forEach((g, i) => buf.writeUInt16BE(g, i * 2));
  return buf;
}

/** systemd's log levels (`log_level_from_string`: a name, or a number 0…7). */
export const LOG_LEVELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

export function logLevelFromString(s: string): number | null {
  const i = (LOG_LEVELS as readonly string[]).indexOf(s);
  if (i >= 0) return i;
  const n = safeAtou32(s);
  return n.ok && n.value <= 7 ? n.value : null;
}

/** `extract_first_word(…, EXTRACT_UNQUOTE)` over a whole string: the words of a list value. */
export function splitWords(s: string): string[] | null {
  const words: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /[ \t\n\r]/.test(s[i]!)) i++;
    if (i >= s.length) break;
    let w = '';
    let quote: string | null = null;
    for (; i < s.length; i++) {
      const c = s[i]!;
      if (quote) {
        if (c === quote) quote = null;
        else if (c === '\\' && i + 1 < s.length) w += s[++i];
        else w += c;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '\\' && i + 1 < s.length) w += s[++i];
      else if (/[ \t\n\r]/.test(c)) break;
      else w += c;
    }
    if (quote) return null;
    words.push(w);
  }
  return words;
}

// ── the property tables (systemctl 252's lists) ─────────────────────────────────────────────

const CGROUP_STRINGS = ['DevicePolicy', 'Slice', 'ManagedOOMSwap', 'ManagedOOMMemoryPressure', 'ManagedOOMPreference'];
const CGROUP_BOOLEANS = ['CPUAccounting', 'MemoryAccounting', 'IOAccounting', 'BlockIOAccounting', 'TasksAccounting', 'IPAccounting'];
const MEMORY_LIMITS = ['MemoryMin', 'DefaultMemoryLow', 'DefaultMemoryMin', 'MemoryLow', 'MemoryHigh', 'MemoryMax', 'MemorySwapMax', 'MemoryLimit', 'TasksMax'];
const MEMORY_LIMITS_EMPTY_MIN = ['DefaultMemoryLow', 'DefaultMemoryMin', 'MemoryLow', 'MemoryMin'];
const IO_LIMITS = ['IOReadBandwidthMax', 'IOWriteBandwidthMax', 'IOReadIOPSMax', 'IOWriteIOPSMax', 'BlockIOReadBandwidth', 'BlockIOWriteBandwidth'];
const CPU_SETS = ['AllowedCPUs', 'StartupAllowedCPUs', 'AllowedMemoryNodes', 'StartupAllowedMemoryNodes'];

const UNIT_STRINGS = ['Description', 'SourcePath', 'OnFailureJobMode', 'JobTimeoutAction', 'JobTimeoutRebootArgument', 'StartLimitAction', 'FailureAction', 'SuccessAction', 'RebootArgument', 'CollectMode'];
const UNIT_BOOLEANS = ['StopWhenUnneeded', 'RefuseManualStart', 'RefuseManualStop', 'AllowIsolate', 'IgnoreOnIsolate', 'DefaultDependencies'];
const UNIT_SECS = ['JobTimeoutSec', 'JobRunningTimeoutSec', 'StartLimitIntervalSec'];
/** systemd 252's unit dependency names (`unit_dependency_from_string`), plus the other list properties. */
const UNIT_LISTS = [
  'Requires', 'Requisite', 'Wants', 'BindsTo', 'PartOf', 'Upholds', 'RequiredBy', 'RequisiteOf', 'WantedBy', 'BoundBy', 'UpheldBy',
  'ConsistsOf', 'Conflicts', 'ConflictedBy', 'Before', 'After', 'OnSuccess', 'OnSuccessOf', 'OnFailure', 'OnFailureOf', 'Triggers',
  'TriggeredBy', 'PropagatesReloadTo', 'ReloadPropagatedFrom', 'PropagatesStopTo', 'StopPropagatedFrom', 'JoinsNamespaceOf',
  'References', 'ReferencedBy', 'InSlice', 'SliceOf', 'Documentation', 'RequiresMountsFor', 'Markers',
];
/** systemd 252's condition types; `Assert…` the same with Assert. */
const CONDITIONS = [
  'Architecture', 'Firmware', 'Virtualization', 'Host', 'KernelCommandLine', 'KernelVersion', 'Credential', 'Security',
  'Capability', 'ACPower', 'NeedsUpdate', 'FirstBoot', 'PathExists', 'PathExistsGlob', 'PathIsDirectory', 'PathIsSymbolicLink',
  'PathIsMountPoint', 'PathIsReadWrite', 'PathIsEncrypted', 'DirectoryNotEmpty', 'FileNotEmpty', 'FileIsExecutable', 'User', 'Group',
  'ControlGroupController', 'CPUs', 'Memory', 'Environment', 'CPUFeature', 'OSRelease', 'MemoryPressure', 'CPUPressure', 'IOPressure',
];

const KILL_SIGNALS = ['KillSignal', 'RestartKillSignal', 'FinalKillSignal', 'WatchdogSignal'];

const EXEC_STRINGS = [
  'User', 'Group', 'UtmpIdentifier', 'UtmpMode', 'PAMName', 'TTYPath', 'WorkingDirectory', 'RootDirectory', 'SyslogIdentifier',
  'ProtectSystem', 'ProtectHome', 'SELinuxContext', 'RootImage', 'RootVerity', 'RuntimeDirectoryPreserve', 'Personality',
  'KeyringMode', 'ProtectProc', 'ProcSubset', 'NetworkNamespacePath', 'IPCNamespacePath', 'LogNamespace',
];
const EXEC_BOOLEANS = [
  'IgnoreSIGPIPE', 'TTYVHangup', 'TTYReset', 'TTYVTDisallocate', 'PrivateTmp', 'PrivateDevices', 'PrivateNetwork', 'PrivateUsers',
  'PrivateMounts', 'PrivateIPC', 'NoNewPrivileges', 'SyslogLevelPrefix', 'MemoryDenyWriteExecute', 'RestrictRealtime', 'DynamicUser',
  'RemoveIPC', 'ProtectKernelTunables', 'ProtectKernelModules', 'ProtectKernelLogs', 'ProtectClock', 'ProtectControlGroups',
  'MountAPIVFS', 'CPUSchedulingResetOnFork', 'LockPersonality', 'ProtectHostname', 'RestrictSUIDSGID',
];
const EXEC_LISTS = [
  'ReadWriteDirectories', 'ReadOnlyDirectories', 'InaccessibleDirectories', 'ReadWritePaths', 'ReadOnlyPaths', 'InaccessiblePaths',
  'ExecPaths', 'NoExecPaths', 'ExecSearchPath', 'ExtensionDirectories', 'ConfigurationDirectory', 'SupplementaryGroups',
  'SystemCallArchitectures',
];
const SERVICE_STRINGS = ['PIDFile', 'Type', 'ExitType', 'Restart', 'BusName', 'NotifyAccess', 'USBFunctionDescriptors', 'USBFunctionStrings', 'OOMPolicy', 'TimeoutStartFailureMode', 'TimeoutStopFailureMode'];
const SERVICE_BOOLEANS = ['PermissionsStartOnly', 'RootDirectoryStartOnly', 'RemainAfterExit', 'GuessMainPID'];
const SERVICE_SECS = ['RestartSec', 'TimeoutStartSec', 'TimeoutStopSec', 'TimeoutAbortSec', 'RuntimeMaxSec', 'RuntimeRandomizedExtraSec', 'WatchdogSec'];

/**
 * The other names systemctl 252 knows per group (its exec, service, socket, timer, path, mount and
 * scope parsers). systemd sets none of them on a unit that is not transient ("Cannot set property
 * X, or unknown property."), so their values are sent as strings, under the name systemctl sends
 * (see `wireName`), without parsing them: only a malformed value is reported differently.
 */
const PASSTHROUGH: Record<string, string[]> = {
  exec: [
    'SyslogFacility', 'SecureBits', 'CPUSchedulingPolicy', 'CoredumpFilter', 'SystemCallErrorNumber', 'IOSchedulingClass',
    'IOSchedulingPriority', 'RuntimeDirectoryMode', 'StateDirectoryMode', 'CacheDirectoryMode', 'LogsDirectoryMode',
    'ConfigurationDirectoryMode', 'UMask', 'TimerSlackNSec', 'LogRateLimitIntervalSec', 'LogRateLimitBurst', 'TTYRows', 'TTYColumns',
    'MountFlags', 'Environment', 'UnsetEnvironment', 'PassEnvironment', 'EnvironmentFile', 'SetCredential', 'SetCredentialEncrypted',
    'LoadCredential', 'LoadCredentialEncrypted', 'LogExtraFields', 'StandardInput', 'StandardOutput', 'StandardError',
    'StandardInputText', 'StandardInputData', 'AppArmorProfile', 'SmackProcessLabel', 'CapabilityBoundingSet', 'AmbientCapabilities',
    'CPUAffinity', 'NUMAPolicy', 'NUMAMask', 'RestrictAddressFamilies', 'RestrictFileSystems', 'SystemCallFilter', 'SystemCallLog',
    'RestrictNetworkInterfaces', 'RestrictNamespaces', 'BindPaths', 'BindReadOnlyPaths', 'TemporaryFileSystem', 'RootHash',
    'RootHashSignature', 'RootImageOptions', 'MountImages', 'ExtensionImages', 'StateDirectory', 'RuntimeDirectory', 'CacheDirectory',
    'LogsDirectory', 'LimitCPU', 'LimitFSIZE', 'LimitDATA', 'LimitSTACK', 'LimitCORE', 'LimitRSS', 'LimitNOFILE', 'LimitAS', 'LimitNPROC',
    'LimitMEMLOCK', 'LimitLOCKS', 'LimitSIGPENDING', 'LimitMSGQUEUE', 'LimitNICE', 'LimitRTPRIO', 'LimitRTTIME',
  ],
  service: [
    'ExecCondition', 'ExecStartPre', 'ExecStart', 'ExecStartPost', 'ExecConditionEx', 'ExecStartPreEx', 'ExecStartEx', 'ExecStartPostEx',
    'ExecReload', 'ExecStop', 'ExecStopPost', 'ExecReloadEx', 'ExecStopEx', 'ExecStopPostEx', 'RestartPreventExitStatus',
    'RestartForceExitStatus', 'SuccessExitStatus',
  ],
  socket: [
    'Accept', 'FlushPending', 'Writable', 'KeepAlive', 'NoDelay', 'FreeBind', 'Transparent', 'Broadcast', 'PassCredentials', 'PassSecurity',
    'PassPacketInfo', 'ReusePort', 'RemoveOnStop', 'SELinuxContextFromNet', 'Priority', 'IPTTL', 'Mark', 'IPTOS', 'Backlog',
    'MaxConnections', 'MaxConnectionsPerSource', 'KeepAliveProbes', 'TriggerLimitBurst', 'SocketMode', 'DirectoryMode',
    'MessageQueueMaxMessages', 'MessageQueueMessageSize', 'TimeoutSec', 'KeepAliveTimeSec', 'KeepAliveIntervalSec', 'DeferAcceptSec',
    'TriggerLimitIntervalSec', 'ReceiveBuffer', 'SendBuffer', 'PipeSize', 'ExecStartPre', 'ExecStartPost', 'ExecReload', 'ExecStopPost',
    'SmackLabel', 'SmackLabelIPIn', 'SmackLabelIPOut', 'TCPCongestion', 'BindToDevice', 'BindIPv6Only', 'FileDescriptorName', 'SocketUser',
    'SocketGroup', 'Timestamping', 'Symlinks', 'SocketProtocol', 'ListenStream', 'ListenDatagram', 'ListenSequentialPacket',
    'ListenNetlink', 'ListenSpecial', 'ListenMessageQueue', 'ListenFIFO', 'ListenUSBFunction',
  ],
  timer: [
    'WakeSystem', 'RemainAfterElapse', 'Persistent', 'OnTimezoneChange', 'OnClockChange', 'FixedRandomDelay', 'AccuracySec',
    'RandomizedDelaySec', 'OnActiveSec', 'OnBootSec', 'OnStartupSec', 'OnUnitActiveSec', 'OnUnitInactiveSec', 'OnCalendar',
  ],
  path: ['MakeDirectory', 'DirectoryMode', 'PathExists', 'PathExistsGlob', 'PathChanged', 'PathModified', 'DirectoryNotEmpty', 'TriggerLimitBurst', 'TriggerLimitIntervalSec'],
  mount: ['What', 'Where', 'Options', 'Type', 'TimeoutSec', 'DirectoryMode', 'SloppyOptions', 'LazyUnmount', 'ForceUnmount', 'ReadwriteOnly'],
  scope: ['RuntimeMaxSec', 'RuntimeRandomizedExtraSec', 'TimeoutStopSec', 'User', 'Group', 'OOMPolicy'],
};

/** The name systemctl puts on the wire for a PASSTHROUGH field (`…Sec` → `…USec`, timers, paths, listens); systemd names it in its refusal. */
export function wireName(group: string, field: string): string {
  if (group === 'timer' && field === 'OnCalendar') return 'TimersCalendar';
  if (group === 'timer' && /^On.*Sec$/.test(field)) return 'TimersMonotonic';
  if (group === 'path' && (field.startsWith('Path') || field === 'DirectoryNotEmpty')) return 'Paths';
  if (group === 'socket' && field.startsWith('Listen')) return 'Listen';
  if (field.endsWith('Sec') && !field.endsWith('NSec')) return `${field.slice(0, -3)}USec`;
  return field;
}

/** Which groups of properties a unit type takes (systemctl's switch on the unit type). */
const GROUPS_BY_TYPE: Record<string, ('cgroup' | 'exec' | 'kill' | 'service')[]> = {
  service: ['cgroup', 'exec', 'kill', 'service'],
  socket: ['cgroup', 'exec', 'kill'],
  slice: ['cgroup'],
  scope: ['cgroup', 'kill'],
  mount: ['cgroup', 'exec', 'kill'],
  timer: [],
  path: [],
  automount: [],
  target: [],
  device: [],
  swap: [],
};

const str = (name: string, value: string): PropertyValue => ({ name, signature: 's', value });

function bool(name: string, eq: string): PropertyValue {
  const b = parseBoolean(eq);
  if (b === undefined) fail(`Failed to parse ${name}: ${eq}`);
  return { name, signature: 'b', value: b };
}

function strv(name: string, eq: string): PropertyValue {
  const words = splitWords(eq);
  if (!words) fail(`Invalid syntax: ${eq}`);
  return { name, signature: 'as', value: words };
}

function secRename(name: string, eq: string): PropertyValue {
  const t = parseSec(eq);
  if (!t.ok) fail(`Failed to parse ${name}=${eq}: ${errnoText(t.errno)}`);
  return { name: `${name.slice(0, -3)}USec`, signature: 't', value: (t as { value: bigint }).value };
}

function ptr(name: string, eq: string, sig: string, r: { ok: true; value: unknown } | { ok: false; errno: ParseErrno }): PropertyValue {
  if (!r.ok) fail(`Failed to parse ${name}=${eq}: ${errnoText(r.errno)}`);
  return { name, signature: sig, value: (r as { value: unknown }).value };
}

/** `cg_weight_parse` and kin: empty → UINT64_MAX ("unset"), else a number in [min, max]. */
function weight(eq: string, min: bigint, max: bigint, idle = false): { ok: true; value: bigint } | { ok: false; errno: ParseErrno } {
  if (idle && eq === 'idle') return { ok: true, value: 0n };
  if (isEmpty(eq)) return { ok: true, value: UINT64_MAX };
  const r = safeAtou64(eq);
  if (!r.ok) return r;
  if (r.value < min || r.value > max) return { ok: false, errno: 'ERANGE' };
  return r;
}

function cgroupProperty(field: string, eq: string): PropertyValue[] | null {
  if (CGROUP_STRINGS.includes(field)) return [str(field, eq)];
  if (field === 'ManagedOOMMemoryPressureLimit') {
    const r = parsePermyriad(eq);
    if (typeof r !== 'number') fail(`Failed to parse ${field} value: ${eq}`);
    return [{ name: field, signature: 'u', value: uint32ScaleFromPermyriad(r as number) }];
  }
  if (CGROUP_BOOLEANS.includes(field)) return [bool(field, eq)];
  if (field === 'CPUWeight' || field === 'StartupCPUWeight') return [ptr(field, eq, 't', weight(eq, 1n, 10000n, true))];
  if (field === 'IOWeight' || field === 'StartupIOWeight') return [ptr(field, eq, 't', weight(eq, 1n, 10000n))];
  if (field === 'CPUShares' || field === 'StartupCPUShares') return [ptr(field, eq, 't', weight(eq, 2n, 262144n))];
  if (CPU_SETS.includes(field)) {
    const cpus = parseCpuSet(eq);
    if (!cpus) fail(`Failed to parse ${field} value: ${eq}`);
    return [{ name: field, signature: 'ay', value: cpuSetToBytes(cpus!) }];
  }
  if (field === 'BlockIOWeight' || field === 'StartupBlockIOWeight') return [ptr(field, eq, 't', weight(eq, 10n, 1000n))];
  if (field === 'DisableControllers') return [strv(field, eq)];
  if (field === 'Delegate') {
    const b = parseBoolean(eq);
    if (b === undefined) return [strv('DelegateControllers', eq)];
    return [{ name: 'Delegate', signature: 'b', value: b }];
  }
  if (MEMORY_LIMITS.includes(field)) {
    if (eq === 'infinity') return [{ name: field, signature: 't', value: UINT64_MAX }];
    if (isEmpty(eq)) return [{ name: field, signature: 't', value: MEMORY_LIMITS_EMPTY_MIN.includes(field) ? 0n : UINT64_MAX }];
    const pct = parsePermyriad(eq);
    if (typeof pct === 'number') return [{ name: `${field}Scale`, signature: 'u', value: uint32ScaleFromPermyriad(pct) }];
    if (field === 'TasksMax') return [ptr(field, eq, 't', safeAtou64(eq))];
    return [ptr(field, eq, 't', parseSize(eq, 1024))];
  }
  if (field === 'CPUQuota') {
    if (isEmpty(eq)) return [{ name: 'CPUQuotaPerSecUSec', signature: 't', value: UINT64_MAX }];
    const r = parsePermyriadUnbounded(eq);
    if (r === 0) fail('CPU quota too small.');
    if (typeof r !== 'number') fail(`CPU quota '${eq}' invalid.`);
    return [{ name: 'CPUQuotaPerSecUSec', signature: 't', value: (BigInt(r as number) * 1_000_000n) / 10000n }];
  }
  if (field === 'CPUQuotaPeriodSec') {
    const r = isEmpty(eq) ? ({ ok: true, value: UINT64_MAX } as const) : parseSec(eq);
    if (!r.ok) fail(`CPU quota period '${eq}' invalid.`);
    return [{ name: 'CPUQuotaPeriodUSec', signature: 't', value: (r as { value: bigint }).value }];
  }
  if (field === 'DeviceAllow') {
    if (isEmpty(eq)) return [{ name: field, signature: 'a(ss)', value: [] }];
    const sp = eq.indexOf(' ');
    return [{ name: field, signature: 'a(ss)', value: [sp >= 0 ? [eq.slice(0, sp), eq.slice(sp + 1)] : [eq, '']] }];
  }
  if (IO_LIMITS.includes(field)) {
    if (isEmpty(eq)) return [{ name: field, signature: 'a(st)', value: [] }];
    const sp = eq.indexOf(' ');
    if (sp < 0) fail(`Failed to parse ${field} value ${eq}.`);
    const bandwidth = eq.slice(sp + 1);
    let bytes = UINT64_MAX;
    if (bandwidth !== 'infinity') {
      const r = parseSize(bandwidth, 1000);
      if (!r.ok) fail(`Failed to parse byte value ${bandwidth}: ${errnoText(r.errno)}`);
      bytes = (r as { value: bigint }).value;
    }
    return [{ name: field, signature: 'a(st)', value: [[eq.slice(0, sp), bytes]] }];
  }
  if (field === 'IODeviceWeight' || field === 'BlockIODeviceWeight') {
    if (isEmpty(eq)) return [{ name: field, signature: 'a(st)', value: [] }];
    const sp = eq.indexOf(' ');
    if (sp < 0) fail(`Failed to parse ${field} value ${eq}.`);
    const w = eq.slice(sp + 1);
    const r = safeAtou64(w);
    if (!r.ok) fail(`Failed to parse ${field} value ${w}: ${errnoText(r.errno)}`);
    return [{ name: field, signature: 'a(st)', value: [[eq.slice(0, sp), (r as { value: bigint }).value]] }];
  }
  if (field === 'IODeviceLatencyTargetSec') {
    if (isEmpty(eq)) return [{ name: 'IODeviceLatencyTargetUSec', signature: 'a(st)', value: [] }];
    const sp = eq.indexOf(' ');
    if (sp < 0) fail(`Failed to parse ${field} value ${eq}.`);
    const target = eq.slice(sp + 1);
    const r = parseSec(target);
    if (!r.ok) fail(`Failed to parse ${field} value ${target}: ${errnoText(r.errno)}`);
    return [{ name: 'IODeviceLatencyTargetUSec', signature: 'a(st)', value: [[eq.slice(0, sp), (r as { value: bigint }).value]] }];
  }
  if (field === 'IPAddressAllow' || field === 'IPAddressDeny') {
    const sig = 'a(iayu)';
    if (isEmpty(eq)) return [{ name: field, signature: sig, value: [] }];
    const zero4 = Buffer.alloc(4);
    const zero6 = Buffer.alloc(16);
    const six = (first: number[]): Buffer => Buffer.from([...first, ...new Array<number>(16 - first.length).fill(0)]);
    if (eq === 'any') return [{ name: field, signature: sig, value: [[2, zero4, 0], [10, zero6, 0]] }];
    if (eq === 'localhost' || eq === 'localhost.localdomain' || /^([^.]+\.)*localhost(\.localdomain)?\.?$/.test(eq)) {
      return [{ name: field, signature: sig, value: [[2, Buffer.from([127, 0, 0, 0]), 8], [10, six([...new Array<number>(15).fill(0), 1]), 128]] }];
    }
    if (eq === 'link-local') return [{ name: field, signature: sig, value: [[2, Buffer.from([169, 254, 0, 0]), 16], [10, six([0xfe, 0x80]), 64]] }];
    if (eq === 'multicast') return [{ name: field, signature: sig, value: [[2, Buffer.from([224, 0, 0, 0]), 4], [10, six([0xff]), 8]] }];
    const entries: [number, Buffer, number][] = [];
    for (const word of eq.split(/[ \t\n\r]+/).filter((w) => w !== '')) {
      const p = parseAddressPrefix(word);
      if (!p) fail(`Failed to parse IP address prefix: ${word}`);
      entries.push(p!);
    }
    return [{ name: field, signature: sig, value: entries }];
  }
  if (field === 'IPIngressFilterPath' || field === 'IPEgressFilterPath') return [{ name: field, signature: 'as', value: isEmpty(eq) ? [] : [eq] }];
  if (field === 'BPFProgram') {
    if (isEmpty(eq)) return [{ name: field, signature: 'a(ss)', value: [] }];
    const colon = eq.indexOf(':');
    return [{ name: field, signature: 'a(ss)', value: [colon >= 0 ? [eq.slice(0, colon), eq.slice(colon + 1)] : [eq, '']] }];
  }
  return null;
}

function killProperty(field: string, eq: string): PropertyValue[] | null {
  if (field === 'KillMode') return [str(field, eq)];
  if (field === 'SendSIGHUP' || field === 'SendSIGKILL') return [bool(field, eq)];
  if (KILL_SIGNALS.includes(field)) {
    const r = parseSignal(eq);
    if (!r.ok) fail(`Failed to parse ${field}: ${eq}`);
    return [{ name: field, signature: 'i', value: (r as { value: number }).value }];
  }
  return null;
}

function execProperty(field: string, eq: string): PropertyValue[] | null {
  if (EXEC_STRINGS.includes(field)) return [str(field, eq)];
  if (EXEC_BOOLEANS.includes(field)) return [bool(field, eq)];
  if (EXEC_LISTS.includes(field)) return [strv(field, eq)];
  if (field === 'SyslogLevel' || field === 'LogLevelMax') {
    const l = logLevelFromString(eq);
    if (l === null) fail(`Failed to parse ${field}: ${eq}`);
    return [{ name: field, signature: 'i', value: l }];
  }
  if (field === 'CPUSchedulingPriority' || field === 'OOMScoreAdjust') return [ptr(field, eq, 'i', safeAtoi(eq))];
  if (field === 'Nice') {
    const r = safeAtoi(eq);
    return [ptr(field, eq, 'i', r.ok && (r.value < -20 || r.value > 19) ? { ok: false, errno: 'ERANGE' } : r)];
  }
  return null;
}

function serviceProperty(field: string, eq: string): PropertyValue[] | null {
  if (SERVICE_STRINGS.includes(field)) return [str(field, eq)];
  if (SERVICE_BOOLEANS.includes(field)) return [bool(field, eq)];
  if (SERVICE_SECS.includes(field)) return [secRename(field, eq)];
  if (field === 'TimeoutSec') return [secRename('TimeoutStartSec', eq), secRename('TimeoutStopSec', eq)];
  if (field === 'FileDescriptorStoreMax') return [ptr(field, eq, 'u', safeAtou32(eq))];
  return null;
}

function unitProperty(field: string, eq: string): PropertyValue[] | null {
  if (UNIT_STRINGS.includes(field)) return [str(field, eq)];
  if (UNIT_BOOLEANS.includes(field)) return [bool(field, eq)];
  if (UNIT_SECS.includes(field)) return [secRename(field, eq)];
  if (field === 'StartLimitBurst') return [ptr(field, eq, 'u', safeAtou32(eq))];
  if (field === 'SuccessActionExitStatus' || field === 'FailureActionExitStatus') {
    if (isEmpty(eq)) return [{ name: field, signature: 'i', value: -1 }];
    const r = safeAtou32(eq);
    if (!r.ok || r.value > 255) fail(`Failed to parse ${field}=${eq}`);
    return [{ name: field, signature: 'i', value: (r as { value: number }).value }];
  }
  if (UNIT_LISTS.includes(field)) return [strv(field, eq)];
  const cond = field.startsWith('Condition') ? 'Conditions' : field.startsWith('Assert') ? 'Asserts' : null;
  if (cond && CONDITIONS.includes(field.slice(cond === 'Conditions' ? 9 : 6))) {
    if (isEmpty(eq)) return [{ name: cond, signature: 'a(sbbs)', value: [] }];
    let p = eq;
    const trigger = p.startsWith('|');
    if (trigger) p = p.slice(1);
    const negate = p.startsWith('!');
    if (negate) p = p.slice(1);
    return [{ name: cond, signature: 'a(sbbs)', value: [[field, trigger, negate, p]] }];
  }
  return null;
}

/**
 * One `NAME=VALUE` for a unit of `unitType` (`service`, `slice`, …) → the SetUnitProperties
 * entries systemctl would send (`TimeoutSec=` makes two), or systemctl's error.
 */
export function parseUnitPropertyAssignment(unitType: string, assignment: string): PropertyValue[] {
  const eqAt = assignment.indexOf('=');
  if (eqAt < 0) fail(`Not an assignment: ${assignment}`);
  const field = assignment.slice(0, eqAt);
  const eq = assignment.slice(eqAt + 1);
  const groups = GROUPS_BY_TYPE[unitType];
  if (!groups) fail(`Invalid unit type: ${unitType}`);
  const parsers = { cgroup: cgroupProperty, exec: execProperty, kill: killProperty, service: serviceProperty };
  for (const g of groups!) {
    const r = parsers[g](field, eq) ?? (PASSTHROUGH[g]?.includes(field) ? [str(wireName(g, field), eq)] : null);
    if (r) return r;
  }
  // the groups that have no parser of their own here: only names systemd refuses on a loaded unit
  const own = unitType === 'scope' || unitType === 'timer' || unitType === 'path' || unitType === 'mount' || unitType === 'socket' ? unitType : null;
  if (own && PASSTHROUGH[own]!.includes(field)) return [str(wireName(own, field), eq)];
  if (unitType === 'automount') {
    if (field === 'Where' || field === 'ExtraOptions') return [str(field, eq)];
    if (field === 'TimeoutIdleSec') return [secRename(field, eq)];
  }
  const r = unitProperty(field, eq);
  if (r) return r;
  return fail(`Unknown assignment: ${assignment}`);
}

/** Every assignment in order; the first bad one throws (nothing is sent). */
export function parseUnitPropertyAssignments(unitType: string, assignments: string[]): PropertyValue[] {
  return assignments.flatMap((a) => parseUnitPropertyAssignment(unitType, a));
}

/**
 * A property value as JSON can carry it: BigInt → number (`null` for UINT64_MAX, systemd's
 * "infinity"/"unset", as everywhere in sysherd's JSON), Buffer → byte array.
 */
export function jsonPropertyValue(v: unknown): unknown {
  if (typeof v === 'bigint') return v === UINT64_MAX ? null : Number(v);
  if (Buffer.isBuffer(v)) return [...v];
  if (Array.isArray(v)) return v.map(jsonPropertyValue);
  return v;
}
