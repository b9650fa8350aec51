/**
 * The journal module against the REAL journal of a system-mode sandbox: journalctl runs inside the
 * sandbox's namespaces (the runner prefix is `nsenter …`, as a remote host's would be `ssh host`),
 * and what we select and parse is compared with journalctl's own `-u` selection. Needs root.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  JournalUnavailableError,
  readJournal,
  streamJournal,
  unitMatchTerms,
} from '../../../src/core/journal.js';
import { execArgv, execInSandbox, readSandbox } from '../../../src/sandbox/sandbox.js';
import { type BootedSandbox, bootSandbox } from '../../helpers/sandbox.js';

let sb: BootedSandbox;
let prefix: string[];

async function inside(argv: string[]): Promise<string> {
  const r = await execInSandbox(sb.dir, argv);
  assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Wait (generously) until journalctl -u UNIT shows a record whose MESSAGE contains `text`. */
async function waitForMessage(unit: string, text: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const out = await inside(['journalctl', '--no-pager', '-o', 'cat', '-u', unit]);
    if (out.includes(text)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`${unit} never logged ${JSON.stringify(text)}`);
}

before(async () => {
  sb = await bootSandbox('system', {
    units: {
      'talk.service': [
        '[Unit]',
        'Description=Talks',
        '[Service]',
        'Type=oneshot',
        'RemainAfterExit=yes',
        // a line of text, a line with an escape sequence (a byte array in JSON), a multi-line one
        'ExecStart=/bin/sh -c "echo first line; printf \'esc \\\\033[2J here\\\\n\'; echo last line"',
      ].join('\n'),
      'fail.service': '[Unit]\nDescription=Fails\n[Service]\nExecStart=/bin/sh -c "echo failing; exit 3"\n',
    },
  });
  const cmd = execArgv(readSandbox(sb.dir), ['true']);
  prefix = [cmd.file, ...cmd.args.slice(0, -1)];
  await inside(['systemctl', 'start', 'talk.service']);
  await execInSandbox(sb.dir, ['systemctl', 'start', 'fail.service']);
  await waitForMessage('talk.service', 'last line');
  // PID 1's own line about the unit comes after the service's output: until it is there, the
  // selection can still grow between our read and journalctl's (a failure seen under CI load)
  await waitForMessage('talk.service', 'Finished talk.service');
  await waitForMessage('fail.service', "Failed with result 'exit-code'");
});

after(() => sb?.stop());

describe('journal (real journald in a system sandbox)', () => {
  test('selects what journalctl -u selects, oldest first, typed', async () => {
    let records: { __CURSOR: string; _COMM?: string }[] = [];
    const cursors = async () => {
      records = (await inside(['journalctl', '--no-pager', '-o', 'json', '-b', '-u', 'talk.service']))
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { __CURSOR: string; _COMM?: string });
      return records.map((r) => r.__CURSOR);
    };
    // journalctl's selection read before and after ours: equal both times means nothing was
    // appended in between (else read again: the sandbox's journal is live)
    let ours = await readJournal({ units: ['talk.service'], boot: true }, { prefix });
    let theirs = await cursors();
    for (let i = 0; i < 5; i++) {
      const before = theirs;
      ours = await readJournal({ units: ['talk.service'], boot: true }, { prefix });
      theirs = await cursors();
      if (JSON.stringify(before) === JSON.stringify(theirs)) break;
    }
    assert.deepEqual(
      ours.map((e) => e.cursor),
      theirs,
    );
    const texts = ours.map((e) => e.message);
    assert.ok(texts.includes('first line'));
    assert.ok(texts.includes('last line'));
    const esc = ours.find((e) => e.message?.startsWith('esc '));
    assert.ok(esc, 'the escape-sequence line is there');
    assert.equal(esc.message, 'esc \x1b[2J here');
    assert.ok(Buffer.isBuffer(esc.fields.MESSAGE), 'a byte-array MESSAGE stays bytes in fields');
    assert.deepEqual(esc.messageBytes, Buffer.from('esc \x1b[2J here'));
    const first = ours.find((e) => e.message === 'first line')!;
    assert.equal(first.systemdUnit, 'talk.service');
    assert.equal(first.identifier, 'sh');
    // journald reads _COMM from /proc as the line arrives: a process that exited first (under
    // load) leaves it out; ours is what journalctl shows for the same entry
    assert.equal(first.comm, records.find((r) => r.__CURSOR === first.cursor)?._COMM ?? null);
    assert.equal(typeof first.pid, 'number');
    assert.equal(first.priority, 6);
    assert.equal(first.transport, 'stdout');
    assert.ok(first.realtime > 1_600_000_000_000_000, 'realtime in µs');
    assert.ok(first.monotonic > 0);
    assert.match(first.bootId, /^[0-9a-f]{32}$/);
    assert.equal(typeof first.hostname, 'string');
    // PID 1 about the unit: UNIT=, MESSAGE_ID
    const done = ours.find((e) => e.pid === 1 && e.unit === 'talk.service' && e.messageId !== null);
    assert.ok(done, 'PID 1 messages about the unit are selected');
  });

  test('lines: the last N; EXIT_CODE/EXIT_STATUS typed', async () => {
    const all = await readJournal({ units: ['fail.service'] }, { prefix });
    const last2 = await readJournal({ units: ['fail.service'], lines: 2 }, { prefix });
    assert.deepEqual(
      last2.map((e) => e.cursor),
      all.slice(-2).map((e) => e.cursor),
    );
    const exited = all.find((e) => e.exitCode !== null);
    assert.ok(exited, 'the "main process exited" record');
    assert.equal(exited.exitCode, 'exited');
    assert.equal(exited.exitStatus, 3);
  });

  test('message ids and extra matches narrow every unit term', async () => {
    // 39f53479… is the "job done" message id
    const jobDone = await readJournal({ units: ['talk.service', 'fail.service'], messageIds: ['39f53479d3a045ac8e11786248231fbf'] }, { prefix });
    assert.ok(jobDone.length >= 2);
    for (const e of jobDone) assert.equal(e.messageId, '39f53479d3a045ac8e11786248231fbf');
    assert.deepEqual(new Set(jobDone.map((e) => e.unit)), new Set(['talk.service', 'fail.service']));
    const stdout = await readJournal({ units: ['talk.service'], matches: ['_TRANSPORT=stdout'] }, { prefix });
    assert.deepEqual(
      stdout.map((e) => e.message),
      ['first line', 'esc \x1b[2J here', 'last line'],
    );
  });

  test('notBefore skips older records (systemctl status: since the unit last left inactive)', async () => {
    const all = await readJournal({ units: ['talk.service'] }, { prefix });
    const cut = all[Math.floor(all.length / 2)]!.monotonic;
    const newer = await readJournal({ units: ['talk.service'], notBefore: cut }, { prefix });
    assert.deepEqual(
      newer.map((e) => e.cursor),
      all.filter((e) => e.monotonic >= cut).map((e) => e.cursor),
    );
  });

  test('streams: breaking out early ends journalctl', async () => {
    let n = 0;
    for await (const e of streamJournal({}, { prefix })) {
      assert.equal(typeof e.realtime, 'number');
      if (++n === 3) break;
    }
    assert.equal(n, 3);
  });

  test('follow: a record logged after the read began arrives; breaking out ends journalctl', async () => {
    const marker = `followed-${process.pid}-${Date.now()}`;
    const stream = streamJournal({ matches: ['SYSLOG_IDENTIFIER=follow-test'], follow: true, lines: 0 }, { prefix });
    const first = stream.next();
    // journalctl needs a moment to start following; log until the record shows up
    let got: string | null = null;
    const logger = setInterval(() => {
      void execInSandbox(sb.dir, ['systemd-cat', '-t', 'follow-test', 'echo', marker]);
    }, 300);
    try {
      const r = await Promise.race([first, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no record followed in 30 s')), 30_000))]);
      got = r.done ? null : r.value.message;
    } finally {
      clearInterval(logger);
      await stream.return(undefined);
    }
    assert.equal(got, marker);
  });

  test('journal not available: one typed error, never a crash', async () => {
    await assert.rejects(readJournal({ units: ['x.service'] }, { journalctl: '/nonexistent/journalctl' }), (e: unknown) => {
      assert.ok(e instanceof JournalUnavailableError);
      assert.equal(e.message, 'journal not available: /nonexistent/journalctl not found');
      return true;
    });
    await assert.rejects(readJournal({ directory: '/nonexistent' }, { prefix }), (e: unknown) => {
      assert.ok(e instanceof JournalUnavailableError);
      assert.match(e.message, /^journal not available: .*\/nonexistent/);
      assert.ok(!e.message.includes('\n'));
      return true;
    });
    // nobody (uid 65534, not in adm/systemd-journal): no permission
    const nobody = [...prefix, 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
    await assert.rejects(readJournal({ units: ['talk.service'] }, { prefix: nobody }), (e: unknown) => {
      assert.ok(e instanceof JournalUnavailableError);
      assert.match(e.message, /^journal not available: .*permission/i);
      return true;
    });
  });

  test('the match terms are systemctl\'s', () => {
    assert.deepEqual(unitMatchTerms('a.service'), [
      ['_SYSTEMD_UNIT=a.service'],
      ['MESSAGE_ID=fc2e22bc6ee647b6b90729ab34a250b1', '_UID=0', 'COREDUMP_UNIT=a.service'],
      ['_PID=1', 'UNIT=a.service'],
      ['_UID=0', 'OBJECT_SYSTEMD_UNIT=a.service'],
    ]);
  });
});
