/**
 * One service as herd sees it, from its D-Bus properties: the status symbol, the running value,
 * enablement, what it provides and requires, its actions, its respawn policy, its log files, and
 * what a daemon-reload + restart would change (the replacement).
 */
import * as fs from 'node:fs';

import { SystemdError } from '../core/errors.js';
import type { Manager } from '../core/manager.js';
import { unitTypeOf } from '../core/names.js';
import type { ExecCommand, ServiceProperties, UnitInterface, UnitObject, UnitProperties } from '../core/unit.js';
import { serviceName } from './names.js';

export type StatusSymbol = 'stopped' | 'starting' | 'running' | 'stopping';

/** The running value: a PID, `true` (running without a process), listen addresses (a socket), or `false`. */
export type RunningValue = number | true | string[] | false;

/** Everything read from the bus about one unit. */
export interface Snapshot {
  unit: string;
  unitObject: UnitObject;
  props: UnitProperties;
  /** The type's own interface (`Service`, `Socket`, `Timer`, …), `{}` when it has none. */
  typeProps: Record<string, unknown>;
}

const TYPE_IFACES: Record<string, UnitInterface> = {
  service: 'org.freedesktop.systemd1.Service',
  socket: 'org.freedesktop.systemd1.Socket',
  timer: 'org.freedesktop.systemd1.Timer',
  mount: 'org.freedesktop.systemd1.Mount',
  path: 'org.freedesktop.systemd1.Path',
  swap: 'org.freedesktop.systemd1.Swap',
  scope: 'org.freedesktop.systemd1.Scope',
  slice: 'org.freedesktop.systemd1.Slice',
  automount: 'org.freedesktop.systemd1.Automount',
};

/** herd's "service 'x' could not be found" (exit 1). */
export class ServiceNotFoundError extends SystemdError {
  override name = 'ServiceNotFoundError';
  constructor(name: string) {
    super(`service '${name}' could not be found`);
  }
}

/** Load a unit and read its properties; `ServiceNotFoundError` when there is no such unit. */
export async function snapshot(m: Manager, unit: string, asked = serviceName(unit)): Promise<Snapshot> {
  let obj: UnitObject;
  try {
    obj = await m.loadUnit(unit);
  } catch (e) {
    if (e instanceof SystemdError && e.isNoSuchUnit) throw new ServiceNotFoundError(asked);
    throw e;
  }
  const iface = TYPE_IFACES[unitTypeOf(unit) ?? ''];
  const [props, typeProps] = await Promise.all([obj.unitProperties(), iface ? (iface === 'org.freedesktop.systemd1.Service' ? obj.serviceProperties() : obj.getAll(iface)) : Promise.resolve({})]);
  if (props.LoadState === 'not-found') throw new ServiceNotFoundError(asked);
  return { unit: props.Id || unit, unitObject: obj, props, typeProps };
}

/**
 * A snapshot with only the named properties (one pipelined Get each): for views over many units
 * (the graph), where decoding every property of every unit is most of the time.
 */
export async function lightSnapshot(m: Manager, unit: string, unitProps: string[], serviceProps: string[], asked = serviceName(unit)): Promise<Snapshot> {
  let obj: UnitObject;
  try {
    obj = await m.loadUnit(unit);
  } catch (e) {
    if (e instanceof SystemdError && e.isNoSuchUnit) throw new ServiceNotFoundError(asked);
    throw e;
  }
  const U = 'org.freedesktop.systemd1.Unit';
  const isService = unitTypeOf(unit) === 'service';
  const names = ['Id', 'LoadState', ...unitProps];
  const [uv, sv] = await Promise.all([
    Promise.all(names.map((p) => obj.get(U, p))),
    isService ? Promise.all(serviceProps.map((p) => obj.get('org.freedesktop.systemd1.Service', p))) : Promise.resolve([]),
  ]);
  const props = Object.fromEntries(names.map((p, i) => [p, uv[i]])) as UnitProperties;
  if (props.LoadState === 'not-found') throw new ServiceNotFoundError(asked);
  const typeProps = isService ? Object.fromEntries(serviceProps.map((p, i) => [p, sv[i]])) : {};
  return { unit: props.Id || unit, unitObject: obj, props, typeProps };
}

/** herd's status symbol of an ActiveState. */
export function statusSymbol(active: string): StatusSymbol {
  switch (active) {
    case 'active':
    case 'reloading':
    case 'refreshing':
      return 'running';
    case 'activating':
      return 'starting';
    case 'deactivating':
      return 'stopping';
    default:
      return 'stopped';
  }
}

function service(s: Snapshot): Partial<ServiceProperties> {
  return unitTypeOf(s.unit) === 'service' ? (s.typeProps as Partial<ServiceProperties>) : {};
}

/** A socket's listen addresses. */
export function listenAddresses(s: Snapshot): string[] {
  const l = s.typeProps.Listen;
  return Array.isArray(l) ? (l as [string, string][]).map((x) => x[1]) : [];
}

/** The running value (`service-running-value`): main PID, listen addresses, `true`, or `false` when stopped. */
export function runningValue(s: Snapshot): RunningValue {
  if (statusSymbol(s.props.ActiveState) !== 'running') return false;
  const pid = service(s).MainPID ?? 0;
  if (pid > 0) return pid;
  if (unitTypeOf(s.unit) === 'socket') {
    const l = listenAddresses(s);
    return l.length > 0 ? l : true;
  }
  return true;
}

/** A running value as herd prints it. */
export function formatRunningValue(v: RunningValue): string {
  if (v === false) return '#f';
  if (v === true) return 'yes';
  if (Array.isArray(v)) return v.join(', ');
  return String(v);
}

/** Whether the service is a one-shot (runs to completion, then counts as stopped). */
export function isOneShot(s: Snapshot): boolean {
  const sp = service(s);
  return sp.Type === 'oneshot' && sp.RemainAfterExit !== true;
}

/** `service-enabled?`: its unit file is enabled (also at runtime). */
export function isEnabled(s: Snapshot): boolean {
  return /^enabled/.test(s.props.UnitFileState);
}

/** `Will be respawned`: Restart= is not `no`. */
export function willRespawn(s: Snapshot): boolean {
  const r = service(s).Restart;
  return r !== undefined && r !== 'no';
}

/** The main process's command line (the ExecStart= that runs), `null` when there is none. */
export function command(s: Snapshot): string[] | null {
  const exec = service(s).ExecStart as ExecCommand[] | undefined;
  if (!exec || exec.length === 0) return null;
  const pid = service(s).MainPID ?? 0;
  const running = exec.find((e) => e.pid === pid && pid > 0) ?? exec[exec.length - 1]!;
  return running.argv.length > 0 ? running.argv : [running.path];
}

/** The main process's last exit, from the properties; `null` when it never exited. */
export function lastExit(s: Snapshot): { usec: number; code: string; status: number } | null {
  const sp = service(s);
  if (!sp.ExecMainExitTimestamp) return null;
  const code = sp.ExecMainCode === 1 ? 'exited' : sp.ExecMainCode === 2 ? 'killed' : sp.ExecMainCode === 3 ? 'dumped' : null;
  if (code === null) return null;
  return { usec: sp.ExecMainExitTimestamp, code, status: sp.ExecMainStatus ?? 0 };
}

/** Names and aliases (display form). */
export function provides(s: Snapshot): string[] {
  const names = s.props.Names.length > 0 ? s.props.Names : [s.unit];
  return [s.unit, ...names.filter((n) => n !== s.unit)].map(serviceName);
}

/** Hard requirements (Requires=, BindsTo=), display form. */
export function requires(s: Snapshot): string[] {
  return [...new Set([...(s.props.Requires ?? []), ...((s.props.BindsTo as string[] | undefined) ?? [])])].map(serviceName);
}

/** The edges herd graph draws: Requires=, Wants=, BindsTo=. */
export function dependencies(s: Snapshot): { to: string; kind: 'Requires' | 'Wants' | 'BindsTo' }[] {
  const out: { to: string; kind: 'Requires' | 'Wants' | 'BindsTo' }[] = [];
  for (const kind of ['Requires', 'BindsTo', 'Wants'] as const) {
    for (const to of (s.props[kind] as string[] | undefined) ?? []) out.push({ to, kind });
  }
  return out;
}

// ── the unit file on disk ────────────────────────────────────────────────────────────────

/** `Key=value` settings of unit files (fragment, then drop-ins), later ones appended; empty resets. */
export function parseUnitFiles(texts: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const text of texts) {
    let section = '';
    const lines = text.replace(/\\\n/g, ' ').split('\n');
    for (const raw of lines) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
      if (line.startsWith('[')) {
        section = line.slice(1, line.indexOf(']'));
        continue;
      }
      const eq = line.indexOf('=');
      if (eq < 0) continue;
      const key = `${section}.${line.slice(0, eq).trim()}`;
      const value = line.slice(eq + 1).trim();
      if (value === '') out.set(key, []);
      else out.set(key, [...(out.get(key) ?? []), value]);
    }
  }
  return out;
}

/** Where systemd looks for unit files and drop-ins, most important first. */
export function unitSearchPath(scope: 'system' | 'user'): string[] {
  if (scope === 'user') {
    const home = process.env.HOME ?? '';
    const config = process.env.XDG_CONFIG_HOME || `${home}/.config`;
    const rt = process.env.XDG_RUNTIME_DIR;
    return [`${config}/systemd/user`, '/etc/systemd/user', ...(rt ? [`${rt}/systemd/user`] : []), '/run/systemd/user', `${home}/.local/share/systemd/user`, '/usr/local/lib/systemd/user', '/usr/lib/systemd/user'];
  }
  return ['/etc/systemd/system', '/run/systemd/system', '/usr/local/lib/systemd/system', '/usr/lib/systemd/system', '/lib/systemd/system'];
}

/**
 * The unit files of these types on this machine's disk (names), as ListUnitFiles would list
 * them but without asking systemd to read every file: templates, aliases (symlinks to another
 * name) and masked units (symlinks to /dev/null) left out.
 */
export function unitFilesOnDisk(scope: 'system' | 'user', types: string[]): string[] {
  const out = new Set<string>();
  for (const dir of unitSearchPath(scope)) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) {
      if (n.includes('@.') || !types.includes(unitTypeOf(n) ?? '')) continue;
      try {
        const st = fs.lstatSync(`${dir}/${n}`);
        if (st.isSymbolicLink()) {
          const target = fs.readlinkSync(`${dir}/${n}`);
          if (target === '/dev/null' || target.slice(target.lastIndexOf('/') + 1) !== n) continue;
        } else if (!st.isFile()) continue;
      } catch {
        continue;
      }
      out.add(n);
    }
  }
  return [...out];
}

/**
 * The drop-ins on disk now (`UNIT.d/*.conf` in every directory of the search path, a name in a
 * more important directory hiding the same name elsewhere), in the order systemd applies them.
 * New ones are not in the loaded DropInPaths yet.
 */
export function dropInsOnDisk(s: Snapshot, scope: 'system' | 'user'): string[] {
  const byName = new Map<string, string>();
  const dirs = [...unitSearchPath(scope)];
  const frag = s.props.FragmentPath;
  if (frag) dirs.push(frag.slice(0, frag.lastIndexOf('/')));
  for (const dir of dirs) {
    const d = `${dir}/${s.unit}.d`;
    let names: string[];
    try {
      names = fs.readdirSync(d);
    } catch {
      continue;
    }
    for (const n of names) if (n.endsWith('.conf') && !byName.has(n)) byName.set(n, `${d}/${n}`);
  }
  return [...byName.keys()].sort().map((n) => byName.get(n)!);
}

/** The unit's files as they are on disk now (unreadable ones left out). */
export function readUnitFiles(s: Snapshot, scope: 'system' | 'user' = 'system'): string[] {
  const dropIns = new Set([...(s.props.DropInPaths ?? []), ...dropInsOnDisk(s, scope)]);
  const files = [s.props.FragmentPath, ...[...dropIns].sort((a, b) => (a.slice(a.lastIndexOf('/')) < b.slice(b.lastIndexOf('/')) ? -1 : 1))].filter((f) => f);
  const out: string[] = [];
  for (const f of files) {
    try {
      out.push(fs.readFileSync(f, 'utf8'));
    } catch {
      /* gone or unreadable: nothing to say about it */
    }
  }
  return out;
}

/** `Log file: F`: StandardOutput=/StandardError= `file:`/`append:`/`truncate:`, and LogsDirectory=. */
export function logFiles(s: Snapshot, settings: Map<string, string[]>, scope: 'system' | 'user' = 'system'): string[] {
  const out: string[] = [];
  for (const key of ['Service.StandardOutput', 'Service.StandardError', 'Socket.StandardOutput', 'Socket.StandardError']) {
    const v = settings.get(key)?.at(-1);
    const m = v ? /^(file|append|truncate):(.+)$/.exec(v) : null;
    if (m && !out.includes(m[2]!)) out.push(m[2]!);
  }
  const base = scope === 'user' ? `${process.env.XDG_STATE_HOME || `${process.env.HOME ?? ''}/.local/state`}/log` : '/var/log';
  const dirs = service(s).LogsDirectory;
  if (Array.isArray(dirs)) for (const d of dirs as string[]) out.push(`${base}/${d}`);
  return out;
}

/** One setting a daemon-reload + restart would change. */
export interface PendingChange {
  setting: string;
  loaded: string;
  onDisk: string;
}

const cmdline = (e: ExecCommand): string => e.argv.join(' ');
const stripPrefix = (v: string): string => v.replace(/^[-@:+!]+/, '');

/**
 * The replacement (`service-replacement`): when the unit file or a drop-in changed on disk
 * (NeedDaemonReload), the settings whose value on disk differs from the loaded one.
 */
export function pendingChanges(s: Snapshot, settings: Map<string, string[]>): PendingChange[] {
  const out: PendingChange[] = [];
  const cmp = (setting: string, loaded: string, onDisk: string | undefined): void => {
    if (onDisk === undefined) onDisk = '';
    if (loaded !== onDisk) out.push({ setting, loaded, onDisk });
  };
  const disk = (k: string): string[] | undefined => settings.get(k);
  cmp('Description', s.props.Description === s.unit ? '' : s.props.Description, disk('Unit.Description')?.at(-1));
  for (const dep of ['Requires', 'Wants', 'BindsTo'] as const) {
    const onDisk = disk(`Unit.${dep}`);
    if (onDisk === undefined) continue; // default dependencies come from elsewhere
    const want = onDisk.flatMap((v) => v.split(/\s+/)).filter((x) => x);
    const have = (s.props[dep] as string[]) ?? [];
    const missing = want.filter((w) => !have.includes(w));
    if (missing.length > 0) out.push({ setting: dep, loaded: have.join(' '), onDisk: want.join(' ') });
  }
  if (unitTypeOf(s.unit) === 'service') {
    const sp = service(s);
    for (const k of ['ExecStart', 'ExecStartPre', 'ExecStartPost', 'ExecReload', 'ExecStop'] as const) {
      const loaded = ((sp[k] as ExecCommand[] | undefined) ?? []).map(cmdline).join('; ');
      const onDisk = disk(`Service.${k}`)?.map((v) => stripPrefix(v).replace(/\s+/g, ' ')).join('; ');
      if (onDisk === undefined && loaded === '') continue;
      if (loaded.replace(/\s+/g, ' ') !== (onDisk ?? '').replace(/\s+/g, ' ')) out.push({ setting: k, loaded, onDisk: onDisk ?? '' });
    }
    for (const k of ['Type', 'Restart', 'User', 'Group', 'WorkingDirectory'] as const) {
      const d = disk(`Service.${k}`)?.at(-1);
      if (d === undefined) continue;
      const loaded = String(sp[k] ?? '');
      if (loaded !== d) out.push({ setting: k, loaded, onDisk: d });
    }
  }
  return out;
}

/** The actions a unit type supports, after herd's own start/stop/status/… (the custom ones). */
export function customActions(s: Snapshot): string[] {
  const type = unitTypeOf(s.unit) ?? '';
  const out: string[] = [];
  if (s.props.CanReload) out.push('reload');
  if (['service', 'socket', 'mount', 'swap', 'scope'].includes(type)) out.push('kill');
  const clean = s.props.CanClean;
  if (Array.isArray(clean) && clean.length > 0) out.push('clean');
  if (s.props.CanFreeze === true) out.push('freeze', 'thaw');
  out.push('reset-failed');
  return out;
}

/** herd's built-in actions, for every service. */
export const BUILTIN_ACTIONS = ['start', 'stop', 'restart', 'status', 'enable', 'disable', 'doc'];
