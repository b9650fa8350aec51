/**
 * Helpers for the end-to-end tests: run the BUILT CLI (`node bin/sysherd.js …`) as a child
 * process, with argument arrays (no shell), and collect its exit code and output.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { unitObjectPath } from '../../src/core/names.js';
import { stopSandbox, stopSandboxSync } from '../../src/sandbox/sandbox.js';
import { projectRoot } from '../helpers/sandbox.js';

export { projectRoot };

/** The shim the package's `bin` points at. */
export const BIN = path.join(projectRoot, 'bin', 'sysherd.js');
/** The bundle the shim loads (`npm run build:cli`). */
export const BUNDLE = path.join(projectRoot, 'dist', 'cli', 'bin.js');

/** Build the CLI bundle unless it is there (`npm test` builds it first). */
export function ensureBuilt(): void {
  if (fs.existsSync(BUNDLE)) return;
  execFileSync('npm', ['run', 'build:cli'], { cwd: projectRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  assert.ok(fs.existsSync(BUNDLE), `npm run build:cli did not produce ${BUNDLE}`);
}

/**
 * The environment the CLI runs with: the test's own, minus what would make its output depend
 * on who runs the tests (forced colours, a terminal width, a session bus), in a UTF-8 locale.
 */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['FORCE_COLOR', 'NO_COLOR', 'SYSTEMD_COLORS', 'COLUMNS', 'LINES', 'SYSHERD_DEBUG', 'NODE_OPTIONS', 'NODE_TEST_CONTEXT']) {
    delete env[k];
  }
  env.LANG = 'C.UTF-8';
  delete env.LC_ALL;
  return { ...env, ...extra };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout as raw bytes (to look for raw escape bytes). */
  stdoutBytes: Buffer;
}

/**
 * Run `node bin/sysherd.js ...args` from the project root and wait for it to end. `command`: what
 * runs instead of `node bin/sysherd.js` (another copy of the shim, systemctl), in the same environment.
 */
export function runCli(
  args: string[],
  opts: { timeoutMs?: number; env?: Record<string, string>; onSpawn?: (pid: number) => void; command?: [string, ...string[]] } = {},
): Promise<CliResult> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const [file, ...before] = opts.command ?? [process.execPath, BIN];
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...before, ...args], {
      cwd: projectRoot,
      env: cliEnv(opts.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${opts.command === undefined ? 'sysherd' : file} ${args.join(' ')} did not end within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      resolve({ code, signal, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes });
    });
  });
}

/** Describe a result for assertion messages. */
export function show(r: CliResult): string {
  return `exit ${String(r.code)}${r.signal ? ` (${r.signal})` : ''}\n--- stdout ---\n${r.stdout.slice(0, 3000)}\n--- stderr ---\n${r.stderr.slice(0, 3000)}`;
}

/** Exit 0, nothing on stderr unless allowed. */
export function assertOk(r: CliResult, opts: { stderr?: boolean } = {}): void {
  assert.equal(r.code, 0, show(r));
  if (!opts.stderr) assert.equal(r.stderr, '', show(r));
}

/**
 * A user error as the CLI must report it: the exit code, nothing on stdout, ONE line on stderr
 * that starts with `sysherd:` and contains every one of `mentions`, no stack trace.
 */
export function assertOneLineError(r: CliResult, code: number, mentions: (string | RegExp)[] = []): void {
  assert.equal(r.code, code, show(r));
  assert.equal(r.stdout, '', `stdout must be empty on an error\n${show(r)}`);
  assert.match(r.stderr, /^sysherd: [^\n]+\n$/, `expected exactly one line on stderr\n${show(r)}`);
  assert.doesNotMatch(r.stderr, /\bat .+:\d+:\d+|internal error|Error:/, `looks like a stack trace or an internal error\n${show(r)}`);
  for (const m of mentions) {
    if (typeof m === 'string') assert.ok(r.stderr.includes(m), `stderr should mention ${JSON.stringify(m)}\n${show(r)}`);
    else assert.match(r.stderr, m, show(r));
  }
}

/** Rows of a table (stdout lines, without the trailing empty one). */
export function lines(s: string): string[] {
  return s.split('\n').filter((l) => l !== '');
}

/** The unit names of table rows (the first word after the optional ● marker). */
export function unitNames(table: string): string[] {
  return lines(table)
    .map((l) => l.replace(/^[●*]?\s*/, '').split(/\s+/)[0]!)
    .filter((u) => u !== 'UNIT');
}

/** Run a program (argument array) and collect its output; never rejects. */
export function run(file: string, args: string[], timeoutMs = 10_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export const SD = ['org.freedesktop.systemd1', '/org/freedesktop/systemd1', 'org.freedesktop.systemd1.Manager'] as const;

/** Poll a unit's ActiveState over the bus until it is `want` (or the time is up); returns the last state. */
export async function waitActiveState(address: string, unit: string, want: string, ms = 10_000): Promise<string> {
  const end = Date.now() + ms;
  let last = '';
  for (;;) {
    const r = await run('busctl', [
      `--address=${address}`,
      'get-property',
      'org.freedesktop.systemd1',
      unitObjectPath(unit),
      'org.freedesktop.systemd1.Unit',
      'ActiveState',
    ]);
    last = /"([^"]*)"/.exec(r.stdout)?.[1] ?? `(busctl exit ${r.code}: ${r.stderr.trim()})`;
    if (last === want || Date.now() > end) return last;
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** The sandbox cgroups (`<root>/sandbox-*`) that exist now. */
export function sandboxCgroups(): string[] {
  const out: string[] = [];
  for (const root of ['/sys/fs/cgroup/unified', '/sys/fs/cgroup']) {
    try {
      for (const name of fs.readdirSync(root)) if (name.startsWith('sandbox-')) out.push(path.join(root, name));
    } catch {
      // no such hierarchy
    }
  }
  return out;
}

/**
 * Sandboxes the CLI starts (`sysherd sandbox start DIR`) are not the harness's: track their
 * directories and stop whatever is left of them when the tests end, even when a test failed.
 */
export class CliSandboxes {
  private readonly dirs = new Set<string>();
  private readonly onExit = (): void => {
    for (const d of this.dirs) {
      try {
        stopSandboxSync(d);
      } catch {
        // best effort at exit
      }
    }
  };

  constructor() {
    process.on('exit', this.onExit);
  }

  track(dir: string): string {
    this.dirs.add(dir);
    return dir;
  }

  /** Stop every tracked sandbox (idempotent) and remove the directories. */
  async cleanup(): Promise<void> {
    for (const d of this.dirs) {
      await stopSandbox(d).catch((e: unknown) => {
        process.stderr.write(`could not stop the sandbox in ${d}: ${String(e)}\n`);
      });
      fs.rmSync(d, { recursive: true, force: true });
    }
    this.dirs.clear();
    process.off('exit', this.onExit);
  }
}

/** Quote an argument for sh. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Whether `script` (util-linux) is there to give the CLI a pseudo-terminal. */
/**
 * Run `node bin/sysherd.js ...args` on a pseudo-terminal of `cols` x `rows` (util-linux
 * `script`; stdout and stderr both go to the terminal, CRLF line ends). Killed when it runs
 * longer than `timeoutMs` or writes more than `maxBytes` (a runaway redraw loop).
 */
export function runCliInPty(
  args: string[],
  opts: { cols: number; rows: number; timeoutMs?: number; maxBytes?: number; env?: Record<string, string> },
): Promise<{ code: number | null; output: string; bytes: number; killed: string | null }> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const maxBytes = opts.maxBytes ?? 1024 * 1024;
  const cmd = `stty cols ${opts.cols} rows ${opts.rows} && exec ${[process.execPath, BIN, ...args].map(shellQuote).join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', cmd, '/dev/null'], {
      cwd: projectRoot,
      env: cliEnv({ TERM: 'xterm-256color', ...opts.env }),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: on a runaway, end script and the CLI under it
    });
    const out: Buffer[] = [];
    let bytes = 0;
    let killed: string | null = null;
    const kill = (why: string): void => {
      if (killed !== null || child.pid === undefined) return;
      killed = why;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => kill(`still running after ${timeoutMs} ms`), timeoutMs);
    child.stdout.on('data', (b: Buffer) => {
      bytes += b.length;
      if (bytes <= maxBytes) out.push(b);
      else kill(`wrote more than ${maxBytes} bytes`);
    });
    child.stderr.on('data', () => undefined);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: Buffer.concat(out).toString('utf8'), bytes, killed });
    });
  });
}

/**
 * What a terminal would show after `output`: a tiny emulator of what CLIs (and ora) write —
 * printable characters overwrite at the cursor; CR, `ESC[nG` (column), `ESC[nA` (up), `ESC[K`/`ESC[0K`
 * (clear to the end of the line) and LF move or clear; every other escape sequence (colours,
 * cursor visibility, synchronized output) is dropped. Returns the screen's lines.
 */
export function renderTerminal(output: string): string[] {
  const screen: string[][] = [[]];
  let row = 0;
  let col = 0;
  const re = /\x1b\[([0-9;?]*)([A-Za-z])|\x1b\][^\x07]*\x07|\r|\n|[^\x1b\r\n]/gu;
  for (const m of output.matchAll(re)) {
    const tok = m[0];
    const line = (screen[row] ??= []);
    if (tok === '\r') col = 0;
    else if (tok === '\n') {
      row++;
      col = 0;
      screen[row] ??= [];
    } else if (m[2] !== undefined) {
      const n = Number(m[1] || '1') || 1;
      if (m[2] === 'G') col = n - 1;
      else if (m[2] === 'A') row = Math.max(0, row - n);
      else if (m[2] === 'K' && (m[1] === '' || m[1] === '0')) line.length = Math.min(line.length, col);
    } else if (!tok.startsWith('\x1b')) {
      while (line.length < col) line.push(' ');
      line[col++] = tok;
    }
  }
  return screen.map((l) => l.join('').replace(/\s+$/, ''));
}

/**
 * Run argv inside the sandbox of `dir` as `uid` (`sysherd sandbox exec --uid`) on a pseudo-terminal
 * (script(1)): its exit code and the terminal's bytes (CR removed).
 */
export function runInSandboxPty(dir: string, argv: string[], uid: number): Promise<{ code: number | null; output: string }> {
  const inner = [process.execPath, BIN, 'sandbox', 'exec', '--uid', String(uid), dir, '--', ...argv].map(shellQuote).join(' ');
  return runScriptPty(inner, { TERM: 'dumb' });
}

/**
 * Run a shell command line on a pseudo-terminal (script(1)), killed after 60 s: its exit code and
 * the terminal's bytes, CR removed.
 */
export function runScriptPty(command: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', `${command}; echo "exit=$?"`, '/dev/null'], { cwd: projectRoot, env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.once('error', reject);
    child.once('close', () => {
      clearTimeout(timer);
      const output = Buffer.concat(out).toString('utf8').replace(/\r/g, '');
      const m = /exit=(\d+)\n?$/.exec(output);
      resolve({ code: m ? Number(m[1]) : null, output: output.replace(/exit=\d+\n?$/, '') });
    });
  });
}
