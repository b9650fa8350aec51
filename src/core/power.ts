/**
 * The system's state: systemctl's special verbs (poweroff, reboot, halt, kexec, suspend…,
 * default, rescue, emergency, exit) as one table, and `org.freedesktop.login1.Manager`, which
 * does the shutdown and sleep verbs for whoever polkit allows (systemctl 252's
 * systemctl-start-special.c and systemctl-logind.c).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Bus } from './bus.js';
import type { ManagerEndMethod } from './manager.js';
import type { JobMode } from './types.js';
import { safeAtou32 } from './kill-signal.js';

/** logind's shutdown and sleep methods (each also as `…WithFlags(t flags)`). */
export type LogindAction = 'PowerOff' | 'Reboot' | 'Halt' | 'Suspend' | 'Hibernate' | 'HybridSleep' | 'SuspendThenHibernate';

export interface SystemAction {
  verb: string;
  /** The target the manager starts (systemctl's action_table). */
  target: string;
  mode: JobMode;
  /** The logind method, for the verbs logind does (tried first, as systemctl). */
  logind: LogindAction | null;
  /** The manager's own method for `-f` (none: `-f` changes nothing for the verb). */
  managerMethod: ManagerEndMethod | null;
  /** halt, poweroff, reboot: --firmware-setup & co apply, `-ff` skips the manager. */
  termination: boolean;
  /** systemctl refuses it with --user ("Bad action for --user mode."). */
  systemOnly: boolean;
  /** Positional arguments it takes (reboot: ARG, exit: CODE). */
  maxArgs: 0 | 1;
  /** What `-ff` (halt_now) says it does. */
  nowMessage?: string;
  description: string;
}

const R = 'replace-irreversibly' as JobMode;
const I = 'isolate' as JobMode;

/** systemctl 252's action_table, for the verbs that start one. */
export const SYSTEM_ACTIONS: readonly SystemAction[] = [
  { verb: 'halt', target: 'halt.target', mode: R, logind: 'Halt', managerMethod: 'Halt', termination: true, systemOnly: true, maxArgs: 0, nowMessage: 'Halting.', description: 'Shut down and halt the system' },
  { verb: 'poweroff', target: 'poweroff.target', mode: R, logind: 'PowerOff', managerMethod: 'PowerOff', termination: true, systemOnly: true, maxArgs: 0, nowMessage: 'Powering off.', description: 'Shut down and power-off the system' },
  { verb: 'reboot', target: 'reboot.target', mode: R, logind: 'Reboot', managerMethod: 'Reboot', termination: true, systemOnly: true, maxArgs: 1, nowMessage: 'Rebooting.', description: 'Shut down and reboot the system' },
  { verb: 'kexec', target: 'kexec.target', mode: R, logind: 'Reboot', managerMethod: 'KExec', termination: false, systemOnly: true, maxArgs: 0, description: 'Shut down and reboot the system with kexec' },
  { verb: 'suspend', target: 'suspend.target', mode: R, logind: 'Suspend', managerMethod: null, termination: false, systemOnly: true, maxArgs: 0, description: 'Suspend the system' },
  { verb: 'hibernate', target: 'hibernate.target', mode: R, logind: 'Hibernate', managerMethod: null, termination: false, systemOnly: true, maxArgs: 0, description: 'Hibernate the system' },
  { verb: 'hybrid-sleep', target: 'hybrid-sleep.target', mode: R, logind: 'HybridSleep', managerMethod: null, termination: false, systemOnly: true, maxArgs: 0, description: 'Hibernate and suspend the system' },
  { verb: 'suspend-then-hibernate', target: 'suspend-then-hibernate.target', mode: R, logind: 'SuspendThenHibernate', managerMethod: null, termination: false, systemOnly: true, maxArgs: 0, description: 'Suspend the system, wake after a period of time, and hibernate' },
  { verb: 'default', target: 'default.target', mode: I, logind: null, managerMethod: null, termination: false, systemOnly: false, maxArgs: 0, description: 'Enter system default mode' },
  { verb: 'rescue', target: 'rescue.target', mode: I, logind: null, managerMethod: null, termination: false, systemOnly: true, maxArgs: 0, description: 'Enter system rescue mode' },
  { verb: 'emergency', target: 'emergency.target', mode: I, logind: null, managerMethod: null, termination: false, systemOnly: true, maxArgs: 0, description: 'Enter system emergency mode' },
  { verb: 'exit', target: 'exit.target', mode: R, logind: null, managerMethod: 'Exit', termination: false, systemOnly: false, maxArgs: 1, description: 'Request user instance or container exit' },
];

export function systemAction(verb: string): SystemAction | undefined {
  return SYSTEM_ACTIONS.find((a) => a.verb === verb);
}

// ── logind ───────────────────────────────────────────────────────────────────────────────────

export const LOGIN1 = 'org.freedesktop.login1';
const LOGIN1_PATH = '/org/freedesktop/login1';
const LOGIN1_IFACE = 'org.freedesktop.login1.Manager';

/** Flags of logind's `…WithFlags` methods (sd-login.h). */
export const SD_LOGIND_ROOT_CHECK_INHIBITORS = 1;
export const SD_LOGIND_REBOOT_VIA_KEXEC = 2;

/** One inhibitor lock, as ListInhibitors returns it (`a(ssssuu)`). */
export interface Inhibitor {
  what: string;
  who: string;
  why: string;
  mode: string;
  uid: number;
  pid: number;
}

/** `org.freedesktop.login1.Manager` over one connection to a bus daemon. */
export class Logind {
  constructor(readonly bus: Bus) {}

  private call(member: string, signature = '', body: unknown[] = [], mutating = true): Promise<unknown[]> {
    return this.bus.call({ destination: LOGIN1, path: LOGIN1_PATH, interface: LOGIN1_IFACE, member, signature, body, mutating });
  }

  /** SetWallMessage(s wall_message, b enable). */
  async setWallMessage(message: string, enable: boolean): Promise<void> {
    await this.call('SetWallMessage', 'sb', [message, enable]);
  }

  /** PowerOffWithFlags(t flags), RebootWithFlags, SuspendWithFlags, … */
  async withFlags(action: LogindAction, flags: number): Promise<void> {
    await this.call(`${action}WithFlags`, 't', [BigInt(flags)]);
  }

  /** PowerOff(b interactive), Reboot(b), … (logind before 248). */
  async classic(action: LogindAction, interactive: boolean): Promise<void> {
    await this.call(action, 'b', [interactive]);
  }

  /** ListInhibitors() → a(ssssuu). */
  async listInhibitors(): Promise<Inhibitor[]> {
    const [list] = await this.call('ListInhibitors', '', [], false);
    return (list as unknown[][]).map((i) => ({
      what: i[0] as string,
      who: i[1] as string,
      why: i[2] as string,
      mode: i[3] as string,
      uid: i[4] as number,
      pid: i[5] as number,
    }));
  }

  /** SetRebootToFirmwareSetup(b enable). */
  async setRebootToFirmwareSetup(enable: boolean): Promise<void> {
    await this.call('SetRebootToFirmwareSetup', 'b', [enable]);
  }

  /** SetRebootToBootLoaderMenu(t timeout_usec). */
  async setRebootToBootLoaderMenu(usec: bigint): Promise<void> {
    await this.call('SetRebootToBootLoaderMenu', 't', [usec]);
  }

  /** SetRebootToBootLoaderEntry(s boot_loader_entry). */
  async setRebootToBootLoaderEntry(entry: string): Promise<void> {
    await this.call('SetRebootToBootLoaderEntry', 's', [entry]);
  }

  /** The BootLoaderEntries property (as). */
  async bootLoaderEntries(): Promise<string[]> {
    const [v] = await this.bus.call({
      destination: LOGIN1,
      path: LOGIN1_PATH,
      interface: 'org.freedesktop.DBus.Properties',
      member: 'Get',
      signature: 'ss',
      body: [LOGIN1_IFACE, 'BootLoaderEntries'],
    });
    return v as string[];
  }
}

/**
 * The errno sd-bus gives a D-Bus error name, for the three that make systemctl stop after logind
 * failed instead of trying the manager (bus-error.c and bus-common-errors.c: EACCES, EOPNOTSUPP,
 * EINPROGRESS); `null` for every other name.
 */
export function logindStopErrno(dbusName: string | undefined): 'EACCES' | 'EOPNOTSUPP' | 'EINPROGRESS' | null {
  switch (dbusName) {
    case 'org.freedesktop.DBus.Error.Failed':
    case 'org.freedesktop.DBus.Error.AccessDenied':
    case 'org.freedesktop.DBus.Error.AuthFailed':
    case 'org.freedesktop.DBus.Error.InteractiveAuthorizationRequired':
    case 'System.Error.EACCES':
      return 'EACCES';
    case 'org.freedesktop.DBus.Error.NotSupported':
    case 'org.freedesktop.login1.SleepVerbNotSupported':
    case 'System.Error.EOPNOTSUPP':
      return 'EOPNOTSUPP';
    case 'org.freedesktop.login1.OperationInProgress':
    case 'System.Error.EINPROGRESS':
      return 'EINPROGRESS';
    default:
      return null;
  }
}

// ── local facts systemctl reads from files ───────────────────────────────────────────────────

/** systemd's safe_atou8 (base 0: `0x10`, `010`, `0b…`, `0o…`; leading blanks and `+` allowed); `null` when invalid. */
export function parseExitCode(s: string): number | null {
  const r = safeAtou32(s);
  return r.ok && r.value <= 255 ? r.value : null;
}

/** systemd's reboot_parameter_is_valid: ASCII, at most NAME_MAX (255) bytes. */
export function isValidRebootParameter(s: string): boolean {
  return /^[\x00-\x7f]*$/.test(s) && s.length <= 255;
}

/** /sys/kernel/kexec_loaded says 1. */
export function kexecLoaded(): boolean {
  try {
    return readFileSync('/sys/kernel/kexec_loaded', 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

/** The user name of a uid from /etc/passwd, or null. */
export function userName(uid: number): string | null {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length > 2 && Number(f[2]) === uid) return f[0]!;
    }
  } catch {
    /* no passwd: n/a */
  }
  return null;
}

/** /proc/PID/comm, or null. */
export function processComm(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').replace(/\n$/, '');
  } catch {
    return null;
  }
}

/** A logind session as sd-login reads it from /run/systemd/sessions/ID. */
export interface SessionFile {
  id: string;
  uid: number | null;
  class: string | null;
  type: string | null;
  tty: string | null;
  seat: string | null;
  service: string | null;
}

/** Every session logind wrote down (sd_get_sessions), in name order. */
export function readSessions(dir = '/run/systemd/sessions'): SessionFile[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => !n.startsWith('.') && !n.endsWith('.ref')).sort();
  } catch {
    return [];
  }
  const out: SessionFile[] = [];
  for (const id of names) {
    let text: string;
    try {
      text = readFileSync(`${dir}/${id}`, 'utf8');
    } catch {
      continue;
    }
    const kv = new Map<string, string>();
    for (const line of text.split('\n')) {
      const i = line.indexOf('=');
      if (i > 0) kv.set(line.slice(0, i), line.slice(i + 1));
    }
    const uid = kv.get('UID');
    out.push({
      id,
      uid: uid === undefined ? null : Number(uid),
      class: kv.get('CLASS') ?? null,
      type: kv.get('TYPE') ?? null,
      tty: kv.get('TTY') ?? null,
      seat: kv.get('SEAT') ?? null,
      service: kv.get('SERVICE') ?? null,
    });
  }
  return out;
}
