/**
 * The handover of an ssh started before the CLI's bundle is loaded. For `-H HOST`, the shim
 * (bin/sysherd.js, through dist/cli/early-ssh.js: src/cli/early-ssh.ts) spawns
 * `ssh … HOST systemd-stdio-bridge` before it reads the bundle, and leaves the child here, in a
 * slot on `process` (a `Symbol.for` key: the early file and the bundle each have their own copy
 * of this module). The transport (transport.ts `startBridgeEarly`) takes it when it would spawn
 * the same argv, and wraps it in its own stream class; only plain Node objects (a ChildProcess,
 * strings) cross, so no `instanceof` between the two copies is ever needed.
 *
 * Until it is taken, the child is watched here: its stderr kept (the reason should ssh fail), its
 * `spawn`, `error` and `close` recorded, nothing reported.
 */
import { type ChildProcess, spawn } from 'node:child_process';

/** How much of a bus child's stderr is kept for its error (its last bytes). */
export const STDERR_KEEP = 4096;

/** An ssh spawned ahead of the bundle, as the bundle finds it. */
export interface SpawnedAhead {
  /** ssh's argv (without the program). */
  readonly argv: readonly string[];
  readonly child: ChildProcess;
  /** Its stderr so far (the last STDERR_KEEP characters). */
  stderr: string;
  /** Its `spawn` event came (it runs). */
  spawned: boolean;
  /** Its `error` event (it could not be started). */
  error: NodeJS.ErrnoException | undefined;
  /** Its `close` event (it has ended). */
  closed: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Stop watching it: whoever took it watches it from now on. */
  release(): void;
}

const SLOT = Symbol.for('sysherd.ssh-ahead');

type Slotted = typeof process & { [SLOT]?: SpawnedAhead };

/** Spawn `file argv` (ssh, from PATH) and leave it in the slot for the bundle. */
export function spawnAhead(file: string, argv: string[]): void {
  const slotted = process as Slotted;
  if (slotted[SLOT] !== undefined) return;
  const child = spawn(file, argv, { stdio: ['pipe', 'pipe', 'pipe'], env: process.env });
  const onSpawn = (): void => {
    ahead.spawned = true;
  };
  const onError = (e: NodeJS.ErrnoException): void => {
    ahead.error = e;
  };
  const onClose = (code: number | null, signal: NodeJS.Signals | null): void => {
    ahead.closed = { code, signal };
  };
  const onStderr = (chunk: Buffer): void => {
    ahead.stderr = (ahead.stderr + chunk.toString('utf8')).slice(-STDERR_KEEP);
  };
  const onStdinError = (): void => {
    /* it went away: its close says so */
  };
  const ahead: SpawnedAhead = {
    argv,
    child,
    stderr: '',
    spawned: false,
    error: undefined,
    closed: undefined,
    release() {
      child.off('spawn', onSpawn);
      child.off('error', onError);
      child.off('close', onClose);
      child.stderr?.off('data', onStderr);
      child.stdin?.off('error', onStdinError);
    },
  };
  child.once('spawn', onSpawn);
  child.on('error', onError);
  child.once('close', onClose);
  child.stderr?.on('data', onStderr);
  child.stdin?.on('error', onStdinError);
  slotted[SLOT] = ahead;
}

/** The ssh spawned ahead with exactly this argv, now the caller's to watch and end; else undefined. */
export function takeSpawnedAhead(argv: readonly string[]): SpawnedAhead | undefined {
  const slotted = process as Slotted;
  const ahead = slotted[SLOT];
  if (ahead === undefined || ahead.argv.length !== argv.length || ahead.argv.some((a, i) => a !== argv[i])) return undefined;
  delete slotted[SLOT];
  ahead.release();
  return ahead;
}

/** End an ssh spawned ahead that nobody took (its failure is not reported). */
export function endSpawnedAhead(): void {
  const slotted = process as Slotted;
  const ahead = slotted[SLOT];
  if (ahead === undefined) return;
  delete slotted[SLOT];
  ahead.release();
  const { child } = ahead;
  child.on('error', () => undefined);
  child.stdin?.on('error', () => undefined);
  child.stdin?.destroy();
  child.stdout?.destroy();
  child.stderr?.destroy();
  if (ahead.closed === undefined && ahead.error === undefined) child.kill('SIGTERM');
}
