/**
 * The benchmark: the built CLI side by side with `systemctl --user` (SYSTEMCTL_FORCE_BUS=1, over
 * the same bus) and with `node -e 0` (Node's own start-up, the floor), in a USER-mode sandbox
 * with many loaded units. Not a test (CI runs it only as a smoke test: bench-smoke.test.ts).
 *
 *   npm run bench -- [--units 3000] [--runs 15] [--warmup 2] [--restart 200] [--status 50]
 *                    [--rss-units 10000] [--json] [--keep-extra-ca-certs]
 *
 * Every round runs every case once, in a shuffled order (interleaved, so load spreads evenly);
 * medians and p90 of wall time are printed, with the ratios the issue sets targets for and each
 * one's verdict (met / MISSED), and the peak RSS (/proc: VmHWM, read as the child ends) of
 * `list-units --all --json`, also in a second sandbox with --rss-units units (0: skip). The short
 * commands also run with SYSHERD_CODE_CACHE=0 (no V8 code cache at all). Which cache the plain
 * cases get is printed: the sandboxes' buses take only their owner, root on these machines, and
 * root never uses a cache of its own (in a home), only the one shipped beside the bundle (npm run
 * build makes it for the Node that builds). Without either, every sysherd case is a no-cache run.
 *
 * `-H`: a SYSTEM-mode sandbox reached as ssh host `h` through a local sshd (test/helpers/ssh-hosts.ts),
 * `sysherd -H h list-units` against `systemctl -H h list-units`, --remote-runs interleaved rounds
 * (0: skip). The load average is printed: on a shared machine the ratios are what to read.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

import { type BootedSandbox, bootSandbox, projectRoot } from '../helpers/sandbox.js';
import { startSshHosts } from '../helpers/ssh-hosts.js';

const { values: flags } = parseArgs({
  options: {
    units: { type: 'string', default: '3000' },
    runs: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '2' },
    restart: { type: 'string', default: '200' },
    status: { type: 'string', default: '50' },
    'rss-units': { type: 'string', default: '10000' },
    'remote-runs': { type: 'string' },
    json: { type: 'boolean', default: false },
    'keep-extra-ca-certs': { type: 'boolean', default: false },
  },
});
const num = (k: keyof typeof flags): number => {
  const n = Number(flags[k]);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${k} wants a non-negative integer`);
  return n;
};
const UNITS = num('units');
const RUNS = Math.max(1, num('runs'));
const WARMUP = num('warmup');
const RESTART = Math.max(1, num('restart'));
const STATUS = Math.max(1, num('status'));
const RSS_UNITS = num('rss-units');
const REMOTE_RUNS = flags['remote-runs'] === undefined ? RUNS : num('remote-runs');

/**
 * Left out of every case's environment: colours, test-runner variables, and NODE_EXTRA_CA_CERTS,
 * which these machines set to the system's CA bundle: Node 20 reads and parses that file at every
 * start (~45 ms here: `node -e 0` 92 against 46 ms wall), which inflates the floor and every
 * sysherd case alike and flatters the ratios to `node -e 0`. `--keep-extra-ca-certs` keeps it
 * (to compare with runs made before it was left out).
 */
const DROPPED_ENV = ['FORCE_COLOR', 'NODE_OPTIONS', 'NODE_TEST_CONTEXT', 'COLUMNS', ...(flags['keep-extra-ca-certs'] ? [] : ['NODE_EXTRA_CA_CERTS'])];
const CA_NOTE =
  process.env.NODE_EXTRA_CA_CERTS === undefined
    ? 'NODE_EXTRA_CA_CERTS is not set here'
    : flags['keep-extra-ca-certs']
      ? `NODE_EXTRA_CA_CERTS kept (${process.env.NODE_EXTRA_CA_CERTS}): every node start parses it, node -e 0 included`
      : `NODE_EXTRA_CA_CERTS left out (${process.env.NODE_EXTRA_CA_CERTS} here: every node start would parse it; --keep-extra-ca-certs keeps it)`;

const BIN = path.join(projectRoot, 'bin', 'sysherd.js');
const NODE = process.execPath;
const out = flags.json ? process.stderr : process.stdout;
const progress = (s: string): void => {
  process.stderr.write(s);
};

interface Case {
  name: string;
  argv: string[];
  /** More environment (SYSHERD_CODE_CACHE=0). */
  env?: NodeJS.ProcessEnv;
}

const NO_CACHE = { SYSHERD_CODE_CACHE: '0' };
/** Would the shim use a cache of its own here? Not as root or for someone else (bin/sysherd.js cacheAllowed). */
const OWN_CACHE =
  process.geteuid?.() !== 0 &&
  process.geteuid?.() === process.getuid?.() &&
  !['SUDO_UID', 'SUDO_USER', 'PKEXEC_UID', 'DOAS_USER'].some((v) => process.env[v] !== undefined);
/** The cache the build ships beside the bundle, for this Node (what root gets). */
function shippedCache(): boolean {
  const bundle = path.join(projectRoot, 'dist', 'cli', 'bin.js');
  return fs.existsSync(bundle) && fs.existsSync(path.join(projectRoot, 'dist', 'cli', `bin-${process.version}-${process.arch}-${fs.statSync(bundle).size}.cache`));
}
let CACHE_USED = false;
/** What the sysherd figures are, for the header (set once the build is there). */
let CACHE_NOTE = '';
function decideCache(): void {
  CACHE_USED = process.env.SYSHERD_CODE_CACHE !== '0' && (OWN_CACHE || shippedCache());
  CACHE_NOTE = !CACHE_USED
    ? 'sysherd WITHOUT a V8 code cache in every case (run as root, and no cache shipped for this Node, or SYSHERD_CODE_CACHE=0)'
    : OWN_CACHE
      ? 'sysherd with the user\'s own V8 code cache (~/.cache/sysherd), and with none where a case says "no code cache"'
      : 'sysherd as root: with the V8 code cache shipped beside the bundle (root never uses one of its own), and with none where a case says "no code cache"';
}
/** The no-cache twins of cases (only when the plain cases do use the cache). */
const noCacheTwins = (cases: Case[]): Case[] => (CACHE_USED ? cases.map((c) => ({ ...c, name: `${c.name} (no code cache)`, env: NO_CACHE })) : []);
const loadavg = (): string => os.loadavg().map((l) => l.toFixed(1)).join(' ');

/** Every case once per round, shuffled; wall times of the measured rounds by case name. */
async function interleave(cases: Case[], env: NodeJS.ProcessEnv, runs: number, label: string): Promise<Map<string, number[]>> {
  const times = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let round = 0; round < WARMUP + runs; round++) {
    const warm = round < WARMUP;
    progress(`\r${label}${warm ? 'warm-up' : 'round'} ${warm ? round + 1 : round - WARMUP + 1}/${warm ? WARMUP : runs}   `);
    for (const c of shuffle(cases)) {
      const r = await runOnce(c.argv, { ...env, ...c.env });
      if (r.code !== 0) throw new Error(`${c.name} failed (exit ${String(r.code)}): ${r.stderr.trim().slice(0, 500)}`);
      if (!warm) times.get(c.name)!.push(r.ms);
    }
  }
  progress('\n');
  return times;
}

/** `sysherd -H h list-units` and `systemctl -H h list-units` on a system sandbox behind a local sshd. */
async function remoteTimes(): Promise<Map<string, number[]>> {
  progress('booting a system-mode sandbox as ssh host h…\n');
  const sb = await bootSandbox('system', { timeoutMs: 120_000 });
  try {
    const hosts = await startSshHosts({ h: sb.pid1! });
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, PATH: hosts.env.PATH, SYSTEMD_PAGER: 'cat', PAGER: 'cat', LANG: 'C.UTF-8' };
      for (const k of DROPPED_ENV) delete env[k];
      const ours: Case = { name: 'sysherd -H h list-units', argv: [NODE, BIN, '-H', 'h', 'list-units'] };
      const cases: Case[] = [ours, ...noCacheTwins([ours]), { name: 'systemctl -H h list-units', argv: ['systemctl', '-H', 'h', '--no-pager', 'list-units'] }];
      return await interleave(cases, env, REMOTE_RUNS, '-H: ');
    } finally {
      await hosts.stop();
    }
  } finally {
    await sb.stop();
  }
}
interface Run {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
  /** Peak RSS in KB (VmHWM), when asked for. */
  rssKb?: number;
}

/** Run once; with `rss`, through a tiny shell that prints the child's VmHWM as it ends. */
function runOnce(argv: string[], env: NodeJS.ProcessEnv, rss = false): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const [file, args] = rss
      ? ['/usr/bin/time', ['-f', '%M', ...argv]] // GNU time: peak RSS (KB) on stderr's last line
      : [argv[0]!, argv.slice(1)];
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const o: Buffer[] = [];
    const e: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => o.push(b));
    child.stderr.on('data', (b: Buffer) => e.push(b));
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = performance.now() - t0;
      let stderr = Buffer.concat(e).toString('utf8');
      let rssKb: number | undefined;
      if (rss) {
        const lines = stderr.trimEnd().split('\n');
        rssKb = Number(lines.pop());
        stderr = lines.join('\n');
      }
      resolve({ ms, code, stdout: Buffer.concat(o).toString('utf8'), stderr, ...(rssKb === undefined ? {} : { rssKb }) });
    });
  });
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
function shuffle<T>(a: T[]): T[] {
  const b = [...a];
  for (let i = b.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [b[i], b[j]] = [b[j]!, b[i]!];
  }
  return b;
}

const FILLER = '[Unit]\nDescription=Filler %i\nConditionPathExists=/nonexistent\n\n[Service]\nType=oneshot\nExecStart=/bin/true\n';
const WORKER = '[Unit]\nDescription=Worker %i\nStartLimitIntervalSec=0\n\n[Service]\nExecStart=/bin/sleep infinity\n';

/** A user-mode sandbox with `fillers` loaded (inactive) units and `workers` running ones. */
async function boot(fillers: number, workers: number): Promise<BootedSandbox> {
  return bootSandbox('user', {
    units: { 'filler@.service': FILLER, 'worker@.service': WORKER },
    setup: async (unitDir) => {
      const wants = path.join(unitDir, 'default.target.wants');
      await fsp.mkdir(wants, { recursive: true });
      for (let i = 1; i <= fillers; i++) await fsp.symlink('../filler@.service', path.join(wants, `filler@${i}.service`));
      for (let i = 1; i <= workers; i++) await fsp.symlink('../worker@.service', path.join(wants, `worker@${i}.service`));
    },
    timeoutMs: 180_000,
  });
}

function sandboxEnv(sb: BootedSandbox): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...sb.env, SYSTEMCTL_FORCE_BUS: '1', SYSTEMD_PAGER: 'cat', PAGER: 'cat', LANG: 'C.UTF-8' };
  for (const k of DROPPED_ENV) delete env[k];
  return env;
}

/** Wait until systemd has the units loaded (the user manager loads wants after it answers). */
async function waitLoaded(env: NodeJS.ProcessEnv, want: number): Promise<number> {
  const end = Date.now() + 120_000;
  for (;;) {
    const r = await runOnce(['systemctl', '--user', 'list-units', '--all', '--no-legend', '--plain', '--no-pager'], env);
    const n = r.stdout.split('\n').filter((l) => l.trim() !== '').length;
    if (n >= want || Date.now() > end) return n;
    await new Promise((res) => setTimeout(res, 200));
  }
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(projectRoot, 'dist', 'cli', 'bin.js'))) {
    progress('building the CLI (npm run build:cli)…\n');
    execFileSync('npm', ['run', 'build:cli'], { cwd: projectRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  decideCache();
  const workers = Math.max(RESTART, STATUS);
  progress(`booting a user-mode sandbox with ${UNITS} + ${workers} loaded units…\n`);
  const t0 = performance.now();
  const sb = await boot(UNITS, workers);
  const rssRows: { units: number; sysherdKb: number; systemctlKb: number }[] = [];
  let loaded = 0;
  try {
    const env = sandboxEnv(sb);
    loaded = await waitLoaded(env, UNITS + workers);
    progress(`sandbox up in ${Math.round(performance.now() - t0)} ms; ${loaded} units loaded\n`);
    const restartUnits = Array.from({ length: RESTART }, (_, i) => `worker@${i + 1}.service`);
    const statusUnits = Array.from({ length: STATUS }, (_, i) => `worker@${i + 1}.service`);
    const S = [NODE, BIN, '--user'];
    const C = ['systemctl', '--user', '--no-pager'];
    const short: Case[] = [
      { name: 'sysherd list-units --all --json', argv: [...S, 'list-units', '--all', '--json'] },
      { name: 'sysherd is-active UNIT', argv: [...S, 'is-active', 'worker@1.service'] },
      { name: 'sysherd status UNIT', argv: [...S, 'status', '--no-pager', 'worker@1.service'] },
    ];
    const cases: Case[] = [
      { name: 'node -e 0', argv: [NODE, '-e', '0'] },
      { name: 'sysherd --version', argv: [NODE, BIN, '--version'] },
      short[0]!,
      { name: 'systemctl list-units --all -o json', argv: [...C, 'list-units', '--all', '-o', 'json'] },
      short[1]!,
      { name: 'systemctl is-active UNIT', argv: [...C, 'is-active', 'worker@1.service'] },
      short[2]!,
      { name: 'systemctl status UNIT', argv: [...C, 'status', 'worker@1.service'] },
      ...noCacheTwins(short),
      { name: `sysherd restart ${RESTART} units`, argv: [...S, 'restart', ...restartUnits] },
      { name: `systemctl restart ${RESTART} units`, argv: [...C, 'restart', ...restartUnits] },
      { name: `sysherd status ${STATUS} units`, argv: [...S, 'status', '--no-pager', ...statusUnits] },
      { name: `systemctl status ${STATUS} units`, argv: [...C, 'status', ...statusUnits] },
    ];
    // sanity: every case works (status may say 3 for a unit that is not running: not here)
    for (const c of cases) {
      const r = await runOnce(c.argv, { ...env, ...c.env });
      if (r.code !== 0) throw new Error(`${c.name} failed (exit ${String(r.code)}): ${r.stderr.trim().slice(0, 500)}`);
    }
    const ours = (JSON.parse((await runOnce(cases[2]!.argv, env)).stdout) as unknown[]).length;
    const theirs = (JSON.parse((await runOnce(cases[3]!.argv, env)).stdout) as unknown[]).length;
    if (Math.abs(ours - theirs) > 5) throw new Error(`sysherd lists ${ours} units, systemctl ${theirs}`);

    const loadBefore = loadavg();
    const times = await interleave(cases, env, RUNS, '');
    const rss = async (argv: string[]): Promise<number> => {
      const kb: number[] = [];
      for (let i = 0; i < 3; i++) kb.push((await runOnce(argv, env, true)).rssKb ?? NaN);
      return Math.max(...kb);
    };
    rssRows.push({ units: loaded, sysherdKb: await rss(cases[2]!.argv), systemctlKb: await rss(cases[3]!.argv) });

    const loadAfter = loadavg();
    const statsOf = (cs: Case[], tm: Map<string, number[]>) =>
      cs.map((c) => {
        const t = [...tm.get(c.name)!].sort((a, b) => a - b);
        return { name: c.name, runs: t.length, medianMs: quantile(t, 0.5), p90Ms: quantile(t, 0.9), minMs: t[0]! };
      });
    const stats = statsOf(cases, times);
    const med = new Map(stats.map((s) => [s.name, s.medianMs]));
    const ratio = (a: string, b: string): number => med.get(a)! / med.get(b)!;
    type Target = { what: string; value: number; target: number | null };
    /** A ratio and, when the plain cases use the cache, the same without it (`a`/`b`: the no-cache cases). */
    const twin = (t: Target, a: string, b: string): Target[] => (CACHE_USED ? [t, { what: '  the same, no code cache', value: ratio(a, b), target: t.target }] : [t]);
    const NC = ' (no code cache)';
    const targets: Target[] = [
      { what: 'sysherd --version / node -e 0', value: ratio('sysherd --version', 'node -e 0'), target: 1.15 },
      ...twin({ what: 'list-units --all --json / node -e 0', value: ratio('sysherd list-units --all --json', 'node -e 0'), target: 1.5 }, `sysherd list-units --all --json${NC}`, 'node -e 0'),
      { what: 'list-units --all --json / systemctl', value: ratio('sysherd list-units --all --json', 'systemctl list-units --all -o json'), target: null },
      ...twin({ what: 'is-active UNIT / node -e 0', value: ratio('sysherd is-active UNIT', 'node -e 0'), target: 1.3 }, `sysherd is-active UNIT${NC}`, 'node -e 0'),
      { what: 'is-active UNIT / systemctl', value: ratio('sysherd is-active UNIT', 'systemctl is-active UNIT'), target: null },
      ...twin({ what: 'status UNIT / is-active UNIT', value: ratio('sysherd status UNIT', 'sysherd is-active UNIT'), target: 1.15 }, `sysherd status UNIT${NC}`, `sysherd is-active UNIT${NC}`),
      { what: 'status UNIT / systemctl', value: ratio('sysherd status UNIT', 'systemctl status UNIT'), target: null },
      { what: `restart ${RESTART} units / systemctl`, value: ratio(`sysherd restart ${RESTART} units`, `systemctl restart ${RESTART} units`), target: 1.1 },
      { what: `status ${STATUS} units / systemctl`, value: ratio(`sysherd status ${STATUS} units`, `systemctl status ${STATUS} units`), target: 2 },
    ];

    // a second sandbox for peak RSS over many units
    await sb.stop();
    if (RSS_UNITS > 0) {
      progress(`booting a user-mode sandbox with ${RSS_UNITS} loaded units for peak RSS…\n`);
      const big = await boot(RSS_UNITS, 0);
      try {
        const benv = sandboxEnv(big);
        const n = await waitLoaded(benv, RSS_UNITS);
        const kb: number[] = [];
        const ckb: number[] = [];
        for (let i = 0; i < 3; i++) {
          kb.push((await runOnce([...S, 'list-units', '--all', '--json'], benv, true)).rssKb ?? NaN);
          ckb.push((await runOnce([...C, 'list-units', '--all', '-o', 'json'], benv, true)).rssKb ?? NaN);
        }
        rssRows.push({ units: n, sysherdKb: Math.max(...kb), systemctlKb: Math.max(...ckb) });
      } finally {
        await big.stop();
      }
    }
    const rssTarget = rssRows.length > 1 ? rssRows[rssRows.length - 1]!.sysherdKb / 1024 : null;

    if (REMOTE_RUNS > 0) {
      const remoteCases = ['sysherd -H h list-units', ...(CACHE_USED ? ['sysherd -H h list-units (no code cache)'] : []), 'systemctl -H h list-units'].map((name) => ({ name, argv: [] }));
      const rs = statsOf(remoteCases, await remoteTimes());
      stats.push(...rs);
      for (const x of rs) med.set(x.name, x.medianMs);
      targets.push(...twin({ what: '-H h list-units / systemctl -H', value: ratio('sysherd -H h list-units', 'systemctl -H h list-units'), target: 1.2 }, `sysherd -H h list-units${NC}`, 'systemctl -H h list-units'));
    }
    const verdict = (t: { value: number; target: number | null }): string => (t.target === null ? '' : t.value <= t.target ? '  met' : '  MISSED');

    const w = Math.max(...stats.map((s) => s.name.length), ...targets.map((t) => t.what.length)) + 2;
    const f = (n: number): string => n.toFixed(1).padStart(8);
    const lines = [
      `${RUNS} interleaved rounds (after ${WARMUP} warm-up), wall ms; user-mode sandbox, ${loaded} loaded units; node ${process.version}; ${os.cpus().length} CPUs, load average ${loadBefore} before, ${loadAfter} after`,
      CACHE_NOTE,
      CA_NOTE,
      ...(REMOTE_RUNS > 0 ? [`-H: ${REMOTE_RUNS} interleaved rounds against a system-mode sandbox behind a local sshd`] : []),
      '',
      `${'command'.padEnd(w)}${'median'.padStart(8)}${'p90'.padStart(8)}${'min'.padStart(8)}`,
      ...stats.map((s) => `${s.name.padEnd(w)}${f(s.medianMs)}${f(s.p90Ms)}${f(s.minMs)}`),
      '',
      `${'ratio (medians)'.padEnd(w)}${'value'.padStart(8)}${'target'.padStart(8)}`,
      ...targets.map((t) => `${t.what.padEnd(w)}${`${t.value.toFixed(2)}x`.padStart(8)}${(t.target === null ? '-' : `≤${t.target}`).padStart(8)}${verdict(t)}`),
      '',
      `${'peak RSS of list-units --all --json'.padEnd(w)}${'sysherd'.padStart(9)}${'systemctl'.padStart(11)}`,
      ...rssRows.map((r) => `${`${r.units} units`.padEnd(w)}${`${(r.sysherdKb / 1024).toFixed(1)} MB`.padStart(9)}${`${(r.systemctlKb / 1024).toFixed(1)} MB`.padStart(11)}${r === rssRows[rssRows.length - 1] && rssRows.length > 1 && rssTarget !== null ? (rssTarget > 100 ? '  MISSED (≤100 MB)' : '  met (≤100 MB)') : ''}`),
    ];
    out.write(`\n${lines.join('\n')}\n`);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ node: process.version, codeCache: CACHE_USED, runs: RUNS, warmup: WARMUP, loadedUnits: loaded, loadAverage: { before: loadBefore, after: loadAfter }, cases: stats, ratios: targets.map((t) => ({ ...t, met: t.target === null ? null : t.value <= t.target })), rss: rssRows }, null, 2)}\n`);
    }
  } finally {
    await sb.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`\nbench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
