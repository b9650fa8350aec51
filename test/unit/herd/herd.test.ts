/** herd's pure parts: time strings, history from journal records, the renderers, unit files. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { toEntry } from '../../../src/core/journal.ts';
import type { UnitObject, UnitProperties } from '../../../src/core/unit.ts';
import { MESSAGE_IDS, eventStatus, foldHistory, localJournalMissing } from '../../../src/herd/history.ts';
import { serviceName, unitOf } from '../../../src/herd/names.ts';
import { dotString, enabledLine, exitText, renderGraph, renderLog, renderOverview, renderServiceStatus } from '../../../src/herd/render.ts';
import { customActions, formatRunningValue, logFiles, parseUnitFiles, pendingChanges, runningValue, statusSymbol, type Snapshot } from '../../../src/herd/service.ts';
import { historyFromProperties, type ServiceStatusRecord } from '../../../src/herd/status.ts';
import { cTime, herdTime, isoLocal, isoUsec, logTime, relative } from '../../../src/herd/time.ts';
import { parseSignal } from '../../../src/cli/run/herd.ts';
import { colors } from '../../../src/output/color.ts';

const local = (y: number, mo: number, d: number, h: number, mi: number, s: number): number => new Date(y, mo - 1, d, h, mi, s).getTime() * 1000;

describe('herd time strings', () => {
  it('relative: seconds under 2 minutes, minutes under 2 hours, hours under 48 hours, then days', () => {
    assert.equal(relative(1), '1 second ago');
    assert.equal(relative(5), '5 seconds ago');
    assert.equal(relative(119), '119 seconds ago');
    assert.equal(relative(120), '2 minutes ago');
    assert.equal(relative(7199), '120 minutes ago');
    assert.equal(relative(7200), '2 hours ago');
    assert.equal(relative(47 * 3600), '47 hours ago');
    assert.equal(relative(48 * 3600), '2 days ago');
  });
  it('%X today, %c before, then the relative part', () => {
    const now = new Date(2026, 10, 22, 3, 14, 7);
    assert.equal(herdTime(local(2026, 11, 22, 3, 14, 2), now), '03:14:02 (5 seconds ago)');
    assert.equal(herdTime(local(2026, 11, 21, 3, 14, 2), now), 'Sat Nov 21 03:14:02 2026 (24 hours ago)');
    assert.equal(cTime(new Date(2026, 10, 2, 9, 5, 1)), 'Mon Nov  2 09:05:01 2026');
  });
  it('the event log, recent messages and JSON forms', () => {
    assert.equal(logTime(local(2026, 11, 22, 3, 14, 2)), '22 Nov 2026 03:14:02');
    assert.equal(logTime(local(2026, 11, 2, 3, 14, 2)), ' 2 Nov 2026 03:14:02');
    assert.equal(isoLocal(local(2026, 11, 22, 3, 14, 2)), '2026-11-22 03:14:02');
    assert.equal(isoUsec(1795319402431357), '2026-11-22T03:50:02.431357Z');
    assert.equal(isoUsec(1795319402000001), '2026-11-22T03:50:02.000001Z');
  });
});

describe('herd names', () => {
  it('services print without .service, other types keep their suffix', () => {
    assert.equal(unitOf('alpha'), 'alpha.service');
    assert.equal(unitOf('tick.timer'), 'tick.timer');
    assert.equal(serviceName('alpha.service'), 'alpha');
    assert.equal(serviceName('tick.timer'), 'tick.timer');
  });
  it('signals by name, short name or number', () => {
    assert.deepEqual(parseSignal('SIGHUP'), { number: 1, name: 'SIGHUP' });
    assert.deepEqual(parseSignal('kill'), { number: 9, name: 'SIGKILL' });
    assert.deepEqual(parseSignal('15'), { number: 15, name: 'SIGTERM' });
    assert.throws(() => parseSignal('SIGNOPE'), /unknown signal 'SIGNOPE'/);
  });
});

let t = 1_795_319_400_000_000;
function pid1(unit: string, id: string, message: string, extra: Record<string, string> = {}): ReturnType<typeof toEntry> {
  t += 1_000_000;
  return toEntry({ __REALTIME_TIMESTAMP: String(t), _PID: '1', UNIT: unit, MESSAGE_ID: id, MESSAGE: message, ...extra });
}

describe('history from the journal', () => {
  it('a crash and two respawns: events, respawns, exit statuses', () => {
    const h = foldHistory([
      pid1('crash.service', MESSAGE_IDS.started, 'Started crash.service.', { JOB_TYPE: 'start', JOB_RESULT: 'done' }),
      pid1('crash.service', MESSAGE_IDS.processExited, 'crash.service: Main process exited, code=exited, status=3/NOTIMPLEMENTED', { EXIT_CODE: 'exited', EXIT_STATUS: '3' }),
      pid1('crash.service', MESSAGE_IDS.unitFailed, "crash.service: Failed with result 'exit-code'."),
      pid1('crash.service', MESSAGE_IDS.restartScheduled, 'crash.service: Scheduled restart job, restart counter is at 1.'),
      pid1('crash.service', MESSAGE_IDS.stopped, 'Stopped crash.service.', { JOB_TYPE: 'restart', JOB_RESULT: 'done' }),
      pid1('crash.service', MESSAGE_IDS.started, 'Started crash.service.'),
      pid1('crash.service', MESSAGE_IDS.processExited, 'crash.service: Main process exited, code=killed, status=15/TERM', { EXIT_CODE: 'killed', EXIT_STATUS: 'TERM' }),
    ]).get('crash.service')!;
    assert.deepEqual(h.events.map((e) => e.event), ['running', 'crashed', 'running']);
    assert.deepEqual(h.events.map((e) => eventStatus(e.event)), ['running', 'stopped', 'running']);
    assert.equal(h.respawns.length, 1);
    assert.deepEqual(h.exits.map((e) => [e.code, e.status, e.signal]), [['exited', 3, null], ['killed', 15, 'SIGTERM']]);
  });
  it('a one-shot is done; a stop is being stopped, then stopped; a failed start is a startup failure', () => {
    const m = foldHistory([
      pid1('once.service', MESSAGE_IDS.startBegun, 'Starting once.service...'),
      pid1('once.service', MESSAGE_IDS.unitSucceeded, 'once.service: Deactivated successfully.'),
      pid1('once.service', MESSAGE_IDS.started, 'Finished once.service.'),
      pid1('a.service', MESSAGE_IDS.stopBegun, 'Stopping a.service...'),
      pid1('a.service', MESSAGE_IDS.unitSucceeded, 'a.service: Deactivated successfully.'),
      pid1('a.service', MESSAGE_IDS.stopped, 'Stopped a.service.'),
      pid1('bad.service', MESSAGE_IDS.startBegun, 'Starting bad.service...'),
      pid1('bad.service', MESSAGE_IDS.unitFailed, "bad.service: Failed with result 'exit-code'."),
      pid1('bad.service', MESSAGE_IDS.startFailed, 'Failed to start bad.service.'),
    ]);
    assert.deepEqual(m.get('once.service')!.events.map((e) => e.event), ['starting', 'done']);
    assert.deepEqual(m.get('a.service')!.events.map((e) => e.event), ['stopping', 'stopped']);
    assert.deepEqual(m.get('bad.service')!.events.map((e) => e.event), ['starting', 'failed']);
    assert.equal(m.get('bad.service')!.startupFailures.length, 1);
  });
  it('no journald socket and no journal files: the journal is missing', () => {
    assert.equal(localJournalMissing(() => false), 'no journald and no journal files on this machine');
    assert.equal(localJournalMissing((p) => p === '/var/log/journal'), null);
  });
  it('a user manager says USER_UNIT=', () => {
    const e = toEntry({ __REALTIME_TIMESTAMP: '5', USER_UNIT: 'u.service', MESSAGE_ID: MESSAGE_IDS.started, MESSAGE: 'Started u.service.' });
    assert.deepEqual(foldHistory([e]).get('u.service')!.events, [{ unit: 'u.service', usec: 5, event: 'running' }]);
  });
});

function snap(unit: string, props: Partial<UnitProperties>, typeProps: Record<string, unknown> = {}): Snapshot {
  const base = {
    Id: unit, Names: [unit], Requires: [], Wants: [], BindsTo: [], Description: unit, LoadState: 'loaded', ActiveState: 'inactive', SubState: 'dead',
    FragmentPath: '', DropInPaths: [], UnitFileState: 'disabled', StateChangeTimestamp: 0, InactiveExitTimestamp: 0, ActiveEnterTimestamp: 0,
    ActiveExitTimestamp: 0, InactiveEnterTimestamp: 0, CanReload: false, CanClean: [], CanFreeze: false, Transient: false,
  };
  return { unit, unitObject: {} as UnitObject, props: { ...base, ...props } as unknown as UnitProperties, typeProps };
}

describe('a service from its properties', () => {
  it('status symbol and running value', () => {
    assert.deepEqual(['active', 'reloading', 'activating', 'deactivating', 'inactive', 'failed'].map(statusSymbol), ['running', 'running', 'starting', 'stopping', 'stopped', 'stopped']);
    assert.equal(runningValue(snap('a.service', { ActiveState: 'active' }, { MainPID: 42 })), 42);
    assert.equal(runningValue(snap('a.target', { ActiveState: 'active' })), true);
    assert.deepEqual(runningValue(snap('a.socket', { ActiveState: 'active' }, { Listen: [['Stream', '127.0.0.1:80'], ['Stream', '/run/a.sock']] })), ['127.0.0.1:80', '/run/a.sock']);
    assert.equal(runningValue(snap('a.service', { ActiveState: 'inactive' }, { MainPID: 0 })), false);
    assert.deepEqual([42, true, false, ['x', 'y']].map((v) => formatRunningValue(v as never)), ['42', 'yes', '#f', 'x, y']);
  });
  it('custom actions follow what systemd supports for the unit', () => {
    assert.deepEqual(customActions(snap('a.service', { CanReload: true, CanClean: ['logs'], CanFreeze: true })), ['reload', 'kill', 'clean', 'freeze', 'thaw', 'reset-failed']);
    assert.deepEqual(customActions(snap('a.timer', {})), ['reset-failed']);
  });
  it('unit files: later settings append, an empty value resets; log files; pending changes', () => {
    const settings = parseUnitFiles([
      '[Unit]\nDescription=New\nRequires=b.service\n[Service]\nExecStart=/bin/a x\nStandardOutput=append:/var/log/a.log\nRestart=no\n',
      '[Service]\nRestart=always\nExecStart=\nExecStart=-/bin/b \\\n  y\n',
    ]);
    assert.deepEqual(settings.get('Service.ExecStart'), ['-/bin/b    y']);
    assert.deepEqual(settings.get('Service.Restart'), ['no', 'always']);
    const s = snap(
      'a.service',
      { Description: 'Old', Requires: [] },
      { ExecStart: [{ path: '/bin/a', argv: ['/bin/a', 'x'] }], Restart: 'no', LogsDirectory: ['a'] },
    );
    assert.deepEqual(logFiles(s, settings), ['/var/log/a.log', '/var/log/a']);
    assert.deepEqual(pendingChanges(s, settings), [
      { setting: 'Description', loaded: 'Old', onDisk: 'New' },
      { setting: 'Requires', loaded: '', onDisk: 'b.service' },
      { setting: 'ExecStart', loaded: '/bin/a x', onDisk: '/bin/b y' },
      { setting: 'Restart', loaded: 'no', onDisk: 'always' },
    ]);
  });
  it('without the journal: the history the timestamps tell', () => {
    const h = historyFromProperties(snap('a.service', { ActiveState: 'failed', InactiveExitTimestamp: 10, ActiveEnterTimestamp: 0, InactiveEnterTimestamp: 20 }, { ExecMainExitTimestamp: 19, ExecMainCode: 1, ExecMainStatus: 7 }));
    assert.deepEqual(h.events.map((e) => [e.usec, e.event]), [[10, 'starting'], [20, 'failed']]);
    assert.deepEqual(h.startupFailures, [20]);
    assert.deepEqual(h.exits, [{ usec: 19, code: 'exited', status: 7, signal: null }]);
  });
});

const now = new Date(2026, 10, 22, 3, 15, 0);
const at = (s: number): { time: string; usec: number } => ({ time: '', usec: local(2026, 11, 22, 3, 14, s) });
function record(over: Partial<ServiceStatusRecord>): ServiceStatusRecord {
  return {
    service: 'crash', unit: 'crash.service', description: 'Crasher', loadState: 'loaded', activeState: 'active', subState: 'running', status: 'running',
    runningValue: 74, since: at(50), failing: false, oneShot: false, transient: false, mainPid: 74, command: ['/bin/sh', '-c', 'run'], lastExit: null,
    enabled: true, unitFileState: 'enabled', provides: ['crash'], requires: ['sysinit.target'], customActions: ['kill'], replacement: { pending: false, changes: [] },
    respawn: true, restart: 'on-failure', nRestarts: 1, lastRespawn: at(48), respawns: [at(48)], exitStatuses: [{ ...at(48), code: 'exited', status: 3, signal: null }],
    startupFailures: [], failedAt: null, statusChanges: [{ ...at(40), status: 'running', event: 'running' }, { ...at(48), status: 'stopped', event: 'crashed' }],
    logFiles: ['/var/log/crash.log'], messages: [{ ...at(49), message: 'run 2' }], history: 'journal', historyNote: null, ...over,
  };
}

describe('herd status SERVICE, rendered', () => {
  it("herd's lines in herd's order", () => {
    assert.equal(
      renderServiceStatus(record({}), colors(false), { messages: true, now }),
      [
        '● Status of crash:',
        '  It is running since 03:14:50 (10 seconds ago).',
        '  Main PID: 74',
        '  Command: /bin/sh -c run',
        '  It is enabled.',
        '  Provides: crash',
        '  Requires: sysinit.target',
        '  Custom actions: kill',
        '  Will be respawned.',
        '  Last respawned on 03:14:48 (12 seconds ago).',
        '  Latest exits:',
        '    - 2026-11-22 03:14:48  Process exited with code 3.',
        '  Log file: /var/log/crash.log',
        '  Status changes:',
        '    - 2026-11-22 03:14:40  running',
        '    - 2026-11-22 03:14:48  stopped (crashed)',
        '',
        "Recent messages (use '-n' to view more or less):",
        '  2026-11-22 03:14:49 run 2',
        '',
      ].join('\n'),
    );
  });
  it('stopped, failing, replacement pending; without messages for detailed-status', () => {
    const text = renderServiceStatus(
      record({
        status: 'stopped', failing: true, mainPid: null, runningValue: false, enabled: false, unitFileState: 'disabled', respawn: false, lastRespawn: null, exitStatuses: [],
        lastExit: { ...at(30), code: 'killed', status: 9, signal: 'SIGKILL' }, failedAt: at(30), startupFailures: [at(30)], statusChanges: [],
        replacement: { pending: true, changes: [{ setting: 'ExecStart', loaded: '/bin/a', onDisk: '/bin/b' }] },
      }),
      colors(false),
      { messages: false, now },
    );
    assert.equal(
      text,
      [
        '● Status of crash:',
        '  It is stopped (failing).',
        '  Process terminated with signal SIGKILL.',
        '  It is disabled.',
        '  Provides: crash',
        '  Requires: sysinit.target',
        '  Custom actions: kill',
        '  Replacement pending (restart to upgrade).',
        '    ExecStart: /bin/a → /bin/b',
        '  Will not be respawned.',
        '  Failed to start at 03:14:30 (30 seconds ago).',
        '  Log file: /var/log/crash.log',
        '  Startup failures:',
        '    - 2026-11-22 03:14:30',
        '',
      ].join('\n'),
    );
  });
  it('colours only when asked: green/magenta/red ●, red failing', () => {
    const c = colors(true);
    assert.ok(renderServiceStatus(record({}), c, { messages: false, now }).startsWith('\x1b[32m●\x1b[39m \x1b[1mStatus of crash:\x1b[22m\n'));
    assert.ok(renderServiceStatus(record({ status: 'stopped', mainPid: null }), c, { messages: false, now }).startsWith('\x1b[35m●'));
    assert.ok(renderServiceStatus(record({ status: 'stopped', mainPid: null, enabled: false }), c, { messages: false, now }).startsWith('\x1b[31m●'));
    assert.doesNotMatch(renderServiceStatus(record({}), colors(false), { messages: true, now }), /\x1b/);
  });
  it('a static unit is not "disabled": herd\'s sentence with systemd\'s word', () => {
    assert.equal(enabledLine({ enabled: false, unitFileState: 'static' }), 'It is static.');
    assert.equal(enabledLine({ enabled: false, unitFileState: 'masked-runtime' }), 'It is masked.');
    assert.equal(enabledLine({ enabled: false, unitFileState: 'disabled' }), 'It is disabled.');
    assert.equal(enabledLine({ enabled: true, unitFileState: 'enabled-runtime' }), 'It is enabled.');
  });
  it('escapes what systemd and the service wrote', () => {
    const text = renderServiceStatus(record({ messages: [{ ...at(49), message: 'evil\x1b[2J' }] }), colors(false), { messages: true, now });
    assert.doesNotMatch(text, /\x1b/);
  });
  it('exit texts', () => {
    assert.equal(exitText({ code: 'exited', status: 0, signal: null }), 'Process exited with code 0.');
    assert.equal(exitText({ code: 'dumped', status: 11, signal: 'SIGSEGV' }), 'Process terminated with signal SIGSEGV (core dumped).');
  });
});

describe('overview, log and graph, rendered', () => {
  const e = (service: string, changedOnDisk = false) => ({ service, unit: `${service}.service`, changedOnDisk });
  it("the overview: herd's headings and bullets, empty sections left out", () => {
    const o = { started: [e('a'), e('b')], runningTimers: [], starting: [e('c')], stopped: [e('d')], stopping: [], oneShot: [e('o')], failed: [e('f')] };
    assert.equal(renderOverview(o, colors(false)), 'Started:\n + a\n + b\nStarting:\n ^ c\nStopped:\n - d\nOne-shot:\n * o\nFailed to start:\n ! f\n');
    const c = renderOverview({ ...o, started: [e('a', true)] }, colors(true));
    assert.ok(c.startsWith('\x1b[1mStarted:\x1b[22m\n + \x1b[1ma\x1b[22m\n'));
    assert.match(c, /\x1b\[31m\x1b\[1mFailed to start:/);
  });
  it('the event log', () => {
    const rec = (event: 'starting' | 'running' | 'done', s: number) => ({ time: '', usec: local(2026, 11, 22, 3, 14, s), service: 'alpha', unit: 'alpha.service', event, status: eventStatus(event) });
    assert.equal(
      renderLog([rec('starting', 1), rec('running', 2), rec('done', 3)], colors(false)),
      '22 Nov 2026 03:14:01\tservice alpha is being started\n22 Nov 2026 03:14:02\tservice alpha is running\n22 Nov 2026 03:14:03\tservice alpha is done (one-shot)\n',
    );
  });
  it('the graph quotes names the way dot reads them', () => {
    assert.equal(dotString('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(
      renderGraph([{ service: 'a', unit: 'a.service', status: 'running', shape: 'box', color: 'green' }], [{ from: 'a', to: 'b', kind: 'Requires' }]),
      'digraph "Service Graph" {\n  "a" [shape = box, color = green];\n  "a" -> "b";\n}\n',
    );
  });
});
