/**
 * Start-up benchmark: the built CLI against systemctl, side by side, inside one system-mode
 * sandbox with ~1000 loaded units. Not a test; run it with
 *
 *   node --import tsx test/bench/startup.ts [--runs N] [--units N] [--json]
 *
 * Every command runs INSIDE the sandbox (nsenter into its namespaces, as `sysherd sandbox exec`
 * does), so sysherd and systemctl see the same manager on the same default bus
 * (/run/dbus/system_bus_socket) and both pay the same nsenter. The project directory is bound
 * into the sandbox by the harness. Rounds run every case once, in a shuffled order, after a
 * few warm-up runs. Prints median / p90 wall time in ms and the ratio sysherd/systemctl; with
 * --json the results go to stdout as JSON (the table then goes to stderr).
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

import { execArgv, readSandbox } from '../../src/sandbox/sandbox.js';
import { bootSandbox, projectRoot } from '../helpers/sandbox.js';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '30' },
    units: { type: 'string', default: '1000' },
    warmup: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
  },
});
const RUNS = Number(flags.runs);
const UNITS = Number(flags.units);
const WARMUP = Number(flags.warmup);
for (const [k, v] of [['--runs', RUNS], ['--units', UNITS], ['--warmup', WARMUP]] as const) {
  if (!Number.isInteger(v) || v < 0) throw new Error(`${k} wants a non-negative integer`);
}

const BIN = path.join(projectRoot, 'bin', 'sysherd.js');
const NODE = process.execPath;
/** Progress and the human table go to stderr when stdout carries JSON. */
const report = flags.json ? process.stderr : process.stdout;
const progress = (s: string): void => {
  process.stderr.write(s);
};

interface Case {
  name: string;
  argv: string[];
}

const CASES: Case[] = [
  { name: 'nsenter true', argv: ['true'] },
  { name: 'node -e 0', argv: [NODE, '-e', '0'] },
  { name: 'sysherd --version', argv: [NODE, BIN, '--version'] },
  { name: 'systemctl --version', argv: ['systemctl', '--version'] },
  { name: 'sysherd list-units', argv: [NODE, BIN, 'list-units'] },
  { name: 'systemctl list-units', argv: ['systemctl', 'list-units'] },
  { name: 'sysherd list-units --all --json', argv: [NODE, BIN, 'list-units', '--all', '--json'] },
  { name: 'systemctl list-units --all -o json', argv: ['systemctl', 'list-units', '--all', '-o', 'json'] },
];

/** sysherd vs systemctl rows of the table. */
const PAIRS: [string, string][] = [
  ['sysherd --version', 'systemctl --version'],
  ['sysherd list-units', 'systemctl list-units'],
  ['sysherd list-units --all --json', 'systemctl list-units --all -o json'],
];

interface Run {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

function runOnce(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = performance.now() - t0;
      resolve({ ms, code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

function quantile(sorted: number[], q: number): number {
  // nearest rank
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

function shuffle<T>(a: T[]): T[] {
  const b = [...a];
  for (let i = b.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [b[i], b[j]] = [b[j]!, b[i]!];
  }
  return b;
}

function fmt(n: number): string {
  return n.toFixed(1);
}

async function main(): Promise<void> {
  // the sandbox sees the project through a bind mount: build first
  if (!fs.existsSync(path.join(projectRoot, 'dist', 'cli', 'bin.js'))) {
    progress('building the CLI (npm run build:cli)…\n');
    execFileSync('npm', ['run', 'build:cli'], { cwd: projectRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  progress(`booting a system-mode sandbox with ${UNITS} extra loaded units…\n`);
  const t0 = performance.now();
  const sb = await bootSandbox('system', {
    units: { 'filler@.service': '[Unit]\nDescription=Filler %i\nConditionPathExists=/nonexistent\n\n[Service]\nType=oneshot\nExecStart=/bin/true\n' },
    setup: async (unitDir) => {
      const wants = path.join(unitDir, 'sandbox.target.wants');
      await fsp.mkdir(wants, { recursive: true });
      for (let i = 1; i <= UNITS; i++) await fsp.symlink(path.join('..', 'filler@.service'), path.join(wants, `filler@${i}.service`));
    },
    timeoutMs: 120_000,
  });
  progress(`sandbox up in ${Math.round(performance.now() - t0)} ms (${sb.dir})\n`);
  try {
    const info = readSandbox(sb.dir);
    const cmds = new Map(CASES.map((c) => [c.name, execArgv(info, c.argv)]));

    // sanity: every case works, and both tools see the same units
    const check = new Map<string, Run>();
    for (const c of CASES) {
      const cmd = cmds.get(c.name)!;
      const r = await runOnce(cmd.file, cmd.args, cmd.env);
      if (r.code !== 0) throw new Error(`${c.name} failed inside the sandbox (exit ${String(r.code)}): ${r.stderr.trim()}`);
      check.set(c.name, r);
    }
    const ours = JSON.parse(check.get('sysherd list-units --all --json')!.stdout) as { unit: string }[];
    const theirs = JSON.parse(check.get('systemctl list-units --all -o json')!.stdout) as { unit: string }[];
    const loaded = { sysherd: ours.length, systemctl: theirs.length };
    progress(`loaded units listed with --all: sysherd ${loaded.sysherd}, systemctl ${loaded.systemctl}\n`);
    if (Math.abs(loaded.sysherd - loaded.systemctl) > 5) throw new Error('sysherd and systemctl do not see the same units');

    const times = new Map<string, number[]>(CASES.map((c) => [c.name, []]));
    const total = WARMUP + RUNS;
    for (let round = 0; round < total; round++) {
      progress(`\r${round < WARMUP ? 'warm-up' : 'round'} ${round < WARMUP ? round + 1 : round - WARMUP + 1}/${round < WARMUP ? WARMUP : RUNS}   `);
      for (const c of shuffle(CASES)) {
        const cmd = cmds.get(c.name)!;
        const r = await runOnce(cmd.file, cmd.args, cmd.env);
        if (r.code !== 0) throw new Error(`${c.name} failed (exit ${String(r.code)}): ${r.stderr.trim()}`);
        if (round >= WARMUP) times.get(c.name)!.push(r.ms);
      }
    }
    progress('\n');

    const stats = CASES.map((c) => {
      const t = [...times.get(c.name)!].sort((a, b) => a - b);
      return {
        name: c.name,
        argv: c.argv.map((a) => (a === NODE ? 'node' : a === BIN ? 'bin/sysherd.js' : a)),
        runs: t.length,
        medianMs: Number(fmt(quantile(t, 0.5))),
        p90Ms: Number(fmt(quantile(t, 0.9))),
        minMs: Number(fmt(t[0] ?? NaN)),
        maxMs: Number(fmt(t[t.length - 1] ?? NaN)),
      };
    });
    const byName = new Map(stats.map((s) => [s.name, s]));
    const ratios = PAIRS.map(([a, b]) => {
      const x = byName.get(a)!;
      const y = byName.get(b)!;
      return { sysherd: a, systemctl: b, medianRatio: Number((x.medianMs / y.medianMs).toFixed(2)), p90Ratio: Number((x.p90Ms / y.p90Ms).toFixed(2)) };
    });

    // the table
    const title = 'command (inside the sandbox, via nsenter)';
    const w = Math.max(title.length, ...stats.map((s) => s.name.length));
    const rows: string[] = [];
    rows.push(`${title.padEnd(w)}  ${'median'.padStart(8)}  ${'p90'.padStart(8)}  ${'min'.padStart(8)}`);
    for (const s of stats) rows.push(`${s.name.padEnd(w)}  ${fmt(s.medianMs).padStart(8)}  ${fmt(s.p90Ms).padStart(8)}  ${fmt(s.minMs).padStart(8)}`);
    rows.push('');
    rows.push(`${'sysherd / systemctl'.padEnd(w)}  ${'median'.padStart(8)}  ${'p90'.padStart(8)}`);
    for (const r of ratios) {
      const label = r.sysherd.replace(/^sysherd /, '');
      rows.push(`${label.padEnd(w)}  ${`${r.medianRatio.toFixed(2)}x`.padStart(8)}  ${`${r.p90Ratio.toFixed(2)}x`.padStart(8)}`);
    }
    report.write(
      `\n${RUNS} runs each (after ${WARMUP} warm-up), ms of wall time; ${loaded.systemctl} units listed with --all; node ${process.version}\n\n${rows.join('\n')}\n`,
    );
    if (flags.json) {
      process.stdout.write(
        `${JSON.stringify({ runs: RUNS, warmup: WARMUP, extraUnits: UNITS, loadedUnits: loaded, node: process.version, cases: stats, ratios }, null, 2)}\n`,
      );
    }
  } finally {
    await sb.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`\nbench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
