/** The work of `sysherd sandbox …`. */
import { constants } from 'node:os';
import path from 'node:path';
import { InvalidArgumentError } from '../../core/errors.js';
import { shellQuote } from '../../core/transport.js';
import type { IO } from '../../output/io.js';
import { writeJson } from '../../output/json.js';
import { escapeTerminal } from '../../output/escape.js';
import { execInSandbox, isSandboxRunning, readSandbox, requireRoot, startSandbox, stopSandbox, type SandboxInfo, type SandboxMode } from '../../sandbox/sandbox.js';
import { startProgress } from '../../output/spinner.js';
import { whileInterruptible } from '../interrupt.js';

export interface SandboxStartOptions {
  dir: string;
  binds: string[];
  mode: SandboxMode;
  bootSeconds: string;
  json: boolean;
  bothScopes: boolean;
}

export async function runSandboxStart(opts: SandboxStartOptions, io: IO): Promise<void> {
  if (opts.bothScopes) throw new InvalidArgumentError('--user and --system cannot be used together', { hint: 'pick one sandbox mode' });
  const seconds = Number(opts.bootSeconds);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new InvalidArgumentError(`invalid --timeout-boot value '${opts.bootSeconds}'`, { hint: 'give a number of seconds, e.g. 20' });
  }
  requireRoot();
  const t0 = performance.now();
  const progress = await startProgress(io, `booting a ${opts.mode}-mode systemd in ${escapeTerminal(opts.dir)}…`);
  let info: SandboxInfo;
  try {
    info = await whileInterruptible(
      () => startSandbox({ mode: opts.mode, dir: opts.dir, binds: opts.binds, timeoutMs: seconds * 1000 }),
      async () => {
        progress.stop();
        await stopSandbox(opts.dir);
      },
      `the half-started sandbox in ${opts.dir} is being stopped`,
    );
  } catch (e) {
    progress.fail();
    throw e;
  }
  progress.stop();
  const ms = Math.round(performance.now() - t0);
  if (opts.json) {
    writeJson(io, { ...info, bootMs: ms });
    return;
  }
  const envLine = Object.entries(info.env)
    .map(([k, v]) => `${k}=${shellQuote(v)}`)
    .join(' ');
  io.out.write(`${escapeTerminal(info.dir)}\n`);
  io.err.write(
    [
      `${opts.mode} sandbox up in ${ms} ms (bus ${info.busAddress}, unit files in ${info.unitDir})`,
      `  use it:   sysherd${opts.mode === 'user' ? ' --user' : ''} --address ${shellQuote(info.busAddress)} list-units`,
      `  or:       export ${envLine}`,
      `  inside:   sysherd sandbox exec ${shellQuote(info.dir)} -- systemctl${opts.mode === 'user' ? ' --user' : ''} status`,
      `  stop it:  sysherd sandbox stop ${shellQuote(info.dir)}`,
      '',
    ]
      .map(escapeTerminal)
      .join('\n'),
  );
}

export async function runSandboxStop(opts: { dir: string; json: boolean }, io: IO): Promise<void> {
  requireRoot();
  const running = isSandboxRunning(opts.dir);
  await stopSandbox(opts.dir);
  if (opts.json) writeJson(io, { dir: path.resolve(opts.dir), wasRunning: running });
  io.err.write(running ? `sandbox in ${escapeTerminal(opts.dir)} stopped\n` : `no sandbox was running in ${escapeTerminal(opts.dir)}\n`);
}

/** Runs the command with inherited stdio; resolves with its exit code (128+signal when killed). */
export async function runSandboxExec(opts: { dir: string; command: string[]; uid: string | undefined }, _io: IO): Promise<number> {
  let uid: number | undefined;
  if (opts.uid !== undefined) {
    uid = Number(opts.uid);
    if (!Number.isInteger(uid) || uid < 0) throw new InvalidArgumentError(`invalid --uid value '${opts.uid}'`, { hint: 'give a numeric uid such as 65534' });
  }
  requireRoot();
  readSandbox(opts.dir); // a clear error when there is no sandbox there
  const r = await execInSandbox(opts.dir, opts.command, { uid, stdio: 'inherit' });
  if (r.code !== null) return r.code;
  return 128 + (r.signal ? (constants.signals as Record<string, number>)[r.signal] ?? 0 : 0);
}
