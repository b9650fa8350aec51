/**
 * The argv of `ssh` for a remote host (`systemctl -H`): pure, without child_process, so that the
 * shim's early start (bin/sysherd.js → dist/cli/early-ssh.js, src/cli/early-ssh.ts) and the
 * transport (transport.ts) build it with the same code.
 */
import { type BusKind, type RemoteHost, parseHost } from './address.js';

/** The ssh program: `ssh` from PATH, as systemctl (`unixexec:path=ssh`). */
export const SSH = 'ssh';

/** Default connect timeout for a remote host (ssh's own TCP/auth and the bridge's answer). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
/** Connect timeout when ssh may prompt on the terminal (stdin is one, not a fleet). */
export const INTERACTIVE_CONNECT_TIMEOUT_MS = 120_000;

export interface SshOptions {
  /** `BatchMode=yes`: never prompt. Default: when stdin is not a terminal. */
  batch?: boolean;
  /** ssh's ConnectTimeout, in ms (rounded up to seconds). */
  connectTimeout?: number;
}

let batchAlways = false;

/**
 * Never let ssh prompt, even on a terminal: a fleet reaches many hosts at once, and several
 * password or host-key prompts on one terminal would interleave (the fleet runner sets it).
 */
export function setBatchAlways(on: boolean): void {
  batchAlways = on;
}

/** Does ssh run without prompting here (stdin is not a terminal, or a fleet runs)? */
export function defaultBatch(): boolean {
  return batchAlways || process.stdin.isTTY !== true;
}

/**
 * The argv of `ssh` that runs `command` (already quoted for the remote shell) on `host`:
 * `['-xT', '-o', 'BatchMode=yes', …, '-p', PORT, '-l', USER, '--', HOST, COMMAND…]`.
 */
export function sshArgv(host: RemoteHost, command: string[], opts: SshOptions = {}): string[] {
  const args = ['-xT'];
  if (opts.batch ?? defaultBatch()) args.push('-o', 'BatchMode=yes');
  const secs = Math.max(1, Math.ceil((opts.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS) / 1000));
  args.push('-o', `ConnectTimeout=${secs}`, '-o', 'ServerAliveInterval=15', '-o', 'ServerAliveCountMax=3');
  if (host.port !== undefined) args.push('-p', String(host.port));
  if (host.user !== undefined) args.push('-l', host.user);
  args.push('--', host.host, ...command);
  return args;
}

/**
 * The remote user's bus for `--user`: `$DBUS_SESSION_BUS_ADDRESS`, else `$XDG_RUNTIME_DIR/bus`,
 * resolved by the remote shell. systemd 252's bridge ignores `--user` (its `--bus-path` defaults
 * to the system bus), so the path is given explicitly; without a user session on the host the
 * shell says so in one line instead of the bridge silently reaching the system manager.
 */
export const USER_BRIDGE_SCRIPT =
  'exec systemd-stdio-bridge --user "--bus-path=${DBUS_SESSION_BUS_ADDRESS:-unix:path=${XDG_RUNTIME_DIR:?is not set: no user session for this login on the host}/bus}"';

/** `systemd-stdio-bridge`, or for `--user` the bridge to the remote user's bus (through `sh -c`). */
export function bridgeCommand(kind: BusKind): string[] {
  return kind === 'user' ? ['sh', '-c', shellQuote(USER_BRIDGE_SCRIPT)] : ['systemd-stdio-bridge'];
}

/**
 * One word for a POSIX shell: as it is when it is made only of safe characters, else in single
 * quotes (`'` becomes `'\''`). ssh joins its command words with spaces and the remote shell
 * splits them again, so every word of a remote command goes through this.
 */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The ssh options of a bridge started ahead of the bus (transport.ts `startBridgeEarly`, the shim):
 * batch mode and the default connect timeout, which is what `remoteTarget` asks for when the line
 * has no --timeout and stdin is not a terminal.
 */
export const AHEAD_SSH_OPTIONS: Readonly<SshOptions> = { connectTimeout: DEFAULT_CONNECT_TIMEOUT_MS, batch: true };

/** ssh's argv for the bridge to `spec`'s bus of `kind` started ahead; undefined for a bad host (the bus reports it). */
export function aheadBridgeArgv(spec: string, kind: BusKind): string[] | undefined {
  let h: RemoteHost;
  try {
    h = parseHost(spec);
  } catch {
    return undefined;
  }
  return sshArgv(h, bridgeCommand(kind), AHEAD_SSH_OPTIONS);
}
