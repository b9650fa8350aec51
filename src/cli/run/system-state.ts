/**
 * The system's state verbs, one implementation (systemctl 252's verb_start_special): halt,
 * poweroff, reboot, kexec, suspend, hibernate, hybrid-sleep, suspend-then-hibernate, default,
 * rescue, emergency, exit; and switch-root. In systemctl's order: inhibitors, `-ff` needs root,
 * firmware/boot loader requests, the reboot argument, the kexec kernel, the exit code; then `-ff`
 * (reboot(2): refused, see the manual), `-f` (the manager's PowerOff()/Reboot()/…), else logind's
 * `…WithFlags` when logind answers and the manager's StartUnit(TARGET, mode) otherwise. Every
 * line on stderr is systemctl's (`sysherd` for `systemctl`); `--json` says which way it went.
 * `--dry-run` changes nothing at all (systemctl still sets the firmware/boot loader requests, the
 * reboot argument and the exit code: see the manual's differences).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Bus, type ConnectOptions } from '../../core/bus.js';
import { busErrorMessage, SystemdError } from '../../core/errors.js';
import { parseSec } from '../../core/kill-signal.js';
import { Manager } from '../../core/manager.js';
import { openPolkitAgentMaybe, type PolkitAgent } from '../../core/polkit-agent.js';
import {
  isValidRebootParameter,
  kexecLoaded,
  Logind,
  logindStopErrno,
  parseExitCode,
  processComm,
  readSessions,
  SD_LOGIND_REBOOT_VIA_KEXEC,
  SD_LOGIND_ROOT_CHECK_INHIBITORS,
  systemAction,
  type SystemAction,
  userName,
} from '../../core/power.js';
import { escapeTerminal } from '../../output/escape.js';
import type { IO } from '../../output/io.js';
import { writeJson } from '../../output/json.js';
import { lifecycleJson, runLifecycle, type LifecycleJson } from './lifecycle.js';

const PROGRAM = 'sysherd';
/** Where systemd's reboot(2) argument is kept until the reboot (systemctl writes it). */
export const REBOOT_PARAM_FILE = '/run/systemd/reboot-param';
/** systemctl 252's KEXEC path. */
export const KEXEC = '/sbin/kexec';

export interface SystemActionOptions {
  verb: string;
  /** Positional arguments after the verb. */
  args: string[];
  /** How many times -f was given. */
  force: number;
  dryRun: boolean;
  /** `false` with --no-block. */
  block: boolean;
  quiet: boolean;
  /** `--message`s, joined with blanks. */
  wall: string[];
  noWall: boolean;
  checkInhibitors: string;
  firmwareSetup: boolean;
  bootLoaderMenu: string | undefined;
  bootLoaderEntry: string | undefined;
  rebootArgument: string | undefined;
  user: boolean;
  /** Not -H/-M/--address: files of this machine (inhibitors, reboot argument) are the target's. */
  local: boolean;
  askPassword: boolean;
  json: 'pretty' | 'short' | null;
  connect: ConnectOptions;
}

/** The `--json` document of a system state verb (schema in the manual, system-state.md). */
export interface SystemActionJson {
  verb: string;
  target: string;
  jobMode: string;
  dryRun: boolean;
  force: number;
  /** How it was done: `logind`, `manager` (StartUnit), `manager-method` (-f), `none` (dry run or an error first). */
  via: 'logind' | 'manager' | 'manager-method' | 'none';
  /** The logind method called (`PowerOffWithFlags`…), or null. */
  logindMethod: string | null;
  /** logind's error when it refused (then the manager may have been used), or null. */
  logindError: { name: string; message: string } | null;
  /** The manager's method with -f (`PowerOff`…), or null. */
  managerMethod: string | null;
  /** `exit CODE`: the code set with SetExitCode, or null. */
  exitStatus: number | null;
  rebootArgument: string | null;
  firmwareSetup: boolean;
  bootLoaderMenuUsec: string | null;
  bootLoaderEntry: string | null;
  /** The StartUnit transaction (as the lifecycle verbs' --json), or null. */
  transaction: LifecycleJson | null;
  /** Lines of inhibitors/sessions that blocked it. */
  inhibitedBy: string[];
  exitCode: number;
}

/** What the run knows so far, printed as JSON at the end whichever way it ends. */
class Outcome {
  readonly doc: SystemActionJson;
  constructor(
    private readonly io: IO,
    private readonly json: SystemActionOptions['json'],
    a: SystemAction,
    o: SystemActionOptions,
  ) {
    this.doc = {
      verb: a.verb,
      target: a.target,
      jobMode: a.mode,
      dryRun: o.dryRun,
      force: o.force,
      via: 'none',
      logindMethod: null,
      logindError: null,
      managerMethod: null,
      exitStatus: null,
      rebootArgument: null,
      firmwareSetup: false,
      bootLoaderMenuUsec: null,
      bootLoaderEntry: null,
      transaction: null,
      inhibitedBy: [],
      exitCode: 0,
    };
  }

  /** systemctl's lines on stderr (escaped; a line may hold a newline of systemctl's own). */
  say(text: string): void {
    this.io.err.write(`${text.split('\n').map((l) => escapeTerminal(l)).join('\n')}\n`);
  }

  end(code: number): void {
    this.doc.exitCode = code;
    if (code !== 0) this.io.exitCode = code;
    if (this.json) writeJson(this.io, this.doc, this.json);
  }

  fail(text: string): void {
    this.say(text);
    this.end(1);
  }
}


/** Connect to the bus daemon (logind lives there, not on systemd's private socket). */
async function fullBus(connect: ConnectOptions): Promise<Bus> {
  return Bus.connect({ ...connect, full: true });
}

/**
 * systemctl's logind_check_inhibitors: block-mode inhibitors of `shutdown` (halt, poweroff, reboot,
 * kexec) or `sleep` (the rest), and other users' graphical or tty sessions. Returns the warning
 * lines (none: go on).
 */
async function inhibitorLines(a: SystemAction, o: SystemActionOptions, io: IO): Promise<string[]> {
  if (o.checkInhibitors === 'no' || o.force > 0) return [];
  if (o.checkInhibitors === 'auto') {
    if ((process.geteuid?.() ?? 0) === 0) return [];
    if (!(io.outIsTTY && io.errIsTTY)) return [];
  }
  if (!o.local) return [];
  const bus = await fullBus(o.connect);
  const lines: string[] = [];
  try {
    let inhibitors;
    try {
      inhibitors = await new Logind(bus).listInhibitors();
    } catch {
      return []; // no logind: no inhibitors
    }
    const what = ['halt', 'poweroff', 'reboot', 'kexec'].includes(a.verb) ? 'shutdown' : 'sleep';
    for (const i of inhibitors) {
      if (i.mode !== 'block' || !i.what.split(':').includes(what)) continue;
      lines.push(`Operation inhibited by "${i.who}" (PID ${i.pid} "${processComm(i.pid) ?? 'n/a'}", user ${userName(i.uid) ?? 'n/a'}), reason is "${i.why}".`);
    }
  } finally {
    bus.close();
  }
  const me = process.getuid?.() ?? 0;
  for (const s of readSessions()) {
    if (s.uid === null || s.uid === me) continue;
    if (s.class !== 'user') continue;
    if (!['x11', 'wayland', 'tty', 'mir'].includes(s.type ?? '')) continue;
    const where = s.tty ? s.tty : s.seat ? s.seat : (s.service ?? 'n/a');
    lines.push(`User ${userName(s.uid) ?? 'n/a'} is logged in on ${where}.`);
  }
  return lines;
}

/** Whether two paths are the same file (systemd's files_same, following symlinks). */
function sameFile(a: string, b: string): boolean {
  try {
    const x = fs.statSync(a);
    const y = fs.statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** The `init=` of the kernel command line, or undefined. */
function cmdlineInit(): string | undefined {
  try {
    const words = fs.readFileSync('/proc/cmdline', 'utf8').trim().split(/\s+/);
    let found: string | undefined;
    for (const w of words) if (w.startsWith('init=')) found = w.slice(5);
    return found;
  } catch {
    return undefined;
  }
}

async function maybeAgent(o: { local: boolean; user: boolean; askPassword: boolean }): Promise<PolkitAgent | null> {
  return openPolkitAgentMaybe({ localSystem: !o.user && o.local, askPassword: o.askPassword });
}

export async function runSystemAction(o: SystemActionOptions, io: IO): Promise<void> {
  const a = systemAction(o.verb);
  if (!a) throw new SystemdError(`unknown system action ${o.verb}`);
  const out = new Outcome(io, o.json, a, o);
  const doc = out.doc;

  // systemctl's verb table, then verb_start_system_special
  if (o.args.length > a.maxArgs) return out.fail('Too many arguments.');
  if (a.systemOnly && o.user) return out.fail('Bad action for --user mode.');

  if (o.bootLoaderEntry === 'help') {
    // systemctl: "help" is not an entry; it lists the entries logind knows and ends
    const bus = await fullBus(o.connect);
    try {
      const entries = await new Logind(bus).bootLoaderEntries();
      if (entries.length === 0) return out.fail('No boot loader entries discovered.');
      if (!o.json) for (const e of entries) io.out.write(`${escapeTerminal(e)}\n`);
      return out.end(0);
    } catch (e) {
      return out.fail(`Failed to enumerate boot loader entries: ${busErrorMessage(e)}`);
    } finally {
      bus.close();
    }
  }

  const inhibited = await inhibitorLines(a, o, io);
  if (inhibited.length > 0) {
    for (const l of inhibited) out.say(l);
    doc.inhibitedBy = inhibited;
    return out.fail(
      `Please retry operation after closing inhibitors and logging out other users.\nAlternatively, ignore inhibitors and users with '${PROGRAM} ${a.verb} -i'.`,
    );
  }

  if (o.force >= 2 && (process.geteuid?.() ?? 0) !== 0) return out.fail('Need to be root.');

  if (a.termination) {
    const requests: { call: (l: Logind) => Promise<void>; error: (e: string) => string }[] = [];
    if (o.firmwareSetup) {
      doc.firmwareSetup = true;
      requests.push({ call: (l) => l.setRebootToFirmwareSetup(true), error: (e) => `Cannot indicate to EFI to boot into setup mode: ${e}` });
    }
    if (o.bootLoaderMenu !== undefined) {
      const parsed = parseSec(o.bootLoaderMenu);
      const usec = parsed.ok ? parsed.value : 0n; // checked when parsed
      doc.bootLoaderMenuUsec = usec.toString();
      requests.push({
        call: (l) => l.setRebootToBootLoaderMenu(usec),
        error: (e) => `Cannot indicate to boot loader to enter boot loader entry menu: ${e}`,
      });
    }
    if (o.bootLoaderEntry !== undefined && o.bootLoaderEntry !== '') {
      const entry = o.bootLoaderEntry;
      doc.bootLoaderEntry = entry;
      requests.push({ call: (l) => l.setRebootToBootLoaderEntry(entry), error: (e) => `Cannot set boot into loader entry '${entry}': ${e}` });
    }
    if (requests.length > 0 && !o.dryRun) {
      const bus = await fullBus(o.connect);
      try {
        const logind = new Logind(bus);
        for (const r of requests) {
          try {
            await r.call(logind);
          } catch (e) {
            return out.fail(r.error(busErrorMessage(e)));
          }
        }
      } finally {
        bus.close();
      }
    }
  }

  if (a.verb === 'reboot') {
    let arg: string | undefined;
    if (o.args.length > 0) {
      if (o.rebootArgument !== undefined) return out.fail('Both --reboot-argument= and positional argument passed to reboot command, refusing.');
      out.say('Positional argument to reboot command is deprecated, please use --reboot-argument= instead. Accepting anyway.');
      arg = o.args[0];
    } else arg = o.rebootArgument;
    if (arg !== undefined) {
      if (arg !== '' && !isValidRebootParameter(arg)) return out.fail(`Invalid reboot parameter '${arg}'.`);
      doc.rebootArgument = arg;
      if (!o.dryRun && o.local && !updateRebootParameter(arg, out)) return out.end(1);
    }
  } else if (a.verb === 'kexec') {
    const problem = kexecProblem();
    if (problem !== null) {
      if (o.force < 1) return out.fail(problem);
      out.say(problem);
      out.say('Failed to load kexec kernel, continuing without.');
    }
  } else if (a.verb === 'exit' && o.args.length > 0) {
    const code = parseExitCode(o.args[0]!);
    if (code === null) return out.fail('Invalid exit code.');
    doc.exitStatus = code;
    if (!o.dryRun) {
      const manager = await Manager.connect(o.connect);
      try {
        await manager.setExitCode(code);
      } catch (e) {
        return out.fail(`Failed to set exit code: ${busErrorMessage(e)}`);
      } finally {
        manager.close();
      }
    }
  }

  if (a.termination && o.force >= 2) {
    // systemctl's halt_now: sync() and reboot(2) itself, with no manager. Node cannot make that
    // system call, and sysherd will not shell out to something that can: refused (see the manual)
    if (o.dryRun) {
      if (!o.quiet) out.say(a.nowMessage!);
      return out.end(0);
    }
    return out.fail(
      `${PROGRAM} cannot ${a.verb} with -ff: that calls reboot(2) directly, which sysherd does not do; use -f (the manager's ${a.managerMethod}()) or 'systemctl ${a.verb} -ff'.`,
    );
  }

  if (o.force >= 1 && a.managerMethod !== null) {
    doc.managerMethod = a.managerMethod;
    if (o.dryRun) return out.end(0);
    const manager = await Manager.connect(o.connect);
    const agent = await maybeAgent(o);
    try {
      await manager.callEndMethod(a.managerMethod);
      doc.via = 'manager-method';
    } catch (e) {
      if (isGoneWhileEnding(e)) doc.via = 'manager-method';
      else return out.fail(`Failed to execute operation: ${busErrorMessage(e)}`);
    } finally {
      await agent?.close();
      manager.close();
    }
    return out.end(0);
  }

  let block = o.block;
  if (a.logind !== null) {
    const r = await viaLogind(a, o, out);
    if (r === 'done') return out.end(0);
    if (r === 'stop') return out.end(1);
    block = false; // as logind's are, so is the manager's: do not wait
  } else if (a.verb === 'exit') block = false;

  if (o.dryRun) {
    // systemctl's verb_start connects before it skips the call: a bus that does not answer fails
    (await Manager.connect(o.connect)).close();
    return out.end(0);
  }
  const report = await runLifecycle(
    {
      verb: 'start', // the spinner's "Starting rescue.target…"; the job is a start job
      jobType: 'start',
      stop: false,
      args: [a.target],
      mode: a.mode,
      block,
      showTransaction: false,
      quiet: o.quiet,
      all: false,
      states: [],
      types: [],
      json: null,
      connect: o.connect,
      askPassword: o.askPassword,
      user: o.user,
      remote: !o.local,
    },
    { ...io, exitCode: undefined },
  );
  doc.via = 'manager';
  if (report) doc.transaction = lifecycleJson('start', report);
  out.end(report ? report.exitCode : 1);
}

/** The manager went away while it did what it was asked (it powered off before it answered). */
function isGoneWhileEnding(e: unknown): boolean {
  return e instanceof SystemdError && (e.name === 'ConnectionError' || e.dbusName === 'org.freedesktop.DBus.Error.NoReply');
}

/** systemctl's load_kexec_kernel, as far as sysherd goes: the problem in systemctl's words, or null. */
function kexecProblem(): string | null {
  if (kexecLoaded()) return null;
  try {
    fs.accessSync(KEXEC, fs.constants.X_OK);
  } catch (e) {
    return `${KEXEC} is not available: ${errnoText(e)}`;
  }
  return `No kexec kernel loaded; ${PROGRAM} does not load one from the boot loader entries: load it with '${KEXEC} --load' first.`;
}

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'No such file or directory';
  if (code === 'EACCES') return 'Permission denied';
  return busErrorMessage(e);
}

/** systemd's update_reboot_parameter_and_warn: `false` when it failed (said as a warning there, and it ends the verb). */
function updateRebootParameter(arg: string, out: Outcome): boolean {
  try {
    if (arg === '') fs.rmSync(REBOOT_PARAM_FILE, { force: true });
    else {
      const tmp = `${REBOOT_PARAM_FILE}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, `${arg}\n`, { mode: 0o644 });
      fs.renameSync(tmp, REBOOT_PARAM_FILE);
    }
  } catch (e) {
    out.say(arg === '' ? `Failed to unlink reboot parameter file: ${errnoText(e)}` : `Failed to write reboot parameter file: ${errnoText(e)}`);
    return false;
  }
  return true;
}

/** strerror() of the errnos a bus socket fails with, as sd-bus reports them. */
const STRERROR: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ECONNRESET: 'Connection reset by peer',
};

/** systemctl's "Failed to connect to bus: Connection refused" for a bus that did not answer. */
function connectFailure(e: unknown): string {
  const text = busErrorMessage(e);
  if (text.startsWith('Failed to connect to bus: ')) return text; // the -M bridge's own words
  let cause: unknown = e;
  for (let i = 0; i < 5 && cause instanceof Error; i++) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code !== undefined && STRERROR[code] !== undefined) return `Failed to connect to bus: ${STRERROR[code]}`;
    cause = cause.cause;
  }
  return `Failed to connect to bus: ${text}`;
}

/**
 * systemctl's logind_reboot: the wall message, then `…WithFlags` (older logind: the method with
 * `b interactive`). `done`: logind took it; `stop`: logind refused in a way that ends it (access,
 * not supported, in progress); `manager`: try the manager.
 */
async function viaLogind(a: SystemAction, o: SystemActionOptions, out: Outcome): Promise<'done' | 'stop' | 'manager'> {
  const doc = out.doc;
  let bus: Bus;
  try {
    bus = await fullBus(o.connect);
  } catch (e) {
    out.say(connectFailure(e));
    return 'manager';
  }
  const agent = await maybeAgent(o);
  try {
    const logind = new Logind(bus);
    if (o.dryRun) return 'done';
    try {
      await logind.setWallMessage(o.wall.join(' '), !o.noWall);
    } catch (e) {
      out.say(`Failed to set wall message, ignoring: ${busErrorMessage(e)}`);
    }
    let flags = 0;
    if (o.checkInhibitors === 'yes') flags |= SD_LOGIND_ROOT_CHECK_INHIBITORS;
    if (a.verb === 'kexec') flags |= SD_LOGIND_REBOOT_VIA_KEXEC;
    const action = a.logind!;
    doc.logindMethod = `${action}WithFlags`;
    try {
      await logind.withFlags(action, flags);
      doc.via = 'logind';
      return 'done';
    } catch (e) {
      if (!(e instanceof SystemdError) || e.dbusName !== 'org.freedesktop.DBus.Error.UnknownMethod') return logindFailed(action, e, out);
    }
    doc.logindMethod = action;
    try {
      await logind.classic(action, o.askPassword);
      doc.via = 'logind';
      return 'done';
    } catch (e) {
      return logindFailed(action, e, out);
    }
  } finally {
    await agent?.close();
    bus.close();
  }
}

function logindFailed(action: string, e: unknown, out: Outcome): 'stop' | 'manager' {
  const name = e instanceof SystemdError ? e.dbusName : undefined;
  out.doc.logindError = { name: name ?? (e instanceof Error ? e.name : 'Error'), message: busErrorMessage(e) };
  out.say(`Call to ${action} failed: ${busErrorMessage(e)}`);
  return logindStopErrno(name) !== null ? 'stop' : 'manager';
}

// ── switch-root ──────────────────────────────────────────────────────────────────────────────

export interface SwitchRootOptions {
  args: string[];
  dryRun: boolean;
  local: boolean;
  json: 'pretty' | 'short' | null;
  connect: ConnectOptions;
}

/** systemd's own binary, which `init` need not name (systemctl drops it). */
const SYSTEMD_BINARY = '/usr/lib/systemd/systemd';

/**
 * systemctl's verb_switch_root: SwitchRoot(root, init) on the manager, which refuses outside an
 * initrd. While it runs, SIGTERM is ignored and our name starts with `@` (systemd spares such
 * processes when it kills the old root's), as systemctl.
 */
export async function runSwitchRoot(o: SwitchRootOptions, io: IO): Promise<void> {
  const doc = { root: o.args[0] ?? null, init: null as string | null, dryRun: o.dryRun, switched: false, exitCode: 0 };
  const end = (code: number, line?: string): void => {
    if (line !== undefined) io.err.write(`${escapeTerminal(line)}\n`);
    doc.exitCode = code;
    if (code !== 0) io.exitCode = code;
    if (o.json) writeJson(io, doc, o.json);
  };
  if (o.args.length < 1) return end(1, 'Too few arguments.');
  if (!o.local) return end(1, 'Cannot switch root remotely.');
  if (o.args.length > 2) return end(1, 'Wrong number of arguments.');
  const root = o.args[0]!;
  let init = o.args.length > 1 ? o.args[1]! : (cmdlineInit() ?? '');
  if (init !== '' && sameFile(path.join(root, init), path.join(root, SYSTEMD_BINARY))) init = '';
  doc.init = init;
  if (o.dryRun) return end(0);
  const manager = await Manager.connect(o.connect);
  const ignore = (): void => undefined;
  const title = process.title;
  process.on('SIGTERM', ignore);
  if (!title.startsWith('@')) process.title = `@${title}`;
  try {
    await manager.switchRoot(root, init);
    doc.switched = true;
    end(0);
  } catch (e) {
    if (isGoneWhileEnding(e)) {
      doc.switched = true;
      return end(0);
    }
    process.off('SIGTERM', ignore);
    end(1, `Failed to switch root: ${busErrorMessage(e)}`);
  } finally {
    manager.close();
  }
}
