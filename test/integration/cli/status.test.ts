/**
 * `status --json` (runStatus with a memory IO) against a REAL systemd in ONE system-mode sandbox,
 * over its bus from the host; journalctl runs inside the sandbox (runner prefix `nsenter …`).
 * Every field of the schema (README, "status --json") is checked against what systemctl shows.
 * Needs root.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { type UnitStatusRecord, runStatus } from '../../../src/cli/run/status.js';
import { memoryIO } from '../../../src/output/io.js';
import { execArgv, execInSandbox, readSandbox } from '../../../src/sandbox/sandbox.js';
import { type BootedSandbox, bootSandbox } from '../../helpers/sandbox.js';

let sb: BootedSandbox;
let prefix: string[];

async function show(unit: string, prop: string): Promise<string> {
  const r = await execInSandbox(sb.dir, ['systemctl', 'show', '-P', prop, unit]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.replace(/\n$/, '');
}

async function statusJson(args: string[], extra: { lines?: number; all?: boolean } = {}) {
  const io = memoryIO();
  await runStatus(
    {
      args,
      lines: extra.lines ?? 10,
      output: 'short',
      full: false,
      all: extra.all ?? false,
      quiet: false,
      states: [],
      types: [],
      json: 'short',
      connect: { address: sb.busAddress },
      pager: false,
      journal: { prefix },
    },
    io,
  );
  return { io, value: JSON.parse(io.stdout()) as unknown };
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const TS_KEYS = ['iso', 'usec'];

function assertTimestamp(v: unknown, usec: string | null, what: string): void {
  if (usec === null) {
    assert.equal(v, null, what);
    return;
  }
  assert.ok(v !== null && typeof v === 'object', `${what}: an object`);
  const t = v as { iso: string; usec: number };
  assert.deepEqual(Object.keys(t), TS_KEYS, what);
  assert.equal(t.usec, Number(usec), what);
  assert.equal(t.iso, new Date(Math.floor(Number(usec) / 1000)).toISOString(), what);
}

before(async () => {
  sb = await bootSandbox('system', {
    units: {
      'web.service': '[Unit]\nDescription=Web\nDocumentation=man:web(8)\n[Service]\nExecStartPre=/bin/echo warming\nExecStart=/bin/sh -c "echo serving; exec sleep 1000"\nTasksMax=33\n',
      'web.service.d/override.conf': '[Service]\nEnvironment=X=1\n',
      'crash.service': '[Unit]\nDescription=Crashes\n[Service]\nExecStart=/bin/sh -c "echo bye; exit 7"\n',
      'sk.socket': '[Unit]\nDescription=Sock\n[Socket]\nListenStream=/run/sk-json.sock\n',
      'sk.service': '[Unit]\nDescription=Sock svc\n[Service]\nExecStart=/bin/sleep 1000\n',
      // logs a moment after it started (stdout lines of a process that exits at once may be stamped before the unit's start)
      'evil.service': '[Unit]\nDescription=Evil \x1b[2J desc\n[Service]\nExecStart=/bin/sh -c "sleep 0.5; printf \'bad \\\\033[2J line\\\\n\'; exec sleep 1000"\n',
    },
  });
  const cmd = execArgv(readSandbox(sb.dir), ['true']);
  prefix = [cmd.file, ...cmd.args.slice(0, -1)];
  const r = await execInSandbox(sb.dir, ['systemctl', 'start', 'web.service', 'sk.socket', 'evil.service']);
  assert.equal(r.code, 0, r.stderr);
  await execInSandbox(sb.dir, ['systemctl', 'start', 'crash.service']);
  await waitFor('crash.service failed', async () => (await show('crash.service', 'ActiveState')) === 'failed');
  const logged = async (unit: string, text: string) =>
    (await execInSandbox(sb.dir, ['journalctl', '--no-pager', '-o', 'cat', '-u', unit])).stdout.includes(text);
  await waitFor('web.service logs', () => logged('web.service', 'serving'));
  await waitFor('evil.service logs', () => logged('evil.service', 'line'));
  await waitFor('crash.service result', () => logged('crash.service', "Failed with result 'exit-code'"));
});

after(() => sb?.stop());

describe('status --json (system sandbox)', () => {
  test('a running service: every field of the schema', async () => {
    // stdout lines reach the journal asynchronously (and a short-lived process's may be stamped
    // before the unit's start, which systemctl's selection leaves out): wait for the main one
    await waitFor('web.service\'s line in its status', async () =>
      ((await statusJson(['web.service'])).value as UnitStatusRecord[])[0]!.journal!.some((j) => j.message === 'serving'),
    );
    const { io, value } = await statusJson(['web.service']);
    assert.equal(io.exitCode, undefined);
    assert.ok(Array.isArray(value));
    assert.equal(value.length, 1);
    const r = value[0] as UnitStatusRecord;
    assert.deepEqual(Object.keys(r), [
      'unit', 'description', 'following', 'loadState', 'loadError', 'fragmentPath', 'sourcePath', 'dropIns',
      'unitFileState', 'unitFilePreset', 'transient', 'activeState', 'subState', 'freezerState', 'result', 'since',
      'timestamps', 'mainPid', 'mainRunning', 'mainExit', 'controlPid', 'statusText', 'statusErrno', 'exec',
      'triggeredBy', 'triggers', 'documentation', 'cgroup', 'processes', 'resources', 'journal', 'journalError',
    ]);
    assert.equal(r.unit, 'web.service');
    assert.equal(r.description, 'Web');
    assert.equal(r.following, null);
    assert.equal(r.loadState, 'loaded');
    assert.equal(r.loadError, null);
    assert.equal(r.fragmentPath, '/etc/systemd/system/web.service');
    assert.equal(r.sourcePath, null);
    assert.deepEqual(r.dropIns, ['/etc/systemd/system/web.service.d/override.conf']);
    assert.equal(r.unitFileState, 'static');
    assert.equal(r.unitFilePreset, (await show('web.service', 'UnitFilePreset')) || null);
    assert.equal(r.transient, false);
    assert.equal(r.activeState, 'active');
    assert.equal(r.subState, 'running');
    assert.equal(r.freezerState, 'running');
    assert.equal(r.result, 'success');
    const mono = async (p: string) => {
      // `show` prints timestamps formatted; the µs come from the ...Monotonic-less raw property via busctl
      const b = await execInSandbox(sb.dir, ['busctl', 'get-property', 'org.freedesktop.systemd1', '/org/freedesktop/systemd1/unit/web_2eservice', 'org.freedesktop.systemd1.Unit', p]);
      const v = b.stdout.trim().split(' ')[1]!;
      return v === '0' ? null : v;
    };
    assertTimestamp(r.since, await mono('ActiveEnterTimestamp'), 'since');
    assertTimestamp(r.timestamps.activeEnter, await mono('ActiveEnterTimestamp'), 'activeEnter');
    assertTimestamp(r.timestamps.activeExit, await mono('ActiveExitTimestamp'), 'activeExit');
    assertTimestamp(r.timestamps.inactiveEnter, await mono('InactiveEnterTimestamp'), 'inactiveEnter');
    assertTimestamp(r.timestamps.inactiveExit, await mono('InactiveExitTimestamp'), 'inactiveExit');
    assertTimestamp(r.timestamps.stateChange, await mono('StateChangeTimestamp'), 'stateChange');
    assert.deepEqual(Object.keys(r.timestamps), ['stateChange', 'activeEnter', 'activeExit', 'inactiveEnter', 'inactiveExit']);
    const mainPid = Number(await show('web.service', 'MainPID'));
    assert.equal(r.mainPid, mainPid);
    assert.equal(r.mainRunning, true);
    assert.equal(r.mainExit, null);
    assert.equal(r.controlPid, null);
    assert.equal(r.statusText, null);
    assert.equal(r.statusErrno, null);
    assert.deepEqual(
      r.exec.map((e) => [e.property, e.path, e.argv, e.code]),
      [
        ['ExecStartPre', '/bin/echo', ['/bin/echo', 'warming'], 'exited'],
        ['ExecStart', '/bin/sh', ['/bin/sh', '-c', 'echo serving; exec sleep 1000'], null],
      ],
    );
    const pre = r.exec[0]!;
    assert.deepEqual(Object.keys(pre), ['property', 'path', 'argv', 'pid', 'code', 'status', 'start', 'exit']);
    assert.equal(pre.status, 0);
    assert.ok(pre.pid > 0);
    assert.ok(pre.start !== null && pre.exit !== null && pre.exit.usec >= pre.start.usec);
    assert.deepEqual(r.triggeredBy, []);
    assert.deepEqual(r.triggers, []);
    assert.deepEqual(r.documentation, ['man:web(8)']);
    assert.equal(r.cgroup, '/system.slice/web.service');
    assert.deepEqual(r.processes, [{ cgroup: '/system.slice/web.service', pid: mainPid, command: 'sleep 1000' }]);
    assert.deepEqual(Object.keys(r.resources), [
      'tasks', 'tasksMax', 'memory', 'memoryMin', 'memoryLow', 'memoryHigh', 'memoryMax', 'memorySwapMax',
      'memoryAvailable', 'cpuNsec', 'ipIngressBytes', 'ipEgressBytes', 'ioReadBytes', 'ioWriteBytes',
    ]);
    assert.equal(r.resources.tasksMax, 33);
    assert.equal(r.resources.memoryHigh, null, 'unset is null');
    assert.equal(r.resources.memoryMax, null);
    assert.equal(r.resources.ipIngressBytes, null, 'no IP accounting: null');
    for (const [k, v] of Object.entries(r.resources)) assert.ok(v === null || typeof v === 'number', k);
    // journal: systemctl's selection, typed records with every field
    assert.equal(r.journalError, null);
    assert.ok(r.journal !== null);
    const messages = r.journal.map((j) => j.message);
    assert.ok(messages.includes('serving'));
    assert.ok(messages.some((m) => m?.startsWith('Started web.service')));
    const serving = r.journal.find((j) => j.message === 'serving')!;
    assert.deepEqual(Object.keys(serving), ['time', 'monotonicUsec', 'bootId', 'cursor', 'identifier', 'pid', 'priority', 'message', 'messageId', 'fields']);
    assert.equal(serving.identifier, 'sh');
    assert.equal(serving.pid, mainPid);
    assert.equal(serving.priority, 6);
    assert.equal(serving.messageId, null);
    assert.match(serving.cursor, /^s=/);
    assert.match(serving.bootId, /^[0-9a-f]{32}$/);
    assert.ok(serving.time !== null && serving.time.usec === Number(serving.fields.__REALTIME_TIMESTAMP));
    assert.equal(serving.fields._SYSTEMD_UNIT, 'web.service');
    assert.equal(serving.fields.MESSAGE, 'serving');
  });

  test('-n bounds the journal records; -n 0 reads none', async () => {
    const two = (await statusJson(['web.service'], { lines: 2 })).value as UnitStatusRecord[];
    assert.equal(two[0]!.journal!.length, 2);
    const none = (await statusJson(['web.service'], { lines: 0 })).value as UnitStatusRecord[];
    assert.equal(none[0]!.journal, null);
  });

  test('a failed service: result, main exit, exit 3', async () => {
    const { io, value } = await statusJson(['crash.service']);
    assert.equal(io.exitCode, 3);
    const r = (value as UnitStatusRecord[])[0]!;
    assert.equal(r.activeState, 'failed');
    assert.equal(r.subState, 'failed');
    assert.equal(r.result, 'exit-code');
    assert.deepEqual(r.mainExit, { code: 'exited', status: 7 });
    assert.equal(r.mainRunning, false);
    assert.ok(r.mainPid !== null && r.mainPid > 0);
    assertTimestamp(r.since, String(r.timestamps.inactiveEnter?.usec ?? null), 'since = inactiveEnter for failed');
    assert.equal(r.cgroup, null, 'no cgroup once it is gone');
    assert.deepEqual(r.processes, []);
    const exit = r.journal!.find((j) => j.fields.EXIT_STATUS !== undefined);
    assert.ok(exit, 'the "main process exited" record');
    assert.equal(exit.fields.EXIT_CODE, 'exited');
    assert.equal(exit.fields.EXIT_STATUS, '7');
  });

  test('triggers and triggered-by carry the other unit\'s state', async () => {
    const { value } = await statusJson(['sk.socket', 'sk.service']);
    const [sock, svc] = value as UnitStatusRecord[];
    assert.deepEqual(sock!.triggers, [{ unit: 'sk.service', activeState: 'inactive' }]);
    assert.deepEqual(svc!.triggeredBy, [{ unit: 'sk.socket', activeState: 'active' }]);
  });

  test('not found: left out, systemctl\'s message on stderr, exit 4; valid JSON when empty', async () => {
    const { io, value } = await statusJson(['nope.service']);
    assert.deepEqual(value, []);
    assert.equal(io.exitCode, 4);
    assert.equal(io.stderr(), 'Unit nope.service could not be found.\n');
  });

  test('hostile text stays intact in JSON', async () => {
    await waitFor('evil.service\'s line in its status', async () =>
      ((await statusJson(['evil.service'])).value as UnitStatusRecord[])[0]!.journal!.some((j) => j.message?.startsWith('bad ')),
    );
    const { value } = await statusJson(['evil.service']);
    const r = (value as UnitStatusRecord[])[0]!;
    assert.equal(r.description, 'Evil \x1b[2J desc');
    const line = r.journal!.find((j) => j.message?.startsWith('bad '));
    assert.ok(line);
    assert.equal(line.message, 'bad \x1b[2J line');
    assert.deepEqual(line.fields.MESSAGE, [...Buffer.from('bad \x1b[2J line')], 'a byte-array MESSAGE stays an array of numbers, as journalctl');
  });

  test('no unit: the manager overview', async () => {
    const { value } = await statusJson([]);
    const v = value as { system: Record<string, unknown>; units: unknown[] };
    assert.deepEqual(Object.keys(v), ['system', 'units']);
    assert.deepEqual(Object.keys(v.system), ['host', 'state', 'units', 'jobs', 'failedUnits', 'since', 'version', 'tainted', 'cgroup', 'processes']);
    assert.equal(v.system.failedUnits, 1);
    assert.equal(v.system.jobs, 0);
    assert.equal(v.system.state, 'degraded');
    assert.equal(typeof v.system.units, 'number');
    assert.match(String(v.system.version), /^252/);
    assert.deepEqual(v.units, []);
  });
});
