/**
 * A polkit text agent for the time of a call, as systemctl's `polkit_agent_open`: when stdin is a
 * terminal, the caller is not root, and the target is the local system manager, start
 * `pkttyagent --notify-fd 3 --fallback`, wait until it closes that descriptor (it has registered),
 * and end it (SIGTERM) afterwards. polkit can then ask for a password on the terminal when a
 * mutating call carries ALLOW_INTERACTIVE_AUTHORIZATION.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** Where systemd 252 finds the agent (POLKIT_AGENT_BINARY_PATH). */
export const PKTTYAGENT = '/usr/bin/pkttyagent';

export interface PolkitAgent {
  /** The agent's process id. */
  readonly pid: number;
  /** End the agent and wait for it to exit (at most 5 s). Safe to call twice. */
  close(): Promise<void>;
}

export interface PolkitAgentConditions {
  /** stdin is a terminal. */
  stdinIsTTY: boolean;
  /** The effective uid (`process.geteuid()`). */
  euid: number;
  /** The system manager on this machine (no --address, no -H, not --user). */
  localSystem: boolean;
  /** `--no-ask-password` makes this `false`. */
  askPassword: boolean;
}

/** Whether systemctl would start an agent under these conditions. */
export function wantPolkitAgent(c: PolkitAgentConditions): boolean {
  return c.askPassword && c.localSystem && c.stdinIsTTY && c.euid !== 0;
}

/**
 * systemctl's `polkit_agent_open_maybe`: start the agent when this process would want one (stdin
 * a terminal, not root, the local system manager, asking allowed); `null` otherwise or when it
 * cannot be started. `debug` hears whether it started (SYSHERD_DEBUG).
 */
export async function openPolkitAgentMaybe(c: Pick<PolkitAgentConditions, 'localSystem' | 'askPassword'>, debug?: (line: string) => void): Promise<PolkitAgent | null> {
  // stdin last: process.stdin.isTTY sets up stdin (~1 ms), which most lines never need otherwise
  if (!wantPolkitAgent({ ...c, stdinIsTTY: true, euid: process.geteuid?.() ?? 0 }) || process.stdin.isTTY !== true) return null;
  const agent = await openPolkitAgent();
  if (process.env.SYSHERD_DEBUG) debug?.(agent ? `sysherd: polkit agent pkttyagent started (pid ${agent.pid})\n` : 'sysherd: polkit agent could not be started\n');
  return agent;
}

/**
 * Start the agent and resolve once it is ready (closed the notify descriptor) or gone. `null`
 * when it cannot be started (not installed): the call then goes on without one, as systemctl's.
 */
export async function openPolkitAgent(opts: { binary?: string; readyTimeoutMs?: number } = {}): Promise<PolkitAgent | null> {
  const binary = opts.binary ?? process.env.SYSHERD_POLKIT_AGENT ?? PKTTYAGENT;
  let child: ChildProcess;
  try {
    child = spawn(binary, ['--notify-fd', '3', '--fallback'], { stdio: ['inherit', 'inherit', 'inherit', 'pipe'] });
  } catch {
    return null;
  }
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const started = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    child.once('spawn', () => resolve(true));
  });
  if (!started || child.pid === undefined) return null;
  const notify = child.stdio[3] as NodeJS.ReadableStream | null;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, opts.readyTimeoutMs ?? 10_000);
    timer.unref();
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    if (notify) {
      notify.on('data', () => undefined);
      notify.once('end', done);
      notify.once('close', done);
      notify.once('error', done);
    }
    void exited.then(done);
  });
  // a socket we keep open must not hold the event loop
  (notify as unknown as { destroy?: () => void } | null)?.destroy?.();
  const pid = child.pid;
  let closing: Promise<void> | undefined;
  return {
    pid,
    close: () => {
      closing ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const t = new Promise<void>((r) => setTimeout(r, 5000).unref());
        await Promise.race([exited, t]);
      })();
      return closing;
    },
  };
}
