/**
 * `sysherd status` against `systemctl status` (systemd 252) inside ONE system-mode sandbox: both
 * run in the sandbox's namespaces (same /proc, journal, hostname), piped (no terminal), in a
 * UTF-8 locale; stdout and exit codes are compared line by line. Values that move on their own
 * between the two runs are masked (relative times, CPU/Memory/Tasks figures). The one deliberate
 * difference: text from systemd is escaped for the terminal (systemctl prints an ESC in a
 * description raw), so systemctl's lines are compared after `escapeTerminal`. Needs root.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { escapeTerminal } from '../../src/output/escape.js';
import { execInSandbox } from '../../src/sandbox/sandbox.js';
import { type BootedSandbox, bootSandbox } from '../helpers/sandbox.js';
import { startSshHosts } from '../helpers/ssh-hosts.js';
import { BIN, ensureBuilt, shellQuote } from './helpers.js';

let sb: BootedSandbox;

const ENV = ['env', 'LANG=C.UTF-8', 'TZ=UTC'];

async function systemctl(...args: string[]) {
  return execInSandbox(sb.dir, [...ENV, 'systemctl', ...args]);
}
/** The built CLI (`SYSHERD_TEST_BUNDLE` may name another build of it, under the project root). */
const CLI = process.env.SYSHERD_TEST_BUNDLE ?? BIN;
async function sysherd(...args: string[]) {
  return execInSandbox(sb.dir, [...ENV, process.execPath, CLI, ...args]);
}

/** Mask what moves between two runs a moment apart. */
function mask(s: string): string {
  return s
    .replace(/; [^;\n]* (ago|left)$/gm, '; X $1')
    .replace(/^( +)(CPU|Memory|Tasks|IO|IP): .*$/gm, '$1$2: X');
}

/** Compare `status ARGS` of both, stdout line by line and the exit code. */
async function same(args: string[], opts: { code?: number } = {}): Promise<string> {
  // settle: nothing of the units below is still starting
  const theirs = await systemctl(...args);
  const ours = await sysherd(...args);
  const expected = mask(theirs.stdout.split('\n').map(escapeTerminal).join('\n'));
  const got = mask(ours.stdout);
  assert.deepEqual(got.split('\n'), expected.split('\n'), `stdout of status ${args.join(' ')}\n--- ours\n${ours.stdout}\n--- systemctl\n${theirs.stdout}\n--- our stderr\n${ours.stderr}`);
  assert.equal(ours.code, theirs.code, `exit code of status ${args.join(' ')}: ${ours.stderr}`);
  if (opts.code !== undefined) assert.equal(ours.code, opts.code);
  return ours.stdout;
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function journalHas(unit: string, text: string): Promise<boolean> {
  const r = await execInSandbox(sb.dir, ['journalctl', '--no-pager', '-o', 'cat', '-u', unit]);
  return r.stdout.includes(text);
}

before(async () => {
  ensureBuilt();
  sb = await bootSandbox('system', {
    units: {
      'run.service': [
        '[Unit]',
        'Description=A running service',
        'Documentation=man:run(8) https://example.com/run',
        '[Service]',
        'ExecStartPre=/bin/echo preparing',
        'ExecStart=/bin/sh -c "echo started; echo second line; exec sleep 1000"',
        '[Install]',
        'WantedBy=multi-user.target',
      ].join('\n'),
      'run.service.d/10-env.conf': '[Service]\nEnvironment=A=1\n',
      'run.service.d/20-desc.conf': '[Unit]\nDescription=A running service, dropped in\n',
      'once.service': '[Unit]\nDescription=Runs once\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/echo done once\n',
      'fail.service': '[Unit]\nDescription=Fails with 3\n[Service]\nExecStart=/bin/sh -c "echo about to fail; exit 3"\n',
      'idle.service': '[Unit]\nDescription=Never started\n[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n',
      'tpl@.service': '[Unit]\nDescription=Template for %i\n[Service]\nExecStart=/bin/sleep 1000\n',
      'sock.socket': '[Unit]\nDescription=A socket\n[Socket]\nListenStream=/run/sock-test.sock\n[Install]\nWantedBy=sockets.target\n',
      'sock.service': '[Unit]\nDescription=Socket-activated\n[Service]\nExecStart=/bin/sleep 1000\n',
      'tick.timer': '[Unit]\nDescription=A timer\n[Timer]\nOnActiveSec=1h\n',
      'tick.service': '[Unit]\nDescription=Timer-activated\n[Service]\nType=oneshot\nExecStart=/bin/true\n',
      'long.service': `[Unit]\nDescription=Long\n[Service]\nExecStart=/bin/sh -c "sleep 0.5; echo ${'word '.repeat(40)}; echo short; sleep 1000; echo ${'arg '.repeat(30)}"\n`,
      'cond.service': '[Unit]\nDescription=Condition not met\nConditionPathExists=/nonexistent\n[Service]\nExecStart=/bin/true\n',
      'notify.service': [
        '[Unit]',
        'Description=Says how it is',
        '[Service]',
        'Type=notify',
        'NotifyAccess=all',
        'TasksMax=77',
        'ExecStart=/bin/sh -c "systemd-notify --ready --status=\\"Working hard\\"; exec sleep 1000"',
      ].join('\n'),
      'hostile.service': [
        '[Unit]',
        'Description=Evil \x1b]0;owned\x07 \x1b[2J title',
        '[Service]',
        // logs a moment after it started (a process that exits at once may have its stdout
        // lines stamped before the unit's start, and systemctl then leaves them out)
        "ExecStart=/bin/sh -c \"sleep 0.5; printf 'log \\\\033[31mred\\\\033[0m line\\\\n'; printf 'clear \\\\033[2J screen\\\\n'; exec sleep 1000\"",
      ].join('\n'),
    },
    setup: (unitDir) => {
      fs.symlinkSync('/dev/null', path.join(unitDir, 'masked.service'));
    },
  });
  const start = await systemctl('start', 'long.service', 'run.service', 'once.service', 'tpl@one.service', 'sock.socket', 'tick.timer', 'cond.service', 'notify.service', 'hostile.service');
  assert.equal(start.code, 0, start.stderr);
  await systemctl('start', 'fail.service');
  await waitFor('fail.service failed', async () => (await systemctl('is-failed', 'fail.service')).stdout.trim() === 'failed');
  await waitFor('run.service logs', () => journalHas('run.service', 'second line'));
  await waitFor('long.service logs', () => journalHas('long.service', 'short'));
  await waitFor('hostile.service logs', () => journalHas('hostile.service', 'screen'));
  await waitFor('fail.service result logged', () => journalHas('fail.service', "Failed with result 'exit-code'"));
});

after(() => sb?.stop());

describe('status reads as systemctl status (system sandbox, piped)', () => {
  test('a running service with drop-ins, docs, ExecStartPre, a cgroup tree', async () => {
    const out = await same(['status', 'run.service'], { code: 0 });
    assert.match(out, /Drop-In: \/etc\/systemd\/system\/run\.service\.d\n {13}└─10-env\.conf, 20-desc\.conf/);
    assert.match(out, /Process: \d+ ExecStartPre=\/bin\/echo preparing \(code=exited, status=0\/SUCCESS\)/);
    assert.match(out, /CGroup: \/system\.slice\/run\.service\n {13}└─\d+ sleep 1000/);
  });

  test('an exited oneshot, a failed service (exit 3), an inactive one', async () => {
    await same(['status', 'once.service'], { code: 0 });
    const out = await same(['status', 'fail.service'], { code: 3 });
    assert.match(out, /Active: failed \(Result: exit-code\)/);
    assert.match(out, /Main PID: \d+ \(code=exited, status=3\)/);
    await same(['status', 'idle.service'], { code: 3 });
  });

  test('masked, not found (exit 4, systemctl\'s message), a template instance', async () => {
    await same(['status', 'masked.service'], { code: 3 });
    await same(['status', 'nope.service'], { code: 4 });
    const nf = await sysherd('status', 'nope.service');
    assert.equal(nf.stderr, 'Unit nope.service could not be found.\n');
    await same(['status', 'tpl@one.service'], { code: 0 });
    await same(['status', 'tpl@*'], { code: 0 });
    // a template without instance: systemctl stops there (exit 1) with its one line
    await same(['status', 'tpl@.service', 'run.service'], { code: 1 });
    const bad = await sysherd('status', 'tpl@.service', 'run.service');
    assert.equal(bad.stderr, (await systemctl('status', 'tpl@.service', 'run.service')).stderr);
  });

  test('socket- and timer-activated units: Listen, TriggeredBy, Triggers, Trigger', async () => {
    await same(['status', 'sock.socket'], { code: 0 });
    const out = await same(['status', 'sock.service'], { code: 3 });
    assert.match(out, /TriggeredBy: ● sock\.socket/);
    await same(['status', 'tick.timer'], { code: 0 });
    await same(['status', 'tick.service'], { code: 3 });
  });

  test('condition failed; Status text and Tasks limit', async () => {
    await same(['status', 'cond.service'], { code: 3 });
    const out = await same(['status', 'notify.service'], { code: 0 });
    assert.match(out, /Status: "Working hard"/);
  });

  test('several units: a blank line between, the first non-zero code', async () => {
    await same(['status', 'run.service', 'fail.service', 'once.service'], { code: 3 });
    await same(['status', 'once.service', 'nope.service', 'run.service'], { code: 4 });
  });

  test('a PID finds its unit; PID 1; an unknown PID (exit 1)', async () => {
    const show = await systemctl('show', '-P', 'MainPID', 'run.service');
    await same(['status', show.stdout.trim()], { code: 0 });
    await same(['status', '1'], { code: 0 });
    const r = await same(['status', '999999'], { code: 1 });
    assert.equal(r, '');
  });

  test('journal lines: -n, and the -o modes short-iso, short-precise, short-iso-precise, short-full, short-unix, short-monotonic, with-unit, cat', async () => {
    await same(['status', '-n', '2', 'run.service']);
    await same(['status', '-n', '0', 'run.service']);
    for (const mode of ['short-iso', 'short-precise', 'short-iso-precise', 'short-full', 'short-unix', 'short-monotonic', 'with-unit', 'cat']) {
      await same(['status', '-o', mode, 'run.service', 'fail.service']);
    }
  });

  test('-o json / json-pretty: the same records (systemd orders keys by hash); -o verbose: the same headers and fields', async () => {
    const journalPart = (s: string): string => s.slice(s.indexOf('\n\n') + 2);
    const theirs = await systemctl('status', '-o', 'json', 'once.service');
    const ours = await sysherd('status', '-o', 'json', 'once.service');
    assert.equal(ours.code, theirs.code);
    const parse = (s: string): unknown[] => journalPart(s).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown);
    assert.deepEqual(parse(ours.stdout), parse(theirs.stdout));
    assert.ok(parse(ours.stdout).length >= 2);
    const tp = await systemctl('status', '-o', 'json-pretty', '-n', '2', 'once.service');
    const op = await sysherd('status', '-o', 'json-pretty', '-n', '2', 'once.service');
    const sorted = (s: string): string[] => journalPart(s).split('\n').map((l) => l.replace(/,$/, '')).sort();
    assert.deepEqual(sorted(op.stdout), sorted(tp.stdout));
    const tv = await systemctl('status', '-o', 'verbose', '-n', '3', 'once.service');
    const ov = await sysherd('status', '-o', 'verbose', '-n', '3', 'once.service');
    const headers = (s: string): string[] => journalPart(s).split('\n').filter((l) => l !== '' && !l.startsWith('    '));
    assert.deepEqual(headers(ov.stdout), headers(tv.stdout));
    assert.deepEqual(sorted(ov.stdout), sorted(tv.stdout));
  });

  test('a hostile description and log line: escaped, nothing raw reaches the terminal', async () => {
    // stdout lines reach the journal asynchronously: wait until systemctl's selection has them
    await waitFor('hostile.service lines in systemctl status', async () => (await systemctl('status', 'hostile.service')).stdout.includes('log red line'));
    const out = await same(['status', 'hostile.service'], { code: 0 });
    assert.ok(!out.includes('\x1b'), 'no raw ESC on stdout');
    assert.match(out, /Evil \\x1b\]0;owned\\x07 \\x1b\[2J title/);
    assert.match(out, /log red line/, 'colour sequences stripped as systemd does');
    assert.match(out, /\[\d+B blob data\]/, 'other control sequences: blob data, as systemd');
    const cat = await sysherd('status', '-o', 'cat', 'hostile.service');
    assert.ok(!cat.stdout.includes('\x1b'), '-o cat is escaped too');
    assert.match(cat.stdout, /clear \\x1b\[2J screen/);
  });

  test('as an unprivileged user (no journal access): the same stdout; "journal not available" on stderr', async () => {
    const args = ['status', 'once.service'];
    const theirs = await execInSandbox(sb.dir, [...ENV, 'systemctl', ...args], { uid: 65534 });
    const ours = await execInSandbox(sb.dir, [...ENV, process.execPath, CLI, ...args], { uid: 65534 });
    assert.equal(mask(ours.stdout), mask(theirs.stdout));
    assert.equal(ours.code, theirs.code);
    assert.match(ours.stderr, /^journal not available: .*permission.*\n$/i);
  });

  test('no unit: the manager overview', async () => {
    await same(['status'], { code: 0 });
  });

  test('on a terminal without a pager: lines cut to the width as systemctl cuts them, then its -l hint', async () => {
    await waitFor('long.service lines in systemctl status', async () => (await systemctl('status', 'long.service')).stdout.includes('short'));
    for (const cols of [60, 100]) {
      const inPty = (cmd: string[]) =>
        execInSandbox(sb.dir, [...ENV, 'TERM=xterm', 'SYSTEMD_COLORS=0', 'script', '-qec', `stty cols ${cols} rows 50 && exec ${cmd.map(shellQuote).join(' ')}`, '/dev/null']);
      const theirs = await inPty(['systemctl', '--no-pager', 'status', 'long.service']);
      const ours = await inPty([process.execPath, CLI, '--no-pager', 'status', 'long.service']);
      const clean = (s: string) => mask(s.replace(/\r/g, ''));
      assert.deepEqual(clean(ours.stdout).split('\n'), clean(theirs.stdout).split('\n'), `at ${cols} columns:\n${ours.stdout}`);
      assert.match(ours.stdout, /…/);
      assert.match(ours.stdout, /Hint: Some lines were ellipsized, use -l to show in full\./);
    }
  });

  test('on a terminal with colours (SYSTEMD_COLORS=1): the same colour codes and hyperlinks as systemctl', async () => {
    const inPty = (cmd: string[]) =>
      execInSandbox(sb.dir, [...ENV, 'TERM=xterm', 'SYSTEMD_COLORS=1', 'script', '-qec', `stty cols 100 rows 50 && exec ${cmd.map(shellQuote).join(' ')}`, '/dev/null']);
    const units = ['run.service', 'fail.service', 'sock.socket', 'sock.service', 'cond.service', 'once.service', 'idle.service', 'tick.timer', 'long.service'];
    const theirs = await inPty(['systemctl', '--no-pager', 'status', ...units]);
    const ours = await inPty([process.execPath, CLI, '--no-pager', 'status', ...units]);
    const clean = (s: string) => mask(s.replace(/\r/g, ''));
    assert.deepEqual(clean(ours.stdout).split('\n'), clean(theirs.stdout).split('\n'), ours.stdout);
    assert.match(ours.stdout, /\x1b\[0;1;32m●\x1b\[0m run\.service/);
    assert.match(ours.stdout, /\x1b\]8;;file:\/\/[^\x07]+\/etc\/systemd\/system\/run\.service\x07/);
  });

  test('the pager: on a terminal status goes through it (systemd\'s rules); piped, never', async () => {
    const pager = ['SYSTEMD_PAGERSECURE=0', 'SYSTEMD_PAGER=tee /run/paged.txt'];
    await execInSandbox(sb.dir, ['rm', '-f', '/run/paged.txt']);
    const tty = await execInSandbox(sb.dir, [...ENV, ...pager, 'TERM=xterm', 'SYSTEMD_COLORS=0', 'script', '-qec', `stty cols 80 rows 50 && exec ${shellQuote(process.execPath)} ${shellQuote(CLI)} status once.service`, '/dev/null']);
    assert.equal(tty.code, 0, tty.stderr);
    const paged = await execInSandbox(sb.dir, ['cat', '/run/paged.txt']);
    assert.equal(paged.code, 0, 'the pager ran');
    assert.match(paged.stdout, /^● once\.service - Runs once\n/);
    await execInSandbox(sb.dir, ['rm', '-f', '/run/paged.txt']);
    const piped = await execInSandbox(sb.dir, [...ENV, ...pager, process.execPath, CLI, 'status', 'once.service']);
    assert.match(piped.stdout, /^● once\.service/);
    assert.notEqual((await execInSandbox(sb.dir, ['test', '-e', '/run/paged.txt'])).code, 0, 'piped: no pager');
    await execInSandbox(sb.dir, ['rm', '-f', '/run/paged.txt']);
    const noPager = await execInSandbox(sb.dir, [...ENV, ...pager, 'TERM=xterm', 'script', '-qec', `exec ${shellQuote(process.execPath)} ${shellQuote(CLI)} --no-pager status once.service`, '/dev/null']);
    assert.match(noPager.stdout, /once\.service/);
    assert.notEqual((await execInSandbox(sb.dir, ['test', '-e', '/run/paged.txt'])).code, 0, '--no-pager: no pager');
  });

  test('-H HOST (over ssh): the unit part as systemctl -H, no comm after the Main PID; the journal lines as the host shows them', async () => {
    const hosts = await startSshHosts({ sb: sb.pid1! });
    try {
      const run = (file: string, args: string[]) =>
        new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
          execFile(file, args, { env: { ...hosts.env, LANG: 'C.UTF-8', TZ: 'UTC' }, timeout: 60_000 }, (err, stdout, stderr) => {
            if (err && typeof err.code !== 'number') reject(err);
            else resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
          });
        });
      // the comm of a PID is read from /proc: systemctl -H leaves it out, and so does sysherd -H
      const noComm = (s: string): string => s.replace(/^(   Main PID: \d+) \((?!code=)[^)]*\)$/m, '$1');
      for (const unit of ['run.service', 'fail.service', 'sock.socket']) {
        // without journal lines, byte for byte systemctl -H's
        const theirs = await run('systemctl', ['-H', 'sb', 'status', unit]);
        const bare = await run(process.execPath, [CLI, '-H', 'sb', 'status', '-n', '0', unit]);
        assert.deepEqual(mask(bare.stdout).split('\n'), mask(theirs.stdout).split('\n'), `${unit}: ${bare.stderr}`);
        assert.equal(bare.code, theirs.code);
        assert.match(theirs.stdout, /Active: /, theirs.stderr);
        assert.ok(!theirs.stdout.includes('\n\n'), 'systemctl -H shows no journal part');
        // with them (a deliberate difference: journalctl runs on the host over ssh), as systemctl status on the host
        const ours = await run(process.execPath, [CLI, '-H', 'sb', 'status', unit]);
        const onHost = await systemctl('status', unit);
        assert.deepEqual(mask(ours.stdout).split('\n'), mask(noComm(onHost.stdout)).split('\n'), `${unit}: ${ours.stderr}`);
        assert.equal(ours.code, onHost.code);
        assert.ok(ours.stdout.includes('\n\n'), 'a journal part');
      }
    } finally {
      await hosts.stop();
    }
  });

  test('--all, --state, --type: every matching unit (with -a, fields in full); the journal-rotation notice', async () => {
    await same(['status', '--state=failed'], { code: 3 });
    // sockets started before journald: "Notice: journal has been rotated since unit was started …"
    const sockets = await same(['status', '--type=socket']);
    assert.match(sockets, /^Notice: journal has been rotated since unit was started, output may be incomplete\.$/m);
    await same(['status', '-q', '--type=socket']);
    // every unit's sections (journald's own lines move while tests run: no journal here)
    await same(['status', '--all', '-n', '0']);
  });
});
