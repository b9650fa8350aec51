/**
 * systemd's pager (v252 src/shared/pager.c): long human output on a terminal goes through
 * `$SYSTEMD_PAGER`, else `$PAGER`, else `pager`, `less`, `more` (the first that exists), with
 * `LESS=FRSXMK` (or `$SYSTEMD_LESS`) and `LESSCHARSET=utf-8` in a UTF-8 locale.
 *
 * - Only when stdout and stderr are terminals, `$TERM` is set and not `dumb`, and not with
 *   `--no-pager`; `SYSTEMD_PAGER=cat` (or `PAGER=cat`) or an empty value turns it off.
 * - Secure mode (`SYSTEMD_PAGERSECURE`): when not set explicitly it is on unless the process's
 *   login-session owner (from its cgroup, as `sd_pid_get_owner_uid`) is both its uid and euid —
 *   so under `sudo`, or as root without a session of its own, it is on. In secure mode that was
 *   not asked for explicitly (unset, or a value that is not a boolean), `$SYSTEMD_PAGER`/`$PAGER`
 *   are ignored and only `less` runs; with `SYSTEMD_PAGERSECURE=1` the pager from the
 *   environment runs. The child gets `LESSSECURE=1` in secure mode (and never otherwise).
 * - The pager gets an argument array: a `$PAGER` with arguments is split at whitespace, as
 *   systemd 252 splits it (no shell, no unquoting).
 * - The parent's stdout and stderr go into the pager's stdin (as systemd's dup2 of both).
 *   Quitting the pager early (EPIPE) is not an error: the rest of the output is dropped quietly.
 *
 * Use: `const pager = openPager(io, { enabled: g.pager !== false }); … write to pager.io …;
 * await pager.close();`
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IO } from './io.js';

export interface PagerOptions {
  /** `false` with `--no-pager`. */
  enabled?: boolean;
  /** less's `+G`: start at the end (journalctl -e). */
  jumpToEnd?: boolean;
  /** Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
}

export interface Pager {
  /** Where to write: the pager's stdin, or the IO given when no pager runs. */
  io: IO;
  /** Whether a pager runs. */
  active: boolean;
  /** The pager's argv (empty when none runs). */
  argv: string[];
  /** End its input and wait for it to exit. Safe to call twice. */
  close(): Promise<void>;
}

/** systemd's `getenv_bool_secure` on a value: `true`/`false`, `undefined` when unset, `'bad'`. */
function envBool(v: string | undefined): boolean | undefined | 'bad' {
  if (v === undefined) return undefined;
  const s = v.toLowerCase();
  if (['1', 'yes', 'y', 'true', 't', 'on'].includes(s)) return true;
  if (['0', 'no', 'n', 'false', 'f', 'off'].includes(s)) return false;
  return 'bad';
}

/**
 * How systemd 252 splits `$SYSTEMD_PAGER`/`$PAGER` into an argument array: at whitespace, and
 * nothing else — quotes and backslashes stay as they are (checked against systemctl 252: `PAGER='p
 * "x y"'` runs `p` with `"x` and `y"`). No shell is involved.
 */
export function splitPagerCommand(s: string): string[] {
  return s.split(/[ \t\n\r]+/).filter((w) => w !== '');
}

/**
 * The uid owning the process's login session, as `sd_pid_get_owner_uid(0)`: from the cgroup
 * path (`…/user-1000.slice/session-3.scope` or `user@1000.service`); `null` when the process is
 * not in a user's session or slice (a system service, a container without logind).
 */
export function sessionOwnerUid(cgroupFile = '/proc/self/cgroup'): number | null {
  let text: string;
  try {
    text = readFileSync(cgroupFile, 'utf8');
  } catch {
    return null;
  }
  const line = text.split('\n').find((l) => l.startsWith('0::')) ?? text.split('\n').find((l) => /:name=systemd:/.test(l));
  if (!line) return null;
  const p = line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
  const m = /\/user-(\d+)\.slice\/(?:[^/]*\/)*(?:session-[^/]+\.scope|user@\d+\.service)/.exec(p);
  return m ? Number(m[1]) : null;
}

/** Whether secure mode is on, and whether the pager from the environment may be used. */
export function pagerSecurity(
  env: NodeJS.ProcessEnv,
  ids: { uid: number; euid: number; owner: number | null } = {
    uid: process.getuid?.() ?? 0,
    euid: process.geteuid?.() ?? 0,
    owner: sessionOwnerUid(),
  },
): { secure: boolean; trustEnvPager: boolean } {
  const v = envBool(env.SYSTEMD_PAGERSECURE);
  if (v === undefined) {
    const secure = ids.owner === null || ids.uid !== ids.owner || ids.euid !== ids.owner;
    return { secure, trustEnvPager: !secure };
  }
  if (v === 'bad') return { secure: true, trustEnvPager: false }; // systemd warns and assumes true
  return { secure: v, trustEnvPager: true };
}

/** execvp's search: the path of `name` when it can be executed, else `null`. */
export function findExecutable(name: string, envPath: string | undefined): string | null {
  const ok = (p: string): boolean => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (name.includes('/')) return ok(name) ? name : null;
  for (const dir of (envPath ?? '/usr/local/bin:/usr/bin:/bin').split(':')) {
    const p = join(dir || '.', name);
    if (ok(p)) return p;
  }
  return null;
}

export interface PagerPlan {
  /** The argv to run; `null`: no pager (off, not a terminal, or only the built-in fallback). */
  argv: string[] | null;
  /** The child's environment. */
  env: NodeJS.ProcessEnv;
}

/** Decide what pager_open would run, without running it. */
export function planPager(io: Pick<IO, 'outIsTTY' | 'errIsTTY'>, opts: PagerOptions = {}, ids?: Parameters<typeof pagerSecurity>[1]): PagerPlan {
  const env = opts.env ?? process.env;
  const none = { argv: null, env };
  if (opts.enabled === false) return none;
  // terminal_is_dumb(): not on a tty (stdout and stderr), or $TERM unset or dumb
  if (!io.outIsTTY || !io.errIsTTY) return none;
  if (env.TERM === undefined || env.TERM === 'dumb') return none;
  const fromEnv = env.SYSTEMD_PAGER ?? env.PAGER;
  let envArgs: string[] | null = null;
  if (fromEnv !== undefined) {
    envArgs = splitPagerCommand(fromEnv);
    if (envArgs.length === 0 || (envArgs.length === 1 && envArgs[0] === 'cat')) return none;
  }
  let less = env.SYSTEMD_LESS ?? 'FRSXMK';
  if (opts.jumpToEnd) less += ' +G';
  const child: NodeJS.ProcessEnv = { ...env, LESS: less };
  const lang = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  const charset = env.SYSTEMD_LESSCHARSET ?? (/utf-?8/i.test(lang) ? 'utf-8' : undefined);
  if (charset !== undefined) child.LESSCHARSET = charset;
  const { secure, trustEnvPager } = pagerSecurity(env, ids);
  if (secure) child.LESSSECURE = '1';
  else delete child.LESSSECURE;
  if (trustEnvPager && envArgs) {
    const exe = findExecutable(envArgs[0]!, env.PATH);
    if (exe) return { argv: envArgs, env: child };
  }
  for (const name of ['pager', 'less', 'more']) {
    if (secure && name !== 'less') continue;
    if (findExecutable(name, env.PATH)) return { argv: [name], env: child };
  }
  return none; // systemd's built-in fallback copies stdin to stdout: the same as no pager
}

/** A writable that forwards to the pager, and drops everything quietly once the pager is gone. */
function pagerSink(child: ChildProcess, gone: () => boolean): NodeJS.WritableStream {
  const stdin = child.stdin!;
  return {
    write(chunk: string | Uint8Array, ...rest: unknown[]): boolean {
      const cb = rest.find((r) => typeof r === 'function') as ((e?: Error | null) => void) | undefined;
      if (gone() || stdin.destroyed) {
        cb?.(null);
        return true;
      }
      return stdin.write(chunk, () => cb?.(null));
    },
    on: (...a: Parameters<NodeJS.WritableStream['on']>) => (stdin.on(...a), undefined) as never,
    once: (...a: Parameters<NodeJS.WritableStream['once']>) => (stdin.once(...a), undefined) as never,
    removeListener: (...a: Parameters<NodeJS.WritableStream['removeListener']>) => (stdin.removeListener(...a), undefined) as never,
    end: () => stdin.end(),
  } as unknown as NodeJS.WritableStream;
}

/**
 * Start the pager if systemd would (see the module comment) and return an IO that writes into
 * it; otherwise the IO as it is, and a `close()` that does nothing.
 */
export function openPager(io: IO, opts: PagerOptions = {}): Pager {
  const plan = planPager(io, opts);
  if (!plan.argv) return { io, active: false, argv: [], close: async () => undefined };
  const argv = plan.argv;
  const child = spawn(argv[0]!, argv.slice(1), { env: plan.env, stdio: ['pipe', 'inherit', 'inherit'] });
  let quit = false;
  const exited = new Promise<void>((resolve) => {
    child.once('error', () => {
      quit = true;
      resolve();
    });
    child.once('close', () => {
      quit = true;
      resolve();
    });
  });
  // EPIPE when the pager quits before we are done: not an error (systemctl dies of SIGPIPE)
  child.stdin!.on('error', () => {
    quit = true;
  });
  const sink = pagerSink(child, () => quit);
  let closing: Promise<void> | undefined;
  // the verb's exit code (io.exitCode) must land on the IO the caller holds
  const paged: IO = { ...io, out: sink, err: sink, paged: true };
  Object.defineProperty(paged, 'exitCode', {
    get: () => io.exitCode,
    set: (v: number | undefined) => {
      io.exitCode = v;
    },
    enumerable: true,
  });
  return {
    io: paged,
    active: true,
    argv,
    close(): Promise<void> {
      closing ??= (async () => {
        if (!quit) child.stdin!.end();
        try {
          if (child.pid !== undefined) process.kill(child.pid, 'SIGCONT');
        } catch {
          /* gone */
        }
        await exited;
      })();
      return closing;
    },
  };
}

/**
 * Run `body` with its output paged (when systemd would page it), then wait for the pager.
 * The pager is closed even when `body` throws; the error is rethrown after.
 */
export async function withPager<T>(io: IO, opts: PagerOptions, body: (io: IO) => Promise<T>): Promise<T> {
  const pager = openPager(io, opts);
  try {
    return await body(pager.io);
  } finally {
    await pager.close();
  }
}
