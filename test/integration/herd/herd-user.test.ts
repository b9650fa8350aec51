/**
 * The herd run functions against a REAL `systemd --user` (user-mode sandbox), with `memoryIO`:
 * --user works, --type selects, and without the journal the history comes from the unit's
 * properties, said in one line. Needs root (the sandbox creates cgroups and namespaces).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { runHerd, type HerdOptions } from '../../../src/cli/run/herd.js';
import { type BootedSandbox, bootSandbox } from '../../helpers/sandbox.js';
import { memoryIO } from '../../../src/output/io.js';
import { SystemdError } from '../../../src/core/errors.js';
import { execFile } from 'node:child_process';
import { BIN, cliEnv, ensureBuilt } from '../../e2e/helpers.js';

/** The built CLI (SYSHERD_TEST_BIN: a private copy of the build). */
const CLI = process.env.SYSHERD_TEST_BIN ?? BIN;

const UNITS: Record<string, string> = {
  'base.service': '[Unit]\nDescription=Base\n[Service]\nExecStart=/bin/sleep infinity\n',
  'top.service': '[Unit]\nRequires=base.service\nAfter=base.service\n[Service]\nExecStart=/bin/sleep infinity\n',
  'glue.service': '[Unit]\nBindsTo=base.service\nAfter=base.service\n[Service]\nExecStart=/bin/sleep infinity\n',
  'shot.service': '[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n',
  'fails.service': '[Service]\nType=oneshot\nExecStart=/bin/false\n',
  'beat.timer': '[Timer]\nOnActiveSec=1h\n',
  'beat.service': '[Service]\nType=oneshot\nExecStart=/bin/true\n',
};

let sb: BootedSandbox | undefined;

function opts(words: string[], over: Partial<HerdOptions> = {}): HerdOptions {
  return {
    words,
    n: 5,
    nGiven: false,
    types: [],
    background: false,
    jobMode: 'replace',
    signal: undefined,
    killWhom: 'all',
    runtime: false,
    force: false,
    quiet: false,
    json: null,
    connect: { bus: 'user', address: sb!.busAddress },
    journal: { scope: 'user', unavailable: 'not read in this test' },
    local: false,
    ...over,
  };
}

async function run(words: string[], over: Partial<HerdOptions> = {}): Promise<{ out: string; err: string; code: number }> {
  const io = memoryIO();
  await runHerd(opts(words, over), io);
  return { out: io.stdout(), err: io.stderr(), code: io.exitCode ?? 0 };
}
async function json<T>(words: string[], over: Partial<HerdOptions> = {}): Promise<T> {
  const r = await run(words, { json: 'short', ...over });
  return JSON.parse(r.out) as T;
}

describe('herd on a user manager (run functions, memoryIO)', { timeout: 120_000 }, () => {
  before(async () => {
    sb = await bootSandbox('user', { units: UNITS, timeoutMs: 60_000 });
  });
  after(async () => {
    await sb?.stop();
  });

  test('start-service --user: dependencies pulled in, then the service', async () => {
    const r = await run(['start', 'top']);
    assert.match(r.out, /^Service base has been started\.\nService top has been started\.\nRunning value is \d+\.\n$/);
    const again = await json<{ alreadyRunning: boolean; runningValue: number }[]>(['start', 'top']);
    assert.equal(again[0]!.alreadyRunning, true);
    assert.ok(Number.isInteger(again[0]!.runningValue) && again[0]!.runningValue > 1);
    const shot = await json<{ runningValue: unknown; status: string }[]>(['start', 'shot']);
    assert.deepEqual([shot[0]!.runningValue, shot[0]!.status], [true, 'running']);
  });

  test('stop-service --user: Requires= and BindsTo= dependents in the list', async () => {
    await run(['start', 'glue']);
    const v = await json<{ stopped: string[]; wasRunning: boolean }[]>(['stop', 'base']);
    assert.equal(v[0]!.wasRunning, true);
    assert.deepEqual([...v[0]!.stopped].sort(), ['base', 'glue', 'top']);
    assert.equal(v[0]!.stopped.at(-1), 'base');
  });

  test('start-service --user: a failure throws "failed to start service", exit 1, with the reason', async () => {
    await assert.rejects(run(['start', 'fails']), (e: unknown) => e instanceof SystemdError && e.message === 'failed to start service fails' && /failed/.test(e.hint ?? '') && e.exitCode === 1);
  });

  test('service-status without the journal: the properties tell the history, one line says so', async () => {
    await run(['start', 'top']);
    const r = await run(['status', 'top']);
    assert.equal(r.err, "journal not available: not read in this test; history from the unit's properties only\n");
    assert.match(r.out, /^● Status of top:\n {2}It is running since .+\.\n {2}Main PID: \d+\n {2}Command: \/bin\/sleep infinity\n {2}It is static\.\n/);
    assert.doesNotMatch(r.out, /Recent messages/);
    const v = await json<{ history: string; historyNote: string; statusChanges: { event: string }[]; status: string }>(['status', 'top']);
    assert.equal(v.history, 'properties');
    assert.equal(v.historyNote, 'journal not available: not read in this test');
    assert.equal(v.status, 'running');
    assert.deepEqual(v.statusChanges.map((c) => c.event), ['starting', 'running']);
    const q = await run(['status', 'top'], { quiet: true });
    assert.equal(q.err, '');
  });

  test('herd status --user: the overview; --type=timer selects timers', async () => {
    const v = await json<Record<string, { service: string }[]>>(['status']);
    assert.ok(v.started!.some((e) => e.service === 'top'));
    assert.ok(v.failed!.some((e) => e.service === 'fails'));
    await run(['start', 'beat.timer']);
    const timers = await run(['status'], { types: ['timer'] });
    assert.match(timers.out, /^Running timers:\n(?: \+ \S+\n)*? \+ beat\.timer\n/);
    assert.doesNotMatch(timers.out, / top\n/);
  });

  test('herd log and graph --user, from the properties', async () => {
    const log = await json<{ service: string; event: string }[]>(['log', 'top', 'base']);
    assert.ok(log.some((e) => e.service === 'top' && e.event === 'running'));
    const g = await json<{ edges: { from: string; to: string; kind: string }[] }>(['graph', 'top', 'glue']);
    assert.ok(g.edges.some((e) => e.from === 'top' && e.to === 'base' && e.kind === 'Requires'));
    assert.ok(g.edges.some((e) => e.from === 'glue' && e.to === 'base' && e.kind === 'BindsTo'));
  });

  test('the CLI with --user and the session bus of the environment (no --address)', async () => {
    if (CLI === BIN) ensureBuilt();
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [CLI, 'herd', '--user', 'status', 'top', '--json'], { env: cliEnv(sb!.env) }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
    });
    assert.equal(r.code, 0, r.stderr);
    const v = JSON.parse(r.stdout) as { unit: string; status: string; history: string; historyNote: string | null };
    assert.equal(v.unit, 'top.service');
    assert.equal(v.status, 'running');
    // this machine's journal, if it has one; else the properties, and one line says why
    if (v.history === 'properties') assert.match(r.stderr, /^journal not available: .+; history from the unit's properties only\n$/);
    else assert.equal(v.historyNote, null);
  });

  test('-n 0 leaves the history lists empty', async () => {
    const v = await json<{ statusChanges: unknown[]; exitStatuses: unknown[] }>(['status', 'top'], { n: 0, nGiven: true });
    assert.deepEqual([v.statusChanges, v.exitStatuses], [[], []]);
  });
});
