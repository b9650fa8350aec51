/**
 * Where output goes, and what the terminal can do (GitHub CLI's IOStreams): data to `out`,
 * progress, hints and errors to `err`; colour and spinners only on a terminal.
 */
import { isatty } from 'node:tty';

export interface IO {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  outIsTTY: boolean;
  errIsTTY: boolean;
  /** Colour on stdout (TTY, no NO_COLOR, TERM not dumb, or forced). */
  color: boolean;
  /** Colour on stderr. */
  errColor: boolean;
  /** Width of the terminal stdout is on, `undefined` when not a terminal. */
  columns: number | undefined;
  /** UTF-8 capable terminal (for ● and …). */
  unicode: boolean;
  /**
   * The exit code of a verb that ends non-zero without an error (`is-active` → 3): verbs set it
   * here, never on `process`, so one process can run a verb for several hosts, each on its own IO.
   */
  exitCode?: number;
  /**
   * Output goes into a pager (openPager's IO): tables are not cut to the terminal width then,
   * as systemd's `table_print` (the pager chops or wraps long lines itself).
   */
  paged?: boolean;
}

function wantsColor(isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.SYSTEMD_COLORS === '0' || env.SYSTEMD_COLORS === 'false') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  if (env.SYSTEMD_COLORS === '1' || env.SYSTEMD_COLORS === 'true') return true;
  return isTTY && env.TERM !== 'dumb';
}

/**
 * The width to cut to on a terminal, as systemd's columns(): the terminal's own width, else
 * `$COLUMNS`, else 80 (a pty can report 0). Not on a terminal nothing is cut.
 */
export function terminalColumns(ttyColumns: number | undefined, env: NodeJS.ProcessEnv): number {
  if (ttyColumns && ttyColumns > 0) return ttyColumns;
  const fromEnv = Number(env.COLUMNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 80;
}

/**
 * The process's own streams. Each is made when first written to (Node makes process.stdout and
 * process.stderr on first use, ~1 ms each); whether it is a terminal is asked of the descriptor.
 */
export function processIO(env: NodeJS.ProcessEnv = process.env): IO {
  const outIsTTY = isatty(1);
  const errIsTTY = isatty(2);
  const lang = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return {
    get out() {
      return process.stdout;
    },
    get err() {
      return process.stderr;
    },
    outIsTTY,
    errIsTTY,
    color: wantsColor(outIsTTY, env),
    errColor: wantsColor(errIsTTY, env),
    columns: outIsTTY ? terminalColumns(process.stdout.columns, env) : undefined,
    unicode: env.TERM === 'linux' ? false : lang === '' || /utf-?8/i.test(lang) || lang === 'C.UTF-8',
  };
}

/** An IO that collects what is written, for tests. */
export function memoryIO(opts: Partial<Omit<IO, 'out' | 'err'>> = {}): IO & { stdout(): string; stderr(): string } {
  const chunks = { out: [] as string[], err: [] as string[] };
  const sink = (which: 'out' | 'err') =>
    ({
      write(chunk: string | Uint8Array): boolean {
        chunks[which].push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return true;
      },
    }) as unknown as NodeJS.WritableStream;
  return {
    out: sink('out'),
    err: sink('err'),
    outIsTTY: false,
    errIsTTY: false,
    color: false,
    errColor: false,
    columns: undefined,
    unicode: true,
    ...opts,
    stdout: () => chunks.out.join(''),
    stderr: () => chunks.err.join(''),
  };
}

/**
 * Write and wait while the stream's buffer is full (a slow pipe or pager): a verb that streams
 * thousands of records then holds a few, not all of them. Resolves at once on a stream without
 * events (tests' memory streams) and when the stream fails or closes (a pager that quit).
 */
export function writeDrained(stream: NodeJS.WritableStream, text: string): Promise<void> | void {
  if (stream.write(text) || typeof stream.once !== 'function') return;
  return new Promise<void>((resolve) => {
    const done = (): void => {
      for (const ev of ['drain', 'error', 'close']) stream.removeListener?.(ev, done);
      resolve();
    };
    for (const ev of ['drain', 'error', 'close']) stream.once(ev, done);
  });
}
