/**
 * The remote transport, as `systemctl -H`: the bus of a remote manager is the stdio of
 * `ssh -xT [-p PORT] [-l USER] -- HOST systemd-stdio-bridge [--user]`.
 *
 * We run the user's own `ssh` (from PATH, with their config, agent and known_hosts) and never
 * see a password or a key. Without a terminal on stdin ssh runs with `BatchMode=yes`, so a
 * refused key or an unknown host key fails at once instead of prompting a script to death; every
 * connection has a connect timeout. When ssh ends before the bus answers, its last stderr line
 * ("Permission denied (publickey)", "Could not resolve hostname", "systemd-stdio-bridge: not
 * found") is the reason given, in one line naming the host.
 *
 * D-Bus authentication over the bridge: the bridge is an sd-bus server with anonymous
 * authentication on, so it accepts `AUTH EXTERNAL <our uid>` as sd-bus sends it over ssh
 * (wire.ts's only method over ssh); who we are on the host is ssh's business.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import { type BusKind, type BusTarget, type RemoteHost, formatHost, parseHost, remoteLabel } from './address.js';
import { ConnectionError, InvalidArgumentError } from './errors.js';
import { journalProcess } from './child-process.js';
import type { JournalProcess, JournalRunOptions, JournalRunner } from './journal.js';
import { AHEAD_SSH_OPTIONS, DEFAULT_CONNECT_TIMEOUT_MS, INTERACTIVE_CONNECT_TIMEOUT_MS, SSH, type SshOptions, aheadBridgeArgv, bridgeCommand, defaultBatch, shellQuote, sshArgv } from './ssh-argv.js';
import { STDERR_KEEP, type SpawnedAhead, endSpawnedAhead, takeSpawnedAhead } from './ssh-ahead.js';

export { type RemoteHost, parseHost, formatHost } from './address.js';

export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  INTERACTIVE_CONNECT_TIMEOUT_MS,
  SSH,
  type SshOptions,
  setBatchAlways,
  defaultBatch,
  sshArgv,
  USER_BRIDGE_SCRIPT,
  bridgeCommand,
  shellQuote,
} from './ssh-argv.js';

/** `ssh` argv that runs `argv` on the host, each word quoted for the remote shell. */
export function remoteCommandArgv(host: RemoteHost | string, argv: string[], opts: SshOptions = {}): string[] {
  const h = typeof host === 'string' ? parseHost(host) : host;
  return sshArgv(h, argv.map(shellQuote), opts);
}

/** The last non-empty line of ssh's stderr, cleaned for one line of our own. */
function lastLine(text: string): string | undefined {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  const l = lines[lines.length - 1];
  return l?.replace(/\.$/, '');
}

/** Why ssh ended, in words. */
export function sshFailure(code: number | null, signal: NodeJS.Signals | null, stderr: string): string {
  const said = lastLine(stderr);
  if (said) return said;
  if (code === 127) return 'systemd-stdio-bridge not found on the host';
  if (signal) return `ssh was killed by ${signal}`;
  return code === 0 ? 'ssh ended' : `ssh exited with status ${code}`;
}

/** How a bus child process failed, in words of its own transport. */
export interface ChildStreamFailure {
  /** It could not be started (ENOENT: not installed). */
  spawnError(e: NodeJS.ErrnoException): ConnectionError;
  /** It ended; `answered`: after the bus had said something (a lost connection, not a failed one). */
  ended(code: number | null, signal: NodeJS.Signals | null, stderr: string, answered: boolean): ConnectionError;
}

/**
 * A duplex stream over a child process that speaks D-Bus on its stdio (`ssh … systemd-stdio-bridge`,
 * `systemd-stdio-bridge -M NAME`): writes go to its stdin, its stdout is read. It emits `connect`
 * once the child runs (as a socket does). When the child ends, the stream fails with the
 * `ConnectionError` of `failure`; destroying the stream kills the child. The child's stderr is kept
 * (its last 4 KiB) for that error, and otherwise discarded.
 */
export class ChildStream extends Duplex {
  readonly child: ChildProcess;
  private stderr = '';
  private exited = false;
  /** Has the bridge said anything yet? (Then an end is a lost connection, not a failed one.) */
  private answered = false;
  /** Is ssh running (its `connect` emitted)? */
  started = false;

  /**
   * `ahead`: not a new child but the one spawned ahead with these args (ssh-ahead.ts), with what
   * it did so far.
   */
  constructor(file: string, args: string[], env: NodeJS.ProcessEnv, failure: ChildStreamFailure, ahead?: SpawnedAhead) {
    super({ allowHalfOpen: false });
    const child = ahead?.child ?? spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
    this.child = child;
    const onError = (e: NodeJS.ErrnoException): void => {
      this.exited = true;
      this.destroy(failure.spawnError(e));
    };
    if (ahead?.spawned === true) this.started = true; // its `connect` is emitted when it is taken (takeAhead)
    else {
      child.once('spawn', () => {
        this.started = true;
        this.emit('connect');
      });
    }
    child.once('error', onError);
    child.stdout!.on('data', (chunk: Buffer) => {
      this.answered = true;
      if (!this.push(chunk)) child.stdout!.pause();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-STDERR_KEEP);
    });
    child.stdin!.on('error', () => {
      /* the child went away: its exit says why */
    });
    const onClose = (code: number | null, signal: NodeJS.Signals | null): void => {
      this.exited = true;
      if (this.destroyed) return;
      this.destroy(failure.ended(code, signal, this.stderr, this.answered));
    };
    child.once('close', onClose);
    if (ahead !== undefined) {
      this.stderr = ahead.stderr;
      if (ahead.error !== undefined) onError(ahead.error);
      else if (ahead.closed !== undefined) onClose(ahead.closed.code, ahead.closed.signal);
    }
  }

  override _read(): void {
    this.child.stdout?.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const stdin = this.child.stdin;
    if (!stdin || stdin.destroyed) {
      cb();
      return;
    }
    stdin.write(chunk, () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.child.stdin?.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    if (!this.exited) {
      this.exited = true;
      this.child.stdin?.destroy();
      this.child.kill('SIGTERM');
    }
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
    cb(err);
  }
}

/**
 * A duplex stream over `ssh … systemd-stdio-bridge`. When ssh ends, the stream fails with a
 * `ConnectionError` naming the host and ssh's reason.
 */
export class SshStream extends ChildStream {
  readonly host: RemoteHost;

  /** `opts.ahead`: the ssh already spawned with this argv (ssh-ahead.ts), instead of a new one. */
  constructor(host: RemoteHost, command: string[], opts: SshOptions & { ssh?: string; env?: NodeJS.ProcessEnv; ahead?: SpawnedAhead | undefined } = {}) {
    const label = formatHost(host);
    super(opts.ssh ?? SSH, sshArgv(host, command, opts), opts.env ?? process.env, {
      spawnError: (e) => {
        const why = e.code === 'ENOENT' ? 'ssh is not installed (not found on PATH)' : e.message;
        return new ConnectionError(`cannot reach ${label} over ssh: ${why}`, { address: `ssh://${label}`, cause: e });
      },
      ended: (code, signal, stderr, answered) => {
        const why = sshFailure(code, signal, stderr);
        const msg = answered ? `lost the connection to ${label} over ssh: ${why}` : `cannot reach ${label} over ssh: ${why}`;
        return new ConnectionError(msg, { address: `ssh://${label}` });
      },
    }, opts.ahead);
    this.host = host;
  }
}

/** The bridge to a local container's bus (systemctl's `-M`): `systemd-stdio-bridge [--user] -M NAME`. */
export const STDIO_BRIDGE = 'systemd-stdio-bridge';

/**
 * `-M NAME`: the container's bus is the stdio of `systemd-stdio-bridge -M NAME` (which finds the
 * container through systemd-machined, as systemctl does). When the bridge cannot connect, its own
 * line ("Failed to connect to bus: Host is down") is the error: systemctl prints the same.
 */
export function machineTarget(name: string, kind: BusKind, opts: { timeout?: number; env?: NodeJS.ProcessEnv } = {}): BusTarget {
  if (name === '' || name.includes('\0')) throw new InvalidArgumentError(`invalid machine name '${name}'`);
  const args = [...(kind === 'user' ? ['--user'] : []), `--machine=${name}`];
  const address = `machine:${name}`;
  return {
    address,
    direct: false,
    source: 'through systemd-stdio-bridge',
    connectTimeout: Math.min(opts.timeout ?? DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT_MS),
    stream: () =>
      // the bridge logs to the journal unless told otherwise: its reason must reach us
      new ChildStream(STDIO_BRIDGE, args, { ...(opts.env ?? process.env), SYSTEMD_LOG_TARGET: 'console' }, {
        spawnError: (e) =>
          new ConnectionError(e.code === 'ENOENT' ? `${STDIO_BRIDGE} is not installed (not found on PATH): cannot reach machine ${name}` : e.message, { address, cause: e }),
        ended: (code, signal, stderr, answered) => {
          // "Failed to start bus client: Host is down" is systemctl's "Failed to connect to bus: …"
          const said = stderr
            .split(/\r?\n/)
            .map((l) => l.trim())
            .filter((l) => l !== '')
            .pop()
            ?.replace(/^Failed to start bus client: /, 'Failed to connect to bus: ');
          const why = said ?? (signal ? `${STDIO_BRIDGE} was killed by ${signal}` : `${STDIO_BRIDGE} exited with status ${code}`);
          return new ConnectionError(answered ? `lost the connection to machine ${name}: ${why}` : why, { address });
        },
      }),
  };
}

/** Open the bus of `kind` on a remote host: `ssh … HOST systemd-stdio-bridge [--user]`. */
export function openBridge(host: string | RemoteHost, kind: BusKind, opts: SshOptions & { env?: NodeJS.ProcessEnv } = {}): SshStream {
  const h = typeof host === 'string' ? parseHost(host) : host;
  return new SshStream(h, bridgeCommand(kind), opts);
}

/** What a remote command printed, and how it ended. */
export interface RemoteResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run `argv` on the host over ssh and collect its output (for `journalctl --output=json` and
 * kin). Fails with a `ConnectionError` naming the host when ssh itself fails (exit 255).
 */
export function runRemote(host: string | RemoteHost, argv: string[], opts: SshOptions & { env?: NodeJS.ProcessEnv; timeout?: number; maxBuffer?: number } = {}): Promise<RemoteResult> {
  const h = typeof host === 'string' ? parseHost(host) : host;
  const label = formatHost(h);
  const max = opts.maxBuffer ?? 64 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(SSH, remoteCommandArgv(h, argv, opts), { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
    const out: Buffer[] = [];
    let size = 0;
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeout !== undefined) {
      timer = setTimeout(() => {
        child.kill('SIGTERM');
        reject(new ConnectionError(`cannot reach ${label} over ssh: no answer within ${Math.round(opts.timeout! / 100) / 10} s`, { address: `ssh://${label}` }));
      }, opts.timeout);
    }
    child.stdout.on('data', (b: Buffer) => {
      size += b.length;
      if (size <= max) out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      err = (err + b.toString('utf8')).slice(-STDERR_KEEP);
    });
    child.once('error', (e: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer);
      const why = e.code === 'ENOENT' ? 'ssh is not installed (not found on PATH)' : e.message;
      reject(new ConnectionError(`cannot reach ${label} over ssh: ${why}`, { address: `ssh://${label}`, cause: e }));
    });
    child.once('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (code === 255) {
        reject(new ConnectionError(`cannot reach ${label} over ssh: ${sshFailure(code, signal, err)}`, { address: `ssh://${label}` }));
        return;
      }
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: err });
    });
  });
}

/**
 * The bus target of a remote host for `Bus.connect({ host })`. The connect timeout is the call
 * timeout when it is shorter than the default's 15 s (2 min when ssh may prompt on a terminal).
 * A bad host spec is an `InvalidArgumentError`.
 */
export function remoteTarget(spec: string, kind: BusKind, opts: { timeout?: number; batch?: boolean; env?: NodeJS.ProcessEnv } = {}): BusTarget {
  let h: RemoteHost;
  try {
    h = parseHost(spec);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message, { hint: 'use [USER@]HOST[:PORT]' });
  }
  const batch = opts.batch ?? defaultBatch();
  const tcpTimeout = Math.min(opts.timeout ?? DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT_MS);
  // on a terminal ssh may ask for a password or a host key: give the person time to answer
  const connectTimeout = batch ? tcpTimeout : Math.max(tcpTimeout, INTERACTIVE_CONNECT_TIMEOUT_MS);
  const ssh: SshOptions & { env?: NodeJS.ProcessEnv } = { connectTimeout: tcpTimeout, batch };
  if (opts.env !== undefined) ssh.env = opts.env;
  const key = aheadKey(h, kind, ssh);
  return {
    address: remoteLabel(h),
    direct: false,
    source: 'over ssh',
    connectTimeout,
    stream: () => (opts.env === undefined ? takeAhead(key) : undefined) ?? openBridge(h, kind, ssh),
  };
}

/**
 * ssh started ahead of the bus (`startBridgeEarly`), by what it runs, until the bus takes it.
 * ssh's own connection set-up (TCP, key exchange, authentication: ~0.5 s) then overlaps the CLI's
 * start-up (parsing, building the verb, loading its module) instead of following it.
 */
const ahead = new Map<string, SshStream>();

function aheadKey(h: RemoteHost, kind: BusKind, ssh: SshOptions): string {
  return JSON.stringify(sshArgv(h, bridgeCommand(kind), ssh));
}

function takeAhead(key: string): SshStream | undefined {
  const s = ahead.get(key);
  ahead.delete(key);
  if (s === undefined) return undefined;
  if (s.destroyed) return undefined; // it failed already: a fresh ssh says why
  // `connect` was emitted before anyone listened: again, once the bus has wired the stream
  if (s.started) process.nextTick(() => s.emit('connect'));
  return s;
}

/**
 * Start `ssh HOST systemd-stdio-bridge` for `-H HOST` now, before the command line is parsed —
 * or take the one the shim started before the bundle was even read (ssh-ahead.ts), when it runs
 * the same argv; the bus takes it when it connects with the same ssh options (`remoteTarget`).
 * Only when ssh cannot prompt (batch mode): a prompt must not appear for a line that turns out
 * wrong. Whether to call it is src/cli/early-ssh.ts's `earlyBridge`. What is not taken is ended
 * by `endBridgesAhead()`.
 */
export function startBridgeEarly(spec: string, kind: BusKind): void {
  if (!defaultBatch()) return;
  const argv = aheadBridgeArgv(spec, kind);
  if (argv === undefined) return; // a bad host: the bus reports it
  const key = JSON.stringify(argv);
  if (ahead.has(key)) return;
  const s = new SshStream(parseHost(spec), bridgeCommand(kind), { ...AHEAD_SSH_OPTIONS, ahead: takeSpawnedAhead(argv) });
  s.on('error', () => undefined); // not ours to report until the bus takes it
  ahead.set(key, s);
}

/** End every ssh started ahead that no bus took (the shim's too). */
export function endBridgesAhead(): void {
  for (const s of ahead.values()) s.destroy();
  ahead.clear();
  endSpawnedAhead();
}

/**
 * A journal runner (see journal.ts `JournalRunOptions.runner`) that runs journalctl on `host`
 * over ssh, every word quoted for the remote shell:
 *   readJournal({ units: ['nginx.service'], lines: 10 }, { runner: sshJournalRunner('web1') })
 * ssh's own failure (exit 255: unreachable, refused key) ends it as journalctl's failure would,
 * with ssh's reason on stderr, so the journal module says "journal not available: …".
 */
export function sshJournalRunner(host: string | RemoteHost, opts: SshOptions & { env?: NodeJS.ProcessEnv } = {}): JournalRunner {
  const h = typeof host === 'string' ? parseHost(host) : host;
  return (argv: string[]): JournalProcess => {
    return journalProcess(spawn(SSH, remoteCommandArgv(h, argv, { batch: true, ...opts }), { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env }));
  };
}

/**
 * Where the journal of the manager a command talks to is read: on this machine (`{}`), or with
 * `-H HOST` by journalctl on that host over ssh (the same connection options as the bus). systemctl
 * -H shows no journal lines at all; `sysherd -H HOST status UNIT` shows the host's, in status's
 * format (a deliberate difference). `false` for a user manager on a host: whose uid its journal
 * records carry is not known here.
 */
export function journalRunOptionsFor(connect: { host?: string | undefined; bus?: string }): JournalRunOptions | false {
  if (connect.host === undefined) return {};
  return connect.bus === 'user' ? false : { runner: sshJournalRunner(connect.host) };
}
