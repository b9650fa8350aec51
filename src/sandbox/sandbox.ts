/**
 * Real systemd sandboxes, for machines that were not booted with systemd (and for tests).
 *
 * - `user` mode: `systemd --user` on a session bus at DIR/xdg/bus, in its own mount and cgroup
 *   namespaces. PIDs are host PIDs. Unit files go in DIR/config/systemd/user.
 * - `system` mode: systemd as PID 1 of new pid/mount/cgroup/uts/ipc/net namespaces on a
 *   throwaway overlay of /, with its own system bus (DIR/run-dbus/system_bus_socket), journald
 *   and polkit. Unit files go in DIR/units (its /etc/systemd/system).
 *
 * Both live in a fresh cgroup2 subtree `<cgroup2 root>/sandbox-<mode>-…`, entered *before*
 * `unshare --cgroup`, and see only a private cgroup2 mount of it: systemd can move and kill
 * nothing but its own processes. NEVER start systemd any other way on such a machine: as root
 * outside these namespaces it takes over every cgroup of the machine, PID 1 included.
 *
 * State lives in DIR: `sandbox.json` (the SandboxInfo), `cgroup` (the cgroup path and its inode,
 * written first so that a half-started sandbox can still be stopped), `env` (shell exports for
 * clients) and `sandbox.log` (the output of the sandbox's launcher and systemd).
 *
 * Root acts on that state (kills a cgroup, enters a pid's namespaces), so it is trusted only when
 * nobody but root can have written it: DIR and its state files must be root's and writable by
 * nobody else, read through DIR's open descriptor with O_NOFOLLOW and checked with fstat. The
 * cgroup's name carries DIR's identity (`…-d<dev>i<ino>`) and DIR records the cgroup's inode:
 * stop kills a cgroup only when both agree. Start uses only a DIR it creates, an empty one, or
 * one that holds a sandbox, and never changes the mode of a directory it did not create.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { PermissionError, SandboxError } from '../core/errors.js';
import { shellQuote } from '../core/transport.js';
import { createSandboxCgroup, findCgroup2Root, isPopulated, isSandboxCgroupPath, killAndRemoveSteps } from './cgroup.js';
import { ENTER_CGROUP, SANDBOX_TARGET, SYSTEM_MODE, USER_MODE } from './scripts.js';

export type SandboxMode = 'user' | 'system';

export interface SandboxInfo {
  mode: SandboxMode;
  /** Absolute DIR. */
  dir: string;
  /** The cgroup2 directory, e.g. /sys/fs/cgroup/unified/sandbox-user-1234-0. */
  cgroup: string;
  /** Host pid of the launcher (the `unshare` process). */
  pid: number;
  /** System mode: host pid of the sandbox's PID 1 (systemd); user mode: host pid of `systemd --user`. */
  pid1: number | null;
  /** `unix:path=…`: user: DIR/xdg/bus; system: DIR/run-dbus/system_bus_socket. */
  busAddress: string;
  /** User: XDG_RUNTIME_DIR, XDG_CONFIG_HOME, DBUS_SESSION_BUS_ADDRESS; system: DBUS_SYSTEM_BUS_ADDRESS. */
  env: Record<string, string>;
  /** User: DIR/config/systemd/user; system: DIR/units. */
  unitDir: string;
}

export interface StartOptions {
  mode: SandboxMode;
  dir: string;
  /** System mode: host directories bound read-only at the same path inside. */
  binds?: string[];
  /** How long to wait for the bus to answer, in ms (default 20000). */
  timeoutMs?: number;
  /** Called after the directories exist and before systemd starts, to drop unit files. */
  beforeBoot?: (unitDir: string) => void | Promise<void>;
  /**
   * Also wait (within timeoutMs) until systemd has finished booting: its SystemState is no
   * longer `initializing` or `starting` (default false: return as soon as the bus answers).
   */
  waitForBoot?: boolean;
}

/** The systemd binary both modes run. */
export const SYSTEMD_PATH = '/usr/lib/systemd/systemd';
export const DEFAULT_TIMEOUT_MS = 20_000;

const STATE_FILE = 'sandbox.json';
const CGROUP_FILE = 'cgroup';
const LOG_FILE = 'sandbox.log';
/** How the sandbox's systemd ended, written when the process that started it sees it end. */
const EXIT_FILE = 'exit-status';
const POLL_MS = 50;
/** PATH given to processes the sandbox starts and to commands run inside it. */
const SAFE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

// ---------------------------------------------------------------------------------------------
// Preconditions and options

/** Throw unless we are root: the sandboxes create cgroups and namespaces. */
export function requireRoot(): void {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new PermissionError('the sandbox needs root: it creates cgroups and namespaces', { hint: 'run it as root (sudo)' });
  }
}

/** The options of `startSandbox`, checked and with defaults filled in. */
export interface NormalizedStartOptions {
  mode: SandboxMode;
  dir: string;
  binds: string[];
  timeoutMs: number;
  beforeBoot: ((unitDir: string) => void | Promise<void>) | undefined;
  waitForBoot: boolean;
}

/**
 * Check the options of `startSandbox` (pure: no file system access). Throws a SandboxError
 * that says what is wrong with them. `dir` is made absolute; binds are kept as given
 * (they are resolved against the file system when the sandbox starts).
 */
export function normalizeStartOptions(opts: StartOptions): NormalizedStartOptions {
  if (opts === null || typeof opts !== 'object') {
    throw new SandboxError('startSandbox needs an options object: { mode, dir }');
  }
  const { mode, dir } = opts;
  if (mode !== 'user' && mode !== 'system') {
    throw new SandboxError(`unknown sandbox mode ${JSON.stringify(mode)}: use "user" or "system"`);
  }
  if (typeof dir !== 'string' || dir.trim() === '') {
    throw new SandboxError('the sandbox needs a directory: pass dir (it is created if missing)');
  }
  if (dir.includes('\0') || dir.includes('\n')) {
    throw new SandboxError(`invalid sandbox directory ${JSON.stringify(dir)}: it contains a NUL or newline`);
  }
  const absDir = path.resolve(dir);
  if (absDir === '/') throw new SandboxError('the sandbox directory cannot be /: give it a directory of its own');
  if (mode === 'system' && /[,:\\]/.test(absDir)) {
    // they would break the overlay's mount options (lowerdir=…,upperdir=…)
    throw new SandboxError(
      `invalid sandbox directory ${absDir}: a system-mode sandbox directory cannot contain ",", ":" or "\\" (overlay mount options)`,
    );
  }
  const binds = opts.binds ?? [];
  if (!Array.isArray(binds) || binds.some((b) => typeof b !== 'string' || b === '' || b.includes('\0'))) {
    throw new SandboxError('binds must be a list of host directory paths');
  }
  if (mode === 'user' && binds.length > 0) {
    throw new SandboxError('binds only apply to system-mode sandboxes: a user-mode sandbox sees the host file system as is');
  }
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new SandboxError(`invalid timeoutMs ${String(timeoutMs)}: give a positive number of milliseconds`);
  }
  if (opts.beforeBoot !== undefined && typeof opts.beforeBoot !== 'function') {
    throw new SandboxError('beforeBoot must be a function (unitDir) => void');
  }
  if (opts.waitForBoot !== undefined && typeof opts.waitForBoot !== 'boolean') {
    throw new SandboxError('waitForBoot must be true or false');
  }
  return { mode, dir: absDir, binds: [...binds], timeoutMs, beforeBoot: opts.beforeBoot, waitForBoot: opts.waitForBoot ?? false };
}

/** Look a program up in PATH (and the usual system directories); null when not found. */
function findExecutable(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(':'), ...SAFE_PATH.split(':')];
  for (const d of dirs) {
    if (!d) continue;
    const p = path.join(d, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return null;
}

interface HostTools {
  cgroupRoot: string;
  sh: string;
  unshare: string;
  bash: string;
  busctl: string;
}

/** Everything the host must provide, checked up front so that failures say what is missing. */
function checkHost(mode: SandboxMode): HostTools {
  requireRoot();
  try {
    fs.accessSync(SYSTEMD_PATH, fs.constants.X_OK);
  } catch {
    throw new SandboxError(`cannot start a sandbox: ${SYSTEMD_PATH} is missing; install systemd (the package, not as init)`);
  }
  const cgroupRoot = findCgroup2Root();
  if (cgroupRoot === null) {
    throw new SandboxError(
      'cannot start a sandbox: no cgroup2 hierarchy at /sys/fs/cgroup/unified or /sys/fs/cgroup; mount one (mount -t cgroup2 none /sys/fs/cgroup/unified)',
    );
  }
  const tools: Record<string, string> = {};
  const needed = mode === 'user' ? ['sh', 'unshare', 'bash', 'busctl'] : ['sh', 'unshare', 'bash', 'busctl', 'chroot'];
  for (const name of needed) {
    const p = findExecutable(name);
    if (p === null) {
      throw new SandboxError(`cannot start a sandbox: the program ${name} is not in PATH; install it (util-linux / systemd / coreutils)`);
    }
    tools[name] = p;
  }
  if (mode === 'user' && !fs.existsSync('/run/systemd')) {
    throw new SandboxError(
      'cannot start a user-mode sandbox: /run/systemd does not exist on this machine, and the sandbox mounts its private copy over it; create the empty directory (mkdir /run/systemd)',
    );
  }
  return { cgroupRoot, sh: tools.sh!, unshare: tools.unshare!, bash: tools.bash!, busctl: tools.busctl! };
}

// ---------------------------------------------------------------------------------------------
// State files

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;

/** A sandbox directory's identity, as its cgroup's name carries it. */
function dirTag(st: fs.BigIntStats): string {
  return `d${st.dev}i${st.ino}`;
}

function untrusted(what: string, st: fs.Stats | fs.BigIntStats): SandboxError {
  const why = Number(st.uid) !== 0 ? `owned by uid ${st.uid}` : 'writable by others';
  return new SandboxError(`refusing to use ${what}: it is ${why}, and a sandbox's state must be root's alone`, {
    hint: 'sysherd creates its sandbox directories root-owned, mode 0755; give the DIR a sandbox was started in',
  });
}

/**
 * Open DIR (already made absolute and real) and check on the open descriptor that it is a
 * directory of root's that nobody else can write. null when it does not exist.
 */
function openStateDir(dir: string): { fd: number; tag: string } | null {
  let fd: number;
  try {
    fd = fs.openSync(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new SandboxError(`cannot open the sandbox directory ${dir}: ${code ?? (err as Error).message}`, { cause: err });
  }
  const st = fs.fstatSync(fd, { bigint: true });
  if (st.uid !== 0n || (st.mode & 0o022n) !== 0n) {
    fs.closeSync(fd);
    throw untrusted(`the sandbox directory ${dir}`, st);
  }
  return { fd, tag: dirTag(st) };
}

/** A state file of the directory open as dirFd, if it is a regular file of root's that only root can write; null when missing. */
function readStateFile(dirFd: number, dir: string, name: string): string | null {
  const file = path.join(dir, name);
  let fd: number;
  try {
    fd = fs.openSync(`/proc/self/fd/${dirFd}/${name}`, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw new SandboxError(`refusing to use ${file}: it is a symlink`);
    throw new SandboxError(`cannot read sandbox state ${file}: ${code ?? (err as Error).message}`, { cause: err });
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new SandboxError(`refusing to use ${file}: it is not a regular file`);
    if (st.uid !== 0 || (st.mode & 0o022) !== 0) throw untrusted(file, st);
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/** Read state files of DIR through its checked descriptor (null when DIR does not exist). */
function withStateDir<T>(dir: string, read: (file: (name: string) => string | null, tag: string) => T): T | null {
  const d = openStateDir(dir);
  if (d === null) return null;
  try {
    return read((name) => readStateFile(d.fd, dir, name), d.tag);
  } finally {
    fs.closeSync(d.fd);
  }
}

function statePaths(dir: string) {
  return {
    state: path.join(dir, STATE_FILE),
    cgroup: path.join(dir, CGROUP_FILE),
    log: path.join(dir, LOG_FILE),
    env: path.join(dir, 'env'),
  };
}

/** The absolute form of DIR, resolving symlinks when it exists. */
function absoluteDir(dir: string): string {
  const abs = path.resolve(dir);
  try {
    return fs.realpathSync(abs);
  } catch {
    return abs;
  }
}

function parseJsonState(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new SandboxError(`cannot read sandbox state ${file}: it is not valid JSON`, {
      cause: err,
      hint: 'the sandbox was not started by this version of sysherd, or the file was damaged; stop it with `sysherd sandbox stop DIR`',
    });
  }
}

function isStringRecord(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

function validateInfo(v: unknown, file: string): SandboxInfo {
  const o = v as Partial<SandboxInfo> | null;
  const ok =
    typeof o === 'object' &&
    o !== null &&
    (o.mode === 'user' || o.mode === 'system') &&
    typeof o.dir === 'string' &&
    typeof o.cgroup === 'string' &&
    Number.isInteger(o.pid) &&
    (o.pid1 === null || Number.isInteger(o.pid1)) &&
    typeof o.busAddress === 'string' &&
    isStringRecord(o.env) &&
    typeof o.unitDir === 'string';
  if (!ok) {
    throw new SandboxError(`cannot read sandbox state ${file}: fields are missing or of the wrong type`, {
      hint: 'stop the sandbox with `sysherd sandbox stop DIR` and start it again',
    });
  }
  return {
    mode: o.mode!,
    dir: o.dir!,
    cgroup: o.cgroup!,
    pid: o.pid!,
    pid1: o.pid1 ?? null,
    busAddress: o.busAddress!,
    env: { ...o.env! },
    unitDir: o.unitDir!,
  };
}

/** The sandbox started in DIR, from DIR/sandbox.json. Throws a SandboxError if there is none. */
export function readSandbox(dir: string): SandboxInfo {
  const d = absoluteDir(dir);
  const file = statePaths(d).state;
  const text = withStateDir(d, (read) => read(STATE_FILE));
  if (text === null || text === undefined) {
    throw new SandboxError(`no sandbox in ${d}: ${file} does not exist`, {
      hint: 'start one with `sysherd sandbox start DIR`, or give the DIR you started it in',
    });
  }
  return validateInfo(parseJsonState(text, file), file);
}

/** What DIR's `cgroup` file records: the cgroup, its inode (when it was created), DIR's identity. */
interface CgroupRecord {
  cgroup: string;
  source: string;
  ino: bigint | null;
  tag: string;
}

/** The cgroup recorded in DIR (its `cgroup` file: path, then inode; else sandbox.json's), or null. */
function recordedCgroup(dir: string): CgroupRecord | null {
  const p = statePaths(dir);
  return withStateDir(dir, (read, tag) => {
    const [cgroup = '', ino = ''] = (read(CGROUP_FILE) ?? '').split('\n').map((l) => l.trim());
    if (cgroup !== '') return { cgroup, source: p.cgroup, ino: /^\d+$/.test(ino) ? BigInt(ino) : null, tag };
    try {
      const raw = JSON.parse(read(STATE_FILE) ?? '{}') as { cgroup?: unknown };
      if (typeof raw.cgroup === 'string' && raw.cgroup !== '') return { cgroup: raw.cgroup, source: p.state, ino: null, tag };
    } catch {
      // nothing recorded
    }
    return null;
  });
}

/**
 * Throw unless the recorded cgroup is DIR's: its name carries DIR's identity and, when it
 * exists, its inode is the one DIR recorded (a cgroup made again under the same name is not).
 */
function checkCgroupIdentity(rec: CgroupRecord): void {
  const refuse = (why: string): SandboxError =>
    new SandboxError(`refusing to stop cgroup ${rec.cgroup} named in ${rec.source}: ${why}`, {
      hint: `it is not the cgroup this sandbox directory started; remove ${rec.source} if it is stale`,
    });
  let st: fs.BigIntStats;
  try {
    st = fs.statSync(rec.cgroup, { bigint: true });
  } catch {
    return; // gone: nothing to kill
  }
  if (!path.basename(rec.cgroup).endsWith(`-${rec.tag}`)) throw refuse('it does not carry the identity of the sandbox directory');
  if (rec.ino === null || st.ino !== rec.ino) throw refuse('its inode is not the one recorded when it was created');
}

/**
 * How the systemd of the sandbox in DIR ended (its exit code, or the signal that ended it), when
 * this process started it and saw it end; `null` while it runs or when nobody here saw it.
 */
export function sandboxExitStatus(dir: string): { code: number | null; signal: string | null } | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(absoluteDir(dir), EXIT_FILE), 'utf8')) as { code: number | null; signal: string | null };
  } catch {
    return null;
  }
}

/** Whether DIR holds a sandbox whose cgroup still has processes. */
export function isSandboxRunning(dir: string): boolean {
  const rec = recordedCgroup(absoluteDir(dir));
  if (rec === null || !isSandboxCgroupPath(rec.cgroup)) return false;
  checkCgroupIdentity(rec);
  return isPopulated(rec.cgroup);
}

// ---------------------------------------------------------------------------------------------
// Start

/** Paths, environment and bus address of a sandbox in DIR (no I/O). */
export function sandboxLayout(mode: SandboxMode, dir: string): Pick<SandboxInfo, 'busAddress' | 'env' | 'unitDir'> {
  if (mode === 'user') {
    const busAddress = `unix:path=${path.join(dir, 'xdg', 'bus')}`;
    return {
      busAddress,
      unitDir: path.join(dir, 'config', 'systemd', 'user'),
      env: {
        XDG_RUNTIME_DIR: path.join(dir, 'xdg'),
        XDG_CONFIG_HOME: path.join(dir, 'config'),
        DBUS_SESSION_BUS_ADDRESS: busAddress,
      },
    };
  }
  const busAddress = `unix:path=${path.join(dir, 'run-dbus', 'system_bus_socket')}`;
  return { busAddress, unitDir: path.join(dir, 'units'), env: { DBUS_SYSTEM_BUS_ADDRESS: busAddress } };
}

function rmIfExists(p: string): void {
  try {
    fs.rmSync(p, { force: true });
  } catch {
    // a stale socket we cannot remove: systemd or dbus will say so in the log
  }
}

/** / and the top of the file system hierarchy. */
const TOP_DIRS = ['/', '/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/lib32', '/lib64', '/libx32', '/media', '/mnt', '/opt', '/proc', '/root', '/run', '/sbin', '/srv', '/sys', '/tmp', '/usr', '/var'];
/** Trees no sandbox may use: virtual file systems and the system's own run-time state. */
const SYSTEM_TREES = ['/proc', '/sys', '/dev', '/run/systemd', '/run/dbus', '/run/user'];

/** Throw when DIR is a system directory: a sandbox would chmod, fill or mount over it. */
function refuseSystemDir(dir: string): void {
  if (
    TOP_DIRS.includes(dir) ||
    SYSTEM_TREES.some((d) => dir === d || dir.startsWith(`${d}/`)) ||
    /^\/(usr|var|etc|boot)\/[^/]+$/.test(dir) // /usr/local, /var/lib, /var/tmp, /etc/ssh…
  ) {
    throw new SandboxError(`refusing to use ${dir} as a sandbox directory: it is a system directory`, {
      hint: 'give a new directory of its own, e.g. /tmp/sb',
    });
  }
}

/**
 * Make DIR, or check the existing one: not a system directory; root's and writable by nobody
 * else; empty or holding a sandbox. Only a DIR made here gets its mode set (0755: clients as
 * other uids must reach DIR/run-dbus/system_bus_socket). Returns DIR's real path.
 */
function claimDir(given: string): string {
  refuseSystemDir(given);
  let created: string | undefined;
  try {
    created = fs.mkdirSync(given, { recursive: true, mode: 0o755 });
  } catch (err) {
    throw new SandboxError(`cannot create the sandbox directory ${given}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  const dir = absoluteDir(given);
  refuseSystemDir(dir);
  if (created !== undefined) fs.chmodSync(dir, 0o755); // the umask may have taken bits off
  const d = openStateDir(dir);
  if (d === null) throw new SandboxError(`cannot use the sandbox directory ${dir}: it vanished`);
  try {
    const entries = fs.readdirSync(`/proc/self/fd/${d.fd}`);
    if (entries.length > 0 && !entries.includes(CGROUP_FILE) && !entries.includes(STATE_FILE)) {
      throw new SandboxError(`refusing to use ${dir} as a sandbox directory: it is not empty and holds no sandbox`, {
        hint: 'give a new or empty directory',
      });
    }
  } finally {
    fs.closeSync(d.fd);
  }
  return dir;
}

/** Write a state file of DIR: root's, mode 0644 whatever the umask. */
function writeStateFile(file: string, text: string): void {
  rmIfExists(file);
  fs.writeFileSync(file, text, { mode: 0o644, flag: 'wx' });
  fs.chmodSync(file, 0o644);
}

/** Make the directories a sandbox needs and clear stale sockets of an earlier run. */
function prepareDir(mode: SandboxMode, dir: string): void {
  if (mode === 'user') {
    for (const d of ['xdg', 'runsd/system', 'config/systemd/user']) fs.mkdirSync(path.join(dir, d), { recursive: true });
    fs.chmodSync(path.join(dir, 'xdg'), 0o700);
    rmIfExists(path.join(dir, 'xdg', 'bus'));
  } else {
    for (const d of ['ovl', 'merged', 'units', 'run-dbus']) fs.mkdirSync(path.join(dir, d), { recursive: true });
    fs.chmodSync(path.join(dir, 'run-dbus'), 0o755);
    rmIfExists(path.join(dir, 'run-dbus', 'system_bus_socket'));
    fs.writeFileSync(path.join(dir, 'units', 'sandbox.target'), SANDBOX_TARGET);
  }
}

/** Host paths to bind into a system-mode sandbox: existing directories, symlinks resolved, deduplicated. */
function resolveBinds(binds: string[]): string[] {
  const out: string[] = [];
  for (const b of binds) {
    let real: string;
    try {
      real = fs.realpathSync(b);
    } catch (err) {
      throw new SandboxError(`cannot bind ${b} into the sandbox: ${(err as NodeJS.ErrnoException).code ?? 'it does not exist'}`, {
        cause: err,
      });
    }
    if (!fs.statSync(real).isDirectory()) throw new SandboxError(`cannot bind ${b} into the sandbox: it is not a directory`);
    if (real === '/') throw new SandboxError('cannot bind / into the sandbox: the sandbox already sees / through its overlay');
    if (/[\n\0]/.test(real)) throw new SandboxError(`cannot bind ${JSON.stringify(real)}: the path contains a newline`);
    if (!out.includes(real)) out.push(real);
  }
  return out;
}

/** If DIR holds a running sandbox, throw; if it holds a dead one, clear its cgroup. */
async function checkNotRunning(dir: string): Promise<void> {
  const rec = recordedCgroup(dir);
  if (rec === null || !isSandboxCgroupPath(rec.cgroup) || !fs.existsSync(rec.cgroup)) return;
  checkCgroupIdentity(rec);
  if (isPopulated(rec.cgroup)) {
    throw new SandboxError(`${dir} already holds a running sandbox (cgroup ${rec.cgroup})`, {
      hint: `stop it first (sysherd sandbox stop ${shellQuote(dir)}), or use another directory`,
    });
  }
  // a dead sandbox's empty cgroup: remove it
  for (const ms of killAndRemoveSteps(rec.cgroup, rec.source)) await delay(ms);
}

/** The last lines of the sandbox log, for error messages. */
function logTail(logFile: string, lines = 12): string[] {
  try {
    const text = fs.readFileSync(logFile, 'utf8');
    return text
      .split('\n')
      .map((l) => l.trimEnd())
      .filter((l) => l !== '')
      .slice(-lines);
  } catch {
    return [];
  }
}

/** ` (last log line)` for a one-line message: the last line that is not an indented continuation. */
function headline(tail: string[]): string {
  const line = [...tail].reverse().find((l) => !/^\s/.test(l)) ?? tail[tail.length - 1];
  return line === undefined ? '' : ` (${line.trim()})`;
}

function runBusctl(busctl: string, args: string[], timeoutMs: number): Promise<{ ok: boolean; stdout: string }> {
  return new Promise((resolve) => {
    execFile(busctl, args, { timeout: timeoutMs, env: { PATH: SAFE_PATH, LANG: 'C' } }, (err, stdout) => {
      resolve({ ok: err === null, stdout: String(stdout) });
    });
  });
}

function readChildren(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter((s) => s !== '')
      .map(Number);
  } catch {
    return [];
  }
}

function readComm(pid: number): string | null {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** The host pid of the sandbox's systemd. */
function findPid1(mode: SandboxMode, launcher: number): number | null {
  if (mode === 'user') {
    // the launcher execs sh → unshare → bash → systemd --user: same pid
    return readComm(launcher) === 'systemd' ? launcher : null;
  }
  // unshare --fork: PID 1 of the new namespaces is its only child (bash that exec'd systemd)
  const children = readChildren(launcher);
  if (children.length !== 1) return null;
  const pid1 = children[0]!;
  return readComm(pid1) === 'systemd' ? pid1 : null;
}

function describeExit(exit: { code: number | null; signal: NodeJS.Signals | null }): string {
  return exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${String(exit.code)}`;
}

/**
 * Start a sandbox in DIR and wait until systemd answers on its bus. The sandbox runs detached:
 * it outlives the calling process; stop it with `stopSandbox(DIR)`.
 */
export async function startSandbox(opts: StartOptions): Promise<SandboxInfo> {
  const o = normalizeStartOptions(opts);
  const tools = checkHost(o.mode);
  const dir = claimDir(o.dir);
  await checkNotRunning(dir);
  const binds = o.mode === 'system' ? resolveBinds(o.binds) : [];
  const files = statePaths(dir);
  const layout = sandboxLayout(o.mode, dir);

  // a sandbox.json of an earlier run must not describe this one until it is up
  rmIfExists(files.state);
  rmIfExists(path.join(dir, EXIT_FILE));
  try {
    prepareDir(o.mode, dir);
    writeStateFile(files.env, `export ${Object.entries(layout.env).map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ')}\n`);
  } catch (err) {
    throw new SandboxError(`cannot prepare the sandbox directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  if (o.beforeBoot) {
    try {
      await o.beforeBoot(layout.unitDir);
    } catch (err) {
      throw new SandboxError(`sandbox not started: beforeBoot failed: ${(err as Error).message ?? String(err)}`, { cause: err });
    }
  }

  const tag = withStateDir(dir, (_read, t) => t)!;
  const cgroup = createSandboxCgroup(tools.cgroupRoot, o.mode, tag);
  const started = Date.now();
  let child: ChildProcess | undefined;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  let spawnError: Error | null = null;
  try {
    writeStateFile(files.cgroup, `${cgroup}\n${fs.statSync(cgroup, { bigint: true }).ino}\n`);
    const unshareArgs =
      o.mode === 'user'
        ? ['--mount', '--cgroup', '--propagation', 'private']
        : ['--mount', '--cgroup', '--pid', '--fork', '--uts', '--ipc', '--net', '--propagation', 'private'];
    const script = o.mode === 'user' ? USER_MODE : SYSTEM_MODE;
    const env: NodeJS.ProcessEnv = {
      PATH: SAFE_PATH,
      LANG: process.env.LANG ?? 'C.UTF-8',
      ...(o.mode === 'user'
        ? { HOME: process.env.HOME ?? '/root', USER: 'root', LOGNAME: 'root', ...layout.env }
        : {}),
    };
    const logFd = fs.openSync(files.log, 'w', 0o644);
    try {
      child = spawn(
        tools.sh,
        ['-c', ENTER_CGROUP, 'sh', cgroup, tools.unshare, ...unshareArgs, tools.bash, '-c', script, 'bash', dir, ...binds],
        { detached: true, stdio: ['ignore', logFd, logFd], env, cwd: '/' },
      );
    } finally {
      fs.closeSync(logFd);
    }
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      // how systemd ended (`exit 3` of a container or --user manager): kept for whoever asks
      try {
        fs.writeFileSync(path.join(dir, EXIT_FILE), `${JSON.stringify({ code, signal })}\n`);
      } catch {
        // the directory is gone: nobody will ask
      }
    });
    child.once('error', (err) => {
      spawnError = err;
    });
    child.unref();

    // wait until systemd answers on the bus
    const deadline = started + o.timeoutMs;
    const pingArgs = [
      `--address=${layout.busAddress}`,
      '--timeout=2',
      'call',
      'org.freedesktop.systemd1',
      '/org/freedesktop/systemd1',
      'org.freedesktop.DBus.Peer',
      'Ping',
    ];
    const stateArgs = [
      `--address=${layout.busAddress}`,
      '--timeout=2',
      'get-property',
      'org.freedesktop.systemd1',
      '/org/freedesktop/systemd1',
      'org.freedesktop.systemd1.Manager',
      'SystemState',
    ];
    const seconds = o.timeoutMs >= 1000 ? `${Number((o.timeoutMs / 1000).toFixed(1))} s` : `${o.timeoutMs} ms`;
    let answered = false;
    let lastState = '';
    for (;;) {
      if (spawnError !== null) {
        throw new SandboxError(`cannot start the sandbox launcher ${tools.sh}: ${(spawnError as Error).message}`, { cause: spawnError });
      }
      const ex = exit as { code: number | null; signal: NodeJS.Signals | null } | null;
      if (ex !== null) {
        const tail = logTail(files.log);
        throw new SandboxError(
          `sandbox did not answer on ${layout.busAddress}: it ${describeExit(ex)}${headline(tail)}; see ${files.log}`,
          { hint: 'read the log; is this machine able to run systemd in a namespace (root, cgroup2)?' },
        );
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        const what = answered
          ? `sandbox answered on ${layout.busAddress} but did not finish booting within ${seconds} (SystemState ${lastState || 'unknown'})`
          : `sandbox did not answer on ${layout.busAddress} within ${seconds}`;
        throw new SandboxError(`${what}; see ${files.log}`, {
          hint: 'give it more time (sysherd sandbox start --timeout-boot SECONDS; timeoutMs in the library)',
        });
      }
      const callTimeout = Math.min(2000, Math.max(remaining, 100));
      if (!answered) answered = (await runBusctl(tools.busctl, pingArgs, callTimeout)).ok && exit === null;
      if (answered && !o.waitForBoot) break;
      if (answered) {
        const st = await runBusctl(tools.busctl, stateArgs, callTimeout);
        lastState = /"([^"]*)"/.exec(st.stdout)?.[1] ?? '';
        if (st.ok && lastState !== '' && lastState !== 'initializing' && lastState !== 'starting') break;
      }
      await delay(POLL_MS);
    }

    const pid = child.pid!;
    const pid1 = findPid1(o.mode, pid);
    if (pid1 === null) {
      throw new SandboxError(
        `sandbox answered on ${layout.busAddress}, but its systemd process was not found under launcher pid ${pid}; see ${files.log}`,
      );
    }
    const info: SandboxInfo = { mode: o.mode, dir, cgroup, pid, pid1, ...layout };
    writeStateFile(files.state, `${JSON.stringify({ ...info, startedAt: new Date(started).toISOString(), bootMs: Date.now() - started }, null, 2)}\n`);
    return info;
  } catch (err) {
    // The launcher may not have entered the cgroup yet: kill it and wait until it is gone, so
    // that nothing can enter the cgroup once we kill that.
    if (child?.pid !== undefined && exit === null && spawnError === null) {
      const gone = new Promise<void>((resolve) => child!.once('exit', () => resolve()));
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await Promise.race([gone, delay(2000)]);
    }
    await stopSandbox(dir).catch(() => {
      // report the original failure
    });
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Stop

function* stopSteps(dir: string): Generator<number, void, void> {
  const d = absoluteDir(dir);
  const rec = recordedCgroup(d);
  if (rec === null) return;
  if (isSandboxCgroupPath(rec.cgroup)) checkCgroupIdentity(rec);
  yield* killAndRemoveSteps(rec.cgroup, rec.source);
  // the sandbox is gone: its state no longer describes anything
  const files = statePaths(d);
  rmIfExists(files.state);
}

/**
 * Stop the sandbox of DIR: kill everything in its cgroup (cgroup.kill), wait until the cgroup
 * is empty, remove it. Its namespaces and mounts go with its processes. Idempotent; does
 * nothing when DIR holds no sandbox.
 */
export async function stopSandbox(dir: string): Promise<void> {
  for (const ms of stopSteps(dir)) await delay(ms);
}

/** `stopSandbox` with synchronous calls only, for `process.on('exit')` handlers. */
export function stopSandboxSync(dir: string): void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (const ms of stopSteps(dir)) Atomics.wait(cell, 0, 0, ms);
}

// ---------------------------------------------------------------------------------------------
// Running commands in a sandbox

function checkUid(uid: number | undefined): void {
  if (uid !== undefined && (!Number.isInteger(uid) || uid < 0 || uid > 0xfffffffe)) {
    throw new SandboxError(`invalid uid ${String(uid)}: give a non-negative integer`);
  }
}

function setprivArgs(uid: number): string[] {
  return [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups'];
}

/** The environment of a command run inside a system-mode sandbox: fresh, nothing of the host's buses. */
function systemModeEnv(uid: number | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: SAFE_PATH, HOME: uid === undefined || uid === 0 ? '/root' : '/', LANG: process.env.LANG ?? 'C.UTF-8' };
  for (const k of ['TERM', 'LC_ALL', 'TZ', 'NO_COLOR']) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return env;
}

/**
 * What to spawn to run argv "in" the sandbox.
 * - system mode: `nsenter -t PID1 -m -p -u -i -n -r -w [setpriv --reuid=U --regid=U --clear-groups] argv…`,
 *   with a fresh environment (PATH, HOME, LANG, and TERM/LC_ALL/TZ/NO_COLOR when set).
 * - user mode: argv itself (through setpriv with a uid) with `info.env` merged over `process.env`.
 */
export function execArgv(
  info: SandboxInfo,
  argv: string[],
  opts: { uid?: number } = {},
): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
  if (!Array.isArray(argv) || argv.length === 0 || argv.some((a) => typeof a !== 'string')) {
    throw new SandboxError('nothing to run in the sandbox: argv must be a non-empty list of strings');
  }
  const { uid } = opts;
  checkUid(uid);
  const priv = uid === undefined ? [] : ['setpriv', ...setprivArgs(uid)];
  if (info.mode === 'system') {
    if (info.pid1 === null) {
      throw new SandboxError(`cannot enter the sandbox in ${info.dir}: the pid of its PID 1 is unknown`, {
        hint: 'restart the sandbox',
      });
    }
    return {
      file: 'nsenter',
      args: ['-t', String(info.pid1), '-m', '-p', '-u', '-i', '-n', '-r', '-w', ...priv, ...argv],
      env: systemModeEnv(uid),
    };
  }
  const env: NodeJS.ProcessEnv = { ...process.env, ...info.env };
  const full = [...priv, ...argv];
  return { file: full[0]!, args: full.slice(1), env };
}

/** Run argv in the sandbox of DIR and collect its output (with stdio 'inherit', output is not collected). */
export async function execInSandbox(
  dir: string,
  argv: string[],
  opts: { uid?: number; input?: string | Buffer; stdio?: 'pipe' | 'inherit' } = {},
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const info = readSandbox(dir);
  const cmd = execArgv(info, argv, opts.uid === undefined ? {} : { uid: opts.uid });
  const inherit = opts.stdio === 'inherit';
  const stdinMode = opts.input !== undefined || !inherit ? 'pipe' : 'inherit';
  return new Promise((resolve, reject) => {
    const child = spawn(cmd.file, cmd.args, {
      env: cmd.env,
      stdio: [stdinMode, inherit ? 'inherit' : 'pipe', inherit ? 'inherit' : 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.once('error', (e) => {
      reject(new SandboxError(`cannot run ${argv[0]} in the sandbox in ${info.dir}: ${e.message}`, { cause: e }));
    });
    child.once('close', (code, signal) => {
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    if (child.stdin) {
      child.stdin.on('error', () => {
        // the command did not read its input: not our failure
      });
      child.stdin.end(opts.input ?? '');
    }
  });
}
