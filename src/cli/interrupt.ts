/**
 * Ctrl-C (SIGINT) and SIGTERM while a verb works. Verbs register what must happen if they are
 * interrupted — stop a half-booted sandbox, or say that a job keeps running in systemd — and the
 * handler runs that, then dies of the signal itself (the default handler, re-raised), as systemctl
 * does: a shell sees a death by signal (`$?` 130 or 143) and stops a loop
 * (`for u in a b; do sysherd start $u; done`) instead of going on with the next. A second Ctrl-C
 * ends it at once. With nothing registered, the signal ends the process as usual.
 */
import { escapeTerminal } from '../output/escape.js';
import type { IO } from '../output/io.js';

interface Cleanup {
  /** Runs on interrupt; may be async (given up to 5 s). */
  run: () => void | Promise<void>;
  /** What to tell the user (`the job keeps running in systemd`). */
  message?: string;
}

const cleanups = new Set<Cleanup>();
let installed = false;
let interrupted = false;

/** Has the user interrupted us? (Errors that follow from the interrupt are not reported.) */
export function wasInterrupted(): boolean {
  return interrupted;
}

/** Register what to do if the user interrupts now. Returns the function that unregisters it. */
export function onInterrupt(run: () => void | Promise<void>, message?: string): () => void {
  const c: Cleanup = message === undefined ? { run } : { run, message };
  cleanups.add(c);
  return () => cleanups.delete(c);
}

/** Run `fn` with `run` registered as its interrupt cleanup. */
export async function whileInterruptible<T>(fn: () => Promise<T>, run: () => void | Promise<void>, message?: string): Promise<T> {
  const off = onInterrupt(run, message);
  try {
    return await fn();
  } finally {
    off();
  }
}

/**
 * End the process by `signal` with its default action (after our output is written), so that the
 * parent sees a death by signal. Falls back to exit 128+N should the signal not end us.
 */
export function dieOfSignal(signal: 'SIGINT' | 'SIGTERM'): void {
  process.removeAllListeners(signal);
  setTimeout(() => process.exit(signal === 'SIGINT' ? 130 : 143), 1000).unref();
  process.kill(process.pid, signal);
}

async function handle(signal: 'SIGINT' | 'SIGTERM', io: IO): Promise<void> {
  if (interrupted || cleanups.size === 0) {
    dieOfSignal(signal);
    return;
  }
  interrupted = true;
  const list = [...cleanups];
  cleanups.clear();
  if (io.errIsTTY) io.err.write('\n');
  for (const c of list) if (c.message) io.err.write(`sysherd: interrupted; ${escapeTerminal(c.message)}\n`);
  const timeout = new Promise<void>((r) => setTimeout(r, 5000).unref());
  await Promise.race([Promise.allSettled(list.map(async (c) => c.run())), timeout]);
  dieOfSignal(signal);
}

/** Install the SIGINT/SIGTERM handlers (once). */
export function installInterruptHandlers(io: IO): void {
  if (installed) return;
  installed = true;
  process.on('SIGINT', () => void handle('SIGINT', io));
  process.on('SIGTERM', () => void handle('SIGTERM', io));
}
