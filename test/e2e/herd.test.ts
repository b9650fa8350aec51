/**
 * `sysherd herd …` end to end: the BUILT CLI run inside a system-mode sandbox (its journal, its
 * /proc, its unit files), against real units: a service that crashes and is respawned, a unit
 * with Requires= and BindsTo= dependents, a one-shot, a failing start, a timer, a socket, a unit
 * file edited on disk. Every seed procedure has a test that names it. Needs root.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { execInSandbox } from '../../src/sandbox/sandbox.js';
import { type BootedSandbox, bootSandbox } from '../helpers/sandbox.js';
import { startSshHosts } from '../helpers/ssh-hosts.js';
import { BIN, ensureBuilt, runCli } from './helpers.js';

const UNITS: Record<string, string> = {
  'alpha.service': '[Unit]\nDescription=Alpha daemon\nDocumentation=man:sleep(1)\n[Service]\nExecStart=/bin/sh -c "echo alpha says hello; exec sleep infinity"\nStandardError=append:/tmp/alpha.err\nLogsDirectory=alpha\n',
  'dep.service': '[Unit]\nDescription=Requires alpha\nRequires=alpha.service\nAfter=alpha.service\n[Service]\nExecStart=/bin/sleep infinity\n',
  'bound.service': '[Unit]\nDescription=Bound to alpha\nBindsTo=alpha.service\nAfter=alpha.service\n[Service]\nExecStart=/bin/sleep infinity\n',
  // bound without ordering: stopped in parallel with alpha, its job may end after alpha's
  'loose.service': '[Unit]\nBindsTo=alpha.service\n[Service]\nExecStart=/bin/sleep infinity\n',
  'wanter.service': '[Unit]\nWants=once.service\n[Service]\nExecStart=/bin/sleep infinity\n',
  // exits 3 twice, then stays up: two respawns, two exit statuses
  'crash.service':
    '[Unit]\nDescription=Crasher\nStartLimitIntervalSec=0\n[Service]\nExecStart=/bin/sh -c \'n=$(cat /run/crash.n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /run/crash.n; echo run $n; [ $n -le 2 ] && exit 3; exec sleep infinity\'\nRestart=on-failure\nRestartSec=100ms\n',
  'once.service': '[Unit]\nDescription=One shot\n[Service]\nType=oneshot\nExecStart=/bin/echo done once\n',
  'bad.service': '[Unit]\nDescription=Never starts\n[Service]\nType=oneshot\nExecStart=/bin/sh -c "echo about to fail; exit 7"\n',
  'slow.service': '[Service]\nExecStartPre=/bin/sleep 4\nExecStart=/bin/sleep infinity\n',
  'edit.service': '[Unit]\nDescription=Before edit\n[Service]\nExecStart=/bin/sleep infinity\nRestart=no\n[Install]\nWantedBy=multi-user.target\n',
  'reloadable.service': '[Service]\nExecStart=/bin/sleep infinity\nExecReload=/bin/true\n',
  'tick.timer': '[Timer]\nOnActiveSec=1h\n',
  'grp.target': '[Unit]\nDescription=A group\n',
  'tick.service': '[Service]\nType=oneshot\nExecStart=/bin/true\n',
  'lis.socket': '[Socket]\nListenStream=127.0.0.1:7777\nListenStream=/run/lis.sock\n',
  'lis.service': '[Service]\nExecStart=/bin/sleep infinity\n',
};

let sb: BootedSandbox | undefined;

/**
 * The CLI to run: the project's build; SYSHERD_TEST_BIN points at a private copy of the build
 * (bin/ and dist/cli/ side by side) while others rebuild the tree's.
 */
const CLI = process.env.SYSHERD_TEST_BIN ?? BIN;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `sysherd herd …args` inside the sandbox (its journal, its /proc). */
async function herd(...args: string[]): Promise<Run> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`sysherd herd ${args.join(' ')} did not end within 60 s`)), 60_000);
  });
  try {
    return await Promise.race([execInSandbox(sb!.dir, [process.execPath, CLI, 'herd', ...args]), late]);
  } finally {
    clearTimeout(timer);
  }
}
async function herdJson<T>(...args: string[]): Promise<{ r: Run; v: T }> {
  const r = await herd(...args, '--json');
  let v: T;
  try {
    v = JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { r, v };
}
async function sh(cmd: string): Promise<Run> {
  return execInSandbox(sb!.dir, ['sh', '-c', cmd]);
}
async function prop(unit: string, p: string): Promise<string> {
  return (await sh(`systemctl show -P ${p} ${unit}`)).stdout.trim();
}
/** Poll until `check` is true (generous deadline, no fixed sleeps). */
async function until(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
/** The private copy, from the host. */
function runPrivate(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}
const show = (r: Run): string => `exit ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

interface StatusJson {
  service: string;
  unit: string;
  status: string;
  runningValue: unknown;
  mainPid: number | null;
  command: string[] | null;
  since: { time: string; usec: number } | null;
  enabled: boolean;
  respawn: boolean;
  nRestarts: number | null;
  lastRespawn: { time: string; usec: number } | null;
  respawns: { time: string; usec: number }[];
  exitStatuses: { time: string; usec: number; code: string; status: number; signal: string | null }[];
  startupFailures: { time: string; usec: number }[];
  failedAt: { time: string; usec: number } | null;
  statusChanges: { time: string; usec: number; status: string; event: string }[];
  messages: { time: string; usec: number; message: string }[];
  logFiles: string[];
  provides: string[];
  requires: string[];
  customActions: string[];
  replacement: { pending: boolean; changes: { setting: string; loaded: string; onDisk: string }[] };
  history: string;
  historyNote: string | null;
  failing: boolean;
  oneShot: boolean;
}

describe('sysherd herd (built CLI inside a system sandbox)', { timeout: 300_000 }, () => {
  before(async () => {
    ensureBuilt();
    sb = await bootSandbox('system', { units: UNITS, timeoutMs: 60_000, ...(CLI === BIN ? {} : { binds: [path.dirname(path.dirname(CLI))] }) });
    // the crasher: started, respawned twice, then up
    assert.equal((await sh('systemctl start crash.service tick.timer lis.socket')).code, 0);
    await until('crash.service to be respawned twice and running', async () => (await prop('crash.service', 'NRestarts')) === '2' && (await prop('crash.service', 'SubState')) === 'running');
  });
  after(async () => {
    await sb?.stop();
  });

  test('start-service: starts the dependencies the transaction pulled in, then the service, and prints its running value', async () => {
    const r = await herd('start', 'dep');
    assert.equal(r.code, 0, show(r));
    const pid = await prop('dep.service', 'MainPID');
    assert.equal(r.stdout, `Service alpha has been started.\nService dep has been started.\nRunning value is ${pid}.\n`);
    assert.equal(r.stderr, '');
  });

  test('start-service: a running service is "already running"; --json has the running value as a number', async () => {
    const { r, v } = await herdJson<Record<string, unknown>[]>('start', 'alpha');
    assert.equal(r.code, 0, show(r));
    assert.equal(v.length, 1);
    const pid = Number(await prop('alpha.service', 'MainPID'));
    assert.deepEqual(v[0], { service: 'alpha', unit: 'alpha.service', background: false, job: null, alreadyRunning: true, started: [], status: 'running', runningValue: pid, reason: null });
    const t = await herd('start', 'alpha');
    assert.equal(t.stdout, `Service alpha is already running.\nRunning value is ${pid}.\n`);
  });

  test('start-service: a unit without a process has `yes`, a socket its listen addresses', async () => {
    const once = await herdJson<{ runningValue: unknown; started: string[]; status: string }[]>('start', 'once');
    assert.equal(once.r.code, 0, show(once.r));
    assert.equal(once.v[0]!.runningValue, true);
    assert.deepEqual(once.v[0]!.started, ['once']);
    const sock = await herdJson<{ runningValue: unknown; alreadyRunning: boolean }[]>('start', 'lis.socket');
    assert.deepEqual(sock.v[0], { ...sock.v[0], alreadyRunning: true, runningValue: ['127.0.0.1:7777', '/run/lis.sock'] });
    const text = await herd('start', 'grp.target');
    assert.match(text.stdout, /Running value is yes\.\n$/);
  });

  test('start-service: a failure is #f with the reason, exit 1', async () => {
    const r = await herd('start', 'bad');
    assert.equal(r.code, 1, show(r));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^sysherd: failed to start service bad; Job for bad.service failed because the control process exited with error code\.\n$/);
    const { r: j, v } = await herdJson<{ runningValue: unknown; reason: string; started: string[] }[]>('start', 'bad');
    assert.equal(j.code, 1);
    assert.equal(v[0]!.runningValue, false);
    assert.deepEqual(v[0]!.started, []);
    assert.match(v[0]!.reason, /failed because the control process exited with error code/);
  });

  test('start-in-the-background: --background enqueues and returns at once', async () => {
    const { r, v } = await herdJson<{ background: boolean; status: string; job: number; started: string[] }[]>('start', '--background', 'slow');
    assert.equal(r.code, 0, show(r));
    assert.equal(v[0]!.background, true);
    assert.equal(v[0]!.status, 'starting');
    assert.ok(Number.isInteger(v[0]!.job) && v[0]!.job > 0);
    // it returned before ExecStartPre=/bin/sleep 4 was over
    assert.equal(await prop('slow.service', 'ActiveState'), 'activating');
    const st = await herdJson<StatusJson>('status', 'slow');
    assert.equal(st.v.status, 'starting');
    await until('slow.service to be up', async () => (await prop('slow.service', 'ActiveState')) === 'active');
    const text = await herd('start', 'slow', '--background');
    assert.match(text.stdout, /^Service slow is already running\./);
  });

  test('stop-service: stops every dependent (Requires= and BindsTo=) and lists them, the service last', async () => {
    assert.equal((await herd('start', 'dep', 'bound', 'loose')).code, 0);
    const r = await herd('stop', 'alpha');
    assert.equal(r.code, 0, show(r));
    const lines = r.stdout.trim().split('\n');
    assert.deepEqual([...lines].sort(), ['Service alpha has been stopped.', 'Service bound has been stopped.', 'Service dep has been stopped.', 'Service loose has been stopped.']);
    assert.equal(lines.at(-1), 'Service alpha has been stopped.');
    for (const u of ['alpha', 'dep', 'bound', 'loose']) assert.equal(await prop(`${u}.service`, 'ActiveState'), 'inactive');
    // --json: the seed's returned list
    assert.equal((await herd('start', 'dep', 'bound')).code, 0);
    const { v } = await herdJson<{ service: string; unit: string; wasRunning: boolean; stopped: string[]; reason: null }[]>('stop', 'alpha');
    assert.equal(v.length, 1);
    assert.equal(v[0]!.service, 'alpha');
    assert.equal(v[0]!.unit, 'alpha.service');
    assert.equal(v[0]!.wasRunning, true);
    assert.equal(v[0]!.reason, null);
    assert.deepEqual([...v[0]!.stopped].sort(), ['alpha', 'bound', 'dep']);
    assert.equal(v[0]!.stopped.at(-1), 'alpha');
  });

  test('stop-service: a service that is not running is a warning, its own name in the list, exit 0', async () => {
    const r = await herd('stop', 'alpha');
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'Service alpha is not running.\n');
    const { v } = await herdJson<{ stopped: string[]; wasRunning: boolean }[]>('stop', 'alpha');
    assert.deepEqual(v[0], { service: 'alpha', unit: 'alpha.service', wasRunning: false, stopped: ['alpha'], reason: null });
  });

  test('perform-service-action: restart, reload, enable, disable, kill; --json records', async () => {
    assert.equal((await herd('start', 'alpha')).code, 0);
    const pid = await prop('alpha.service', 'MainPID');
    const r = await herd('restart', 'alpha');
    assert.equal(r.stdout, 'Service alpha has been stopped.\nService alpha has been started.\n', show(r));
    assert.notEqual(await prop('alpha.service', 'MainPID'), pid);

    assert.equal((await herd('start', 'reloadable')).code, 0);
    const rl = await herdJson<Record<string, unknown>>('reload', 'reloadable');
    assert.deepEqual(rl.v, { service: 'reloadable', unit: 'reloadable.service', action: 'reload', args: [], message: 'Service reloadable has been reloaded.', dependents: [], status: 'running' });

    // a restart restarts the running dependents too (Requires=)
    assert.equal((await herd('start', 'dep')).code, 0);
    const depPid = await prop('dep.service', 'MainPID');
    const rd = await herd('restart', 'alpha');
    assert.equal(rd.stdout, 'Service dep has been stopped.\nService alpha has been stopped.\nService alpha has been started.\nService dep has been started.\n', show(rd));
    assert.notEqual(await prop('dep.service', 'MainPID'), depPid);
    const rj = await herdJson<Record<string, unknown>>('restart', 'alpha');
    assert.deepEqual(rj.v.dependents, ['dep']);
    assert.equal(rj.v.status, 'running');
    assert.equal((await herd('stop', 'dep')).code, 0);

    const en = await herd('enable', 'edit');
    assert.equal(en.stdout, 'Enabled service edit.\n', show(en));
    assert.equal(await prop('edit.service', 'UnitFileState'), 'enabled');
    const dis = await herdJson<Record<string, unknown>>('disable', 'edit');
    assert.equal(dis.v.message, 'Disabled service edit.');
    assert.equal(await prop('edit.service', 'UnitFileState'), 'disabled');

    assert.equal((await herd('start', 'bound')).code, 0);
    const k = await herd('kill', 'bound', 'SIGKILL');
    assert.equal(k.stdout, 'Sent signal SIGKILL to service bound.\n', show(k));
    await until('bound.service to die of SIGKILL', async () => (await prop('bound.service', 'ActiveState')) === 'failed');
  });

  test('perform-service-action: freeze, thaw, clean, reset-failed', async () => {
    assert.equal((await herd('start', 'alpha')).code, 0);
    const f = await herd('freeze', 'alpha');
    assert.equal(f.stdout, 'Froze service alpha.\n', show(f));
    await until('alpha to be frozen', async () => (await prop('alpha.service', 'FreezerState')) === 'frozen');
    const t = await herdJson<Record<string, unknown>>('thaw', 'alpha');
    assert.equal(t.v.message, 'Thawed service alpha.');
    await until('alpha to be thawed', async () => (await prop('alpha.service', 'FreezerState')) === 'running');
    assert.equal((await herd('stop', 'alpha')).code, 0);
    await sh('mkdir -p /var/log/alpha && touch /var/log/alpha/x');
    const c = await herd('clean', 'alpha', 'logs');
    assert.equal(c.stdout, 'Cleaned service alpha.\n', show(c));
    await until('alpha\'s logs directory to be removed', async () => (await sh('test -e /var/log/alpha')).code !== 0);
    assert.equal((await herd('start', 'bad')).code, 1);
    const rf = await herd('reset-failed', 'bad');
    assert.equal(rf.stdout, 'Reset the failed state of service bad.\n', show(rf));
    assert.notEqual(await prop('bad.service', 'ActiveState'), 'failed');
  });

  test('perform-service-action: an unknown action or an action the unit type lacks is herd\'s error and hint, exit 1', async () => {
    const r = await herd('frobnicate', 'alpha');
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, "sysherd: service 'alpha' does not have an action 'frobnicate'; Run 'sysherd herd doc alpha list-actions' to list supported actions.\n");
    const reload = await herd('reload', 'alpha'); // no ExecReload=
    assert.equal(reload.code, 1);
    assert.match(reload.stderr, /does not have an action 'reload'/);
  });

  test('usage: no action, no service; options anywhere on the line', async () => {
    const none = await herd();
    assert.equal(none.code, 1);
    assert.equal(none.stderr, 'sysherd: no action given; Usage: sysherd herd ACTION [SERVICE [OPTIONS...]]\n');
    const noService = await herd('start');
    assert.equal(noService.code, 1);
    assert.match(noService.stderr, /^sysherd: start: no service given; Usage: /);
    const badN = await herd('status', 'crash', '-n', 'many');
    assert.equal(badN.code, 1);
    assert.match(badN.stderr, /invalid --log-history value 'many'/);
    const before = await execInSandbox(sb!.dir, [process.execPath, CLI, '--json', '-n', '1', 'herd', 'status', 'crash']);
    const afterIt = await herd('status', '--json', 'crash', '--log-history=1');
    const a = JSON.parse(before.stdout) as StatusJson;
    const b = JSON.parse(afterIt.stdout) as StatusJson;
    assert.equal(a.service, 'crash');
    assert.equal(a.exitStatuses.length, 1);
    assert.deepEqual(a.exitStatuses, b.exitStatuses);
  });

  test('globs: status and graph expand over every loaded unit, stop over the active ones', async () => {
    assert.equal((await herd('start', 'dep', 'bound')).code, 0);
    const { v } = await herdJson<StatusJson[]>('status', 'de*', 'boun?');
    assert.deepEqual(v.map((s) => s.service).sort(), ['bound', 'dep']);
    const stop = await herdJson<{ service: string }[]>('stop', 'de[p]');
    assert.deepEqual(stop.v.map((r) => r.service), ['dep']);
    const none = await herdJson<unknown[]>('stop', 'nothing-matches-*');
    assert.deepEqual(none.v, []);
  });

  test('perform-service-action: an unknown service could not be found, exit 1', async () => {
    for (const verb of [['status', 'nosuch'], ['start', 'nosuch'], ['restart', 'nosuch'], ['doc', 'nosuch']]) {
      const r = await herd(...verb);
      assert.equal(r.code, 1, show(r));
      assert.equal(r.stderr, "sysherd: service 'nosuch' could not be found\n");
    }
  });

  test('doc: description, documentation, actions; list-actions; action A', async () => {
    const r = await herd('doc', 'alpha');
    assert.equal(r.stdout, 'Alpha daemon\nDocumentation: man:sleep(1)\nActions: start stop restart status enable disable doc kill clean freeze thaw reset-failed\n', show(r));
    const l = await herd('doc', 'alpha', 'list-actions');
    assert.equal(l.stdout, 'alpha (start stop restart status enable disable doc kill clean freeze thaw reset-failed)\n');
    const t = await herd('doc', 'tick.timer', 'list-actions');
    assert.equal(t.stdout, 'tick.timer (start stop restart status enable disable doc reset-failed)\n');
    const a = await herdJson<Record<string, unknown>>('doc', 'alpha', 'action', 'kill');
    assert.equal(a.v.action, 'kill');
    assert.match(String(a.v.doc), /signal/);
    const j = await herdJson<{ documentation: string[]; actions: { name: string; doc: string }[]; description: string }>('doc', 'alpha');
    assert.deepEqual(j.v.documentation, ['man:sleep(1)']);
    assert.equal(j.v.description, 'Alpha daemon');
    assert.ok(j.v.actions.every((x) => x.doc.length > 0));
  });

  test('service-running?, service-stopped?, service-enabled?: exit 0/1 and a word', async () => {
    assert.equal((await herd('start', 'alpha')).code, 0);
    const yes = await herd('running?', 'alpha');
    assert.deepEqual([yes.code, yes.stdout], [0, 'yes\n']);
    const no = await herd('stopped?', 'alpha');
    assert.deepEqual([no.code, no.stdout], [1, 'no\n']);
    const en = await herd('enabled?', 'alpha');
    assert.deepEqual([en.code, en.stdout], [1, 'no\n']);
    const q = await herd('-q', 'running?', 'alpha');
    assert.deepEqual([q.code, q.stdout], [0, '']);
    const { r, v } = await herdJson<Record<string, unknown>>('stopped?', 'dep');
    assert.equal(r.code, 0);
    assert.deepEqual(v, { service: 'dep', unit: 'dep.service', query: 'stopped?', answer: true, status: 'stopped' });
  });

  test('service-status and service-running-value: the status symbol and the running value in --json', async () => {
    const { v } = await herdJson<StatusJson>('status', 'alpha');
    const pid = Number(await prop('alpha.service', 'MainPID'));
    assert.equal(v.service, 'alpha');
    assert.equal(v.unit, 'alpha.service');
    assert.equal(v.status, 'running');
    assert.equal(v.runningValue, pid);
    assert.equal(v.mainPid, pid);
    assert.deepEqual(v.command, ['/bin/sh', '-c', 'echo alpha says hello; exec sleep infinity']);
    assert.match(v.since!.time, ISO);
    const since = (await sh('systemctl show -P StateChangeTimestamp --timestamp=unix alpha.service')).stdout.trim();
    assert.equal(Math.floor(v.since!.usec / 1e6), Number(since.slice(1)));
    assert.deepEqual(v.provides, ['alpha']);
    assert.ok(v.requires.includes('sysinit.target'));
    assert.deepEqual(v.customActions, ['kill', 'clean', 'freeze', 'thaw', 'reset-failed']);
    assert.equal(v.history, 'journal');
    assert.equal(v.historyNote, null);
    assert.equal((await herd('start', 'once')).code, 0);
    const once = await herd('status', 'once');
    assert.equal(once.stdout.split('\n')[1], '  It is stopped (one-shot).', show(once));
    const stopped = await herdJson<StatusJson>('status', 'dep');
    assert.equal(stopped.v.status, 'stopped');
    assert.equal(stopped.v.runningValue, false);
  });

  test('service-respawn-times and service-process-exit-statuses: the crasher\'s respawns and exits (text and --json)', async () => {
    const r = await herd('status', 'crash');
    assert.equal(r.code, 0, show(r));
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], '● Status of crash:');
    assert.match(lines[1]!, /^ {2}It is running since \d\d:\d\d:\d\d \(\d+ (seconds?|minutes) ago\)\.$/);
    assert.match(lines[2]!, /^ {2}Main PID: \d+$/);
    assert.ok(lines.includes('  Will be respawned.'), show(r));
    assert.ok(lines.some((l) => /^ {2}Last respawned on \d\d:\d\d:\d\d \(\d+ (seconds?|minutes) ago\)\.$/.test(l)), show(r));
    const exits = lines.indexOf('  Latest exits:');
    assert.ok(exits > 0, show(r));
    assert.match(lines[exits + 1]!, /^ {4}- \d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}Process exited with code 3\.$/);
    assert.match(lines[exits + 2]!, /^ {4}- \d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}Process exited with code 3\.$/);
    const { v } = await herdJson<StatusJson>('status', 'crash');
    assert.equal(v.respawn, true);
    assert.equal(v.nRestarts, 2);
    assert.equal(v.respawns.length, 2);
    for (const t of v.respawns) assert.match(t.time, ISO);
    assert.ok(v.respawns[0]!.usec >= v.respawns[1]!.usec, 'most recent first');
    assert.deepEqual(v.lastRespawn, v.respawns[0]);
    assert.equal(v.exitStatuses.length, 2);
    for (const e of v.exitStatuses) {
      assert.equal(e.code, 'exited');
      assert.equal(e.status, 3);
      assert.equal(e.signal, null);
      assert.match(e.time, ISO);
    }
    // respawned after each exit
    assert.ok(v.respawns[1]!.usec >= v.exitStatuses[1]!.usec);
    // -n bounds the lists
    const one = await herdJson<StatusJson>('status', 'crash', '-n', '1');
    assert.equal(one.v.respawns.length, 1);
    assert.equal(one.v.exitStatuses.length, 1);
    assert.equal(one.v.statusChanges.length, 1);
    assert.equal(one.v.messages.length, 1);
  });

  test('service-status-changes: each transition with its time, oldest first; service-recent-messages: the service\'s own lines', async () => {
    const { v } = await herdJson<StatusJson>('status', 'crash', '--log-history', '10');
    assert.deepEqual(
      v.statusChanges.map((c) => c.event),
      ['running', 'crashed', 'running', 'crashed', 'running'],
    );
    assert.deepEqual(
      v.statusChanges.map((c) => c.status),
      ['running', 'stopped', 'running', 'stopped', 'running'],
    );
    for (let i = 1; i < v.statusChanges.length; i++) assert.ok(v.statusChanges[i]!.usec >= v.statusChanges[i - 1]!.usec);
    assert.deepEqual(
      v.messages.map((m) => m.message),
      ['run 1', 'run 2', 'run 3'],
    );
    const text = await herd('status', 'crash', '-n', '10');
    assert.match(text.stdout, /\n\nRecent messages \(use '-n' to view more or less\):\n {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d run 1\n {2}\S+ \S+ run 2\n {2}\S+ \S+ run 3\n$/);
    assert.match(text.stdout, /\n {2}Status changes:\n {4}- \S+ \S+ {2}running\n {4}- \S+ \S+ {2}stopped \(crashed\)\n/);
  });

  test('service-startup-failures: a start that failed, "It is stopped (failing)." and "Failed to start at"', async () => {
    assert.equal((await herd('start', 'bad')).code, 1);
    const r = await herd('status', 'bad');
    const lines = r.stdout.split('\n');
    assert.equal(lines[1], '  It is stopped (failing).', show(r));
    assert.equal(lines[2], '  Process exited with code 7.');
    assert.ok(lines.some((l) => /^ {2}Failed to start at \d\d:\d\d:\d\d \(\d+ (seconds?|minutes) ago\)\.$/.test(l)), show(r));
    assert.ok(lines.includes('  Startup failures:'), show(r));
    const { v } = await herdJson<StatusJson>('status', 'bad');
    assert.equal(v.failing, true);
    assert.ok(v.startupFailures.length >= 1);
    assert.ok(v.failedAt !== null);
    assert.deepEqual(v.failedAt, v.startupFailures[0]);
    assert.deepEqual(v.exitStatuses[0] && { code: v.exitStatuses[0].code, status: v.exitStatuses[0].status }, { code: 'exited', status: 7 });
    assert.ok(v.messages.some((m) => m.message === 'about to fail'));
  });

  test('service-log-file: StandardError=append: and LogsDirectory=', async () => {
    const { v } = await herdJson<StatusJson>('status', 'alpha');
    assert.deepEqual(v.logFiles, ['/tmp/alpha.err', '/var/log/alpha']);
    const r = await herd('status', 'alpha');
    assert.match(r.stdout, /\n {2}Log file: \/tmp\/alpha\.err\n {2}Log file: \/var\/log\/alpha\n/);
  });

  test('service-replacement: a unit file edited on disk shows the pending replacement and what it changes', async () => {
    assert.equal((await herd('start', 'edit')).code, 0);
    const before = await herdJson<StatusJson>('status', 'edit');
    assert.deepEqual(before.v.replacement, { pending: false, changes: [] });
    await sh("sed -i 's/Description=Before edit/Description=After edit/; s|ExecStart=/bin/sleep infinity|ExecStart=/bin/sleep 12345|' /etc/systemd/system/edit.service && mkdir -p /etc/systemd/system/edit.service.d && printf '[Service]\\nRestart=always\\n' > /etc/systemd/system/edit.service.d/respawn.conf");
    const { v } = await herdJson<StatusJson>('status', 'edit');
    assert.equal(v.replacement.pending, true);
    assert.deepEqual(v.replacement.changes, [
      { setting: 'Description', loaded: 'Before edit', onDisk: 'After edit' },
      { setting: 'ExecStart', loaded: '/bin/sleep infinity', onDisk: '/bin/sleep 12345' },
      { setting: 'Restart', loaded: 'no', onDisk: 'always' },
    ]);
    const r = await herd('status', 'edit');
    assert.match(r.stdout, /\n {2}Replacement pending \(restart to upgrade\)\.\n {4}Description: Before edit → After edit\n {4}ExecStart: \/bin\/sleep infinity → \/bin\/sleep 12345\n {4}Restart: no → always\n {2}Will not be respawned\.\n/);
    // the overview prints it bold on a terminal; --json says so
    const o = await herdJson<Record<string, { service: string; changedOnDisk: boolean }[]>>('status');
    assert.deepEqual(o.v.started!.find((e) => e.service === 'edit'), { service: 'edit', unit: 'edit.service', changedOnDisk: true });
  });

  test('herd status: the overview in herd\'s sections and markers, names sorted, empty sections left out', async () => {
    // wanter keeps once (a one-shot that ran) loaded
    assert.equal((await herd('start', 'wanter')).code, 0);
    assert.equal((await herd('start', 'bad')).code, 1);
    const r = await herd('status');
    assert.equal(r.code, 0, show(r));
    const headings = r.stdout.split('\n').filter((l) => /^\S/.test(l));
    const order = ['Started:', 'Running timers:', 'Starting:', 'Stopped:', 'Stopping:', 'One-shot:', 'Failed to start:'];
    assert.deepEqual(headings, order.filter((h) => headings.includes(h)));
    assert.ok(['Started:', 'Running timers:', 'Stopped:', 'One-shot:', 'Failed to start:'].every((h) => headings.includes(h)), show(r));
    const section = (h: string): string[] => {
      const ls = r.stdout.split('\n');
      const i = ls.indexOf(h);
      const out: string[] = [];
      for (let j = i + 1; j < ls.length && ls[j]!.startsWith(' '); j++) out.push(ls[j]!);
      return out;
    };
    assert.ok(section('Started:').includes(' + crash'));
    assert.ok(section('Started:').includes(' + alpha'));
    assert.ok(section('Running timers:').includes(' + tick.timer'));
    assert.ok(section('One-shot:').includes(' * once'));
    assert.ok(section('Failed to start:').includes(' ! bad'));
    assert.ok(section('Stopped:').includes(' - dep'));
    assert.ok(section('Stopped:').includes(' - lis'), 'a unit file never loaded is stopped');
    const started = section('Started:').map((l) => l.slice(3));
    assert.deepEqual(started, [...started].sort());
    const { v } = await herdJson<Record<string, { service: string; unit: string; changedOnDisk: boolean }[]>>('status');
    assert.deepEqual(Object.keys(v), ['started', 'runningTimers', 'starting', 'stopped', 'stopping', 'oneShot', 'failed']);
    assert.deepEqual(v.runningTimers!.find((e) => e.unit === 'tick.timer'), { service: 'tick.timer', unit: 'tick.timer', changedOnDisk: false });
    assert.ok(v.failed!.some((e) => e.unit === 'bad.service'));
    // --type: sockets only
    const socks = await herd('status', '--type=socket');
    assert.match(socks.stdout, /^Started:\n(?: \+ \S+\n)* \+ lis\.socket\n/);
  });

  test('herd detailed-status: the block of every service, without recent messages', async () => {
    const { r, v } = await herdJson<StatusJson[]>('detailed-status');
    assert.equal(r.code, 0, show(r));
    assert.ok(v.some((s) => s.service === 'crash' && s.respawns.length === 2));
    assert.ok(v.every((s) => s.messages.length === 0));
    const t = await herd('detailed-status', 'crash', 'alpha');
    assert.equal(t.stdout.split('\n').filter((l) => l.startsWith('● Status of ')).length, 2);
    assert.doesNotMatch(t.stdout, /Recent messages/);
  });

  test('herd log: the transitions in order, herd\'s format', async () => {
    assert.equal((await herd('start', 'alpha')).code, 0);
    const stopped = await herd('stop', 'alpha');
    assert.equal(stopped.code, 0, show(stopped));
    assert.equal((await herd('start', 'dep')).code, 0);
    const r = await herd('log', 'alpha', 'dep');
    assert.equal(r.code, 0, show(r));
    const lines = r.stdout.replace(/\n$/, '').split('\n'); // not trim(): a day before the 10th is padded with a space
    for (const l of lines) assert.match(l, /^[ \d]\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\tservice (alpha|dep) (is being started|is running|is being stopped|is stopped|failed to start|is done \(one-shot\))$/);
    const tail = lines.slice(-4).map((l) => l.split('\t')[1]);
    assert.deepEqual(tail.slice(0, 2), ['service alpha is being stopped', 'service alpha is stopped']);
    assert.deepEqual(tail.slice(2), ['service alpha is running', 'service dep is running']);
    const { v } = await herdJson<{ time: string; usec: number; service: string; unit: string; event: string; status: string }[]>('log', '-n', '2');
    assert.equal(v.length, 2);
    assert.deepEqual(
      v.map((e) => [e.service, e.unit, e.event, e.status]),
      [
        ['alpha', 'alpha.service', 'running', 'running'],
        ['dep', 'dep.service', 'running', 'running'],
      ],
    );
    for (const e of v) assert.match(e.time, ISO);
    const once = await herd('log', 'once');
    assert.match(once.stdout, /\tservice once is done \(one-shot\)\n$/);
  });

  test('herd graph: a digraph dot parses, with the Requires=/Wants=/BindsTo= edges', async () => {
    assert.equal((await herd('start', 'bad')).code, 1);
    assert.equal((await herd('start', 'dep')).code, 0);
    const r = await herd('graph', 'dep', 'bound', 'wanter', 'tick.timer', 'once');
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^digraph "Service Graph" \{\n/);
    const plain = await new Promise<string>((resolve, reject) => {
      const child = execFile('dot', ['-Tplain'], (err, stdout) => (err ? reject(err) : resolve(stdout)));
      child.stdin!.end(r.stdout);
    });
    const edges = plain.split('\n').filter((l) => l.startsWith('edge ')).map((l) => l.split(' ').slice(1, 3).join(' -> ').replace(/"/g, ''));
    for (const e of ['dep -> alpha', 'bound -> alpha', 'wanter -> once']) assert.ok(edges.includes(e), `${e} in ${edges.join(', ')}`);
    // sysinit.target, which every service requires, and the slices are drawn only with --all
    assert.ok(!edges.includes('dep -> sysinit.target'), edges.join(', '));
    const all = await herd('--all', 'graph', 'dep');
    assert.match(all.stdout, /"dep" -> "sysinit.target"/);
    const nodes = new Map(plain.split('\n').filter((l) => l.startsWith('node ')).map((l) => {
      const f = l.split(' ');
      return [f[1]!.replace(/"/g, ''), { shape: f[f.length - 3], color: f[f.length - 2] }] as const;
    }));
    assert.deepEqual(nodes.get('dep'), { shape: 'box', color: 'green' });
    assert.deepEqual(nodes.get('once'), { shape: 'circle', color: 'purple' });
    assert.deepEqual(nodes.get('tick.timer'), { shape: 'diamond', color: 'green' });
    const { v } = await herdJson<{ nodes: { service: string; unit: string; status: string; shape: string; color: string }[]; edges: { from: string; to: string; kind: string }[] }>('graph', 'dep', 'bound', 'bad');
    assert.deepEqual(v.nodes.find((n) => n.service === 'bad'), { service: 'bad', unit: 'bad.service', status: 'stopped', shape: 'circle', color: 'red' });
    assert.ok(v.edges.some((e) => e.from === 'dep' && e.to === 'alpha' && e.kind === 'Requires'));
    assert.ok(v.edges.some((e) => e.from === 'bound' && e.to === 'alpha' && e.kind === 'BindsTo'));
  });

  test('colours only on a terminal, never with NO_COLOR; nothing escapes off a terminal', async () => {
    assert.equal((await herd('start', 'bad')).code, 1);
    const inPty = (env: Record<string, string>): Promise<string> =>
      new Promise((resolve, reject) => {
        const cmd = [process.execPath, CLI, '--address', sb!.busAddress, '--no-pager', 'herd', 'status'].map((a) => `'${a}'`).join(' ');
        execFile('script', ['-qec', cmd, '/dev/null'], { env: { PATH: process.env.PATH ?? '', TERM: 'xterm-256color', LANG: 'C.UTF-8', ...env } }, (err, stdout) =>
          err ? reject(err) : resolve(stdout),
        );
      });
    const coloured = await inPty({});
    assert.match(coloured, /\x1b\[1mStarted:\x1b\[22m/);
    assert.match(coloured, /\x1b\[31m\x1b\[1mFailed to start:/);
    assert.doesNotMatch(await inPty({ NO_COLOR: '1' }), /\x1b\[/);
    const piped = await runPrivate(['--address', sb!.busAddress, 'herd', 'status']);
    assert.doesNotMatch(piped.stdout, /\x1b/);
  });

  test('-H HOST: the manager over ssh, the journal over ssh too', async () => {
    const hosts = await startSshHosts({ sb1: sb!.pid1! });
    try {
      const r = await new Promise<Run>((resolve) => {
        execFile(process.execPath, [CLI, '-H', 'sb1', 'herd', 'status', 'crash', '--json'], { env: hosts.env }, (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
        );
      });
      assert.equal(r.code, 0, show(r));
      const v = JSON.parse(r.stdout) as StatusJson;
      assert.equal(v.history, 'journal');
      assert.equal(v.respawns.length, 2);
      assert.deepEqual(v.exitStatuses.map((e) => e.status), [3, 3]);
      assert.ok(v.messages.some((m) => m.message === 'run 3'));
    } finally {
      await hosts.stop();
    }
  });

  test('without the journal (a manager reached by --address): history from the properties, said in one line', async () => {
    const r = CLI === BIN ? await runCli(['--address', sb!.busAddress, 'herd', 'status', 'crash', '--json']) : await runPrivate(['--address', sb!.busAddress, 'herd', 'status', 'crash', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const v = JSON.parse(r.stdout) as StatusJson;
    assert.equal(v.history, 'properties');
    assert.match(v.historyNote!, /^journal not available: /);
    assert.equal(v.status, 'running');
    assert.deepEqual(v.messages, []);
    assert.equal(r.stderr.split('\n').filter((l) => l).length, 1);
    assert.match(r.stderr, /^journal not available: .*; history from the unit's properties only\n$/);
  });
});
