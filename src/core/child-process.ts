/**
 * A spawned child as the journal module reads it (`JournalProcess`): shared by the local runner
 * (journal.ts) and the ssh runner (transport.ts). Types only from elsewhere, so importing it costs
 * nothing at start-up.
 */
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

/** A spawned child (journalctl, locally or over ssh): its output and how it ended. */
export interface JournalProcess {
  stdout: Readable;
  stderr: Readable;
  /** Resolves when the process has ended. */
  exit: Promise<{ code: number | null; signal: string | null; error?: Error }>;
  kill(): void;
}

/** A spawned child (stdio `['ignore', 'pipe', 'pipe']`) as a `JournalProcess`: for runners of any kind. */
export function journalProcess(child: ChildProcessByStdio<null, Readable, Readable>): JournalProcess {
  const exit = new Promise<{ code: number | null; signal: string | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  return {
    stdout: child.stdout,
    stderr: child.stderr,
    exit,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}
