import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';

import { type JournalProcess, JournalUnavailableError, journalArgs, readJournal, streamJournal, toEntry, userUnitMatchTerms } from '../../../src/core/journal.ts';

/** A runner that plays back stdout lines and an exit code, recording the argv. */
function fake(out: string[], code = 0, stderr = ''): { runner: (argv: string[]) => JournalProcess; argv: string[][]; killed: () => boolean } {
  const argv: string[][] = [];
  let killed = false;
  return {
    argv,
    killed: () => killed,
    runner: (a) => {
      argv.push(a);
      const stdout = new PassThrough();
      const err = new PassThrough();
      let done!: (v: { code: number | null; signal: string | null }) => void;
      const exit = new Promise<{ code: number | null; signal: string | null }>((r) => (done = r));
      setImmediate(() => {
        for (const l of out) stdout.write(`${l}\n`);
        stdout.end();
        err.end(stderr);
        done({ code, signal: null });
      });
      return { stdout, stderr: err, exit, kill: () => (killed = true) };
    },
  };
}

describe('journalArgs', () => {
  it('a unit: systemctl\'s four terms ORed, -b, -n; options ended before the matches', () => {
    assert.deepEqual(journalArgs({ units: ['a.service'], boot: true, lines: 10 }), [
      '--output=json', '--no-pager', '--all', '--boot', '--lines=10', '--',
      '_SYSTEMD_UNIT=a.service', '+',
      'MESSAGE_ID=fc2e22bc6ee647b6b90729ab34a250b1', '_UID=0', 'COREDUMP_UNIT=a.service', '+',
      '_PID=1', 'UNIT=a.service', '+',
      '_UID=0', 'OBJECT_SYSTEMD_UNIT=a.service',
    ]);
  });

  it('follow, reverse, after-cursor, directory, namespace', () => {
    assert.deepEqual(journalArgs({ follow: true, reverse: true, afterCursor: 's=1;i=2', directory: '/d', namespace: 'ns' }), [
      '--output=json', '--no-pager', '--all', '--follow', '--reverse', '--after-cursor=s=1;i=2', '--directory=/d', '--namespace=ns',
    ]);
  });

  it('a slice also matches _SYSTEMD_SLICE; user units carry the uid', () => {
    assert.ok(journalArgs({ units: ['x.slice'] }).includes('_SYSTEMD_SLICE=x.slice'));
    assert.deepEqual(userUnitMatchTerms('u.service', 1000)[0], ['_SYSTEMD_USER_UNIT=u.service', '_UID=1000']);
    assert.ok(journalArgs({ userUnits: ['u.service'], uid: 42 }).includes('USER_UNIT=u.service'));
  });

  it('message ids and matches are ANDed into every term; bad ones refused', () => {
    const a = journalArgs({ units: ['a.service'], messageIds: ['39F53479D3A045AC8E11786248231FBF'], since: '-1h', until: 'now' });
    assert.ok(a.includes('--since=-1h') && a.includes('--until=now'));
    assert.equal(a.filter((x) => x === 'MESSAGE_ID=39f53479d3a045ac8e11786248231fbf').length, 4);
    assert.throws(() => journalArgs({ messageIds: ['nope'] }), RangeError);
    assert.throws(() => journalArgs({ matches: ['--output=x'] }), RangeError);
    assert.deepEqual(journalArgs({ matches: ['_PID=1'] }).slice(-2), ['--', '_PID=1']);
  });
});

describe('streamJournal with an injected runner', () => {
  it('types the records, byte-array messages included; notBefore filters', async () => {
    const f = fake([
      JSON.stringify({ __REALTIME_TIMESTAMP: '10', __MONOTONIC_TIMESTAMP: '5', MESSAGE: 'old' }),
      JSON.stringify({ __REALTIME_TIMESTAMP: '20', __MONOTONIC_TIMESTAMP: '50', MESSAGE: [104, 105, 27], _PID: '7', PRIORITY: '3', EXIT_STATUS: '2' }),
    ]);
    const got = await readJournal({ units: ['a.service'], notBefore: 10 }, { runner: f.runner, prefix: ['ssh', 'h', '--'] });
    assert.deepEqual(f.argv[0]!.slice(0, 4), ['ssh', 'h', '--', 'journalctl']);
    assert.equal(got.length, 1);
    const e = got[0]!;
    assert.equal(e.message, 'hi\x1b');
    assert.deepEqual(e.messageBytes, Buffer.from([104, 105, 27]));
    assert.equal(e.pid, 7);
    assert.equal(e.priority, 3);
    assert.equal(e.exitStatus, 2);
    assert.equal(e.realtime, 20);
  });

  it('a failing journalctl is one JournalUnavailableError line; warnings go to onWarning', async () => {
    const bad = fake([], 1, 'No journal files were opened due to insufficient permissions.\n');
    await assert.rejects(readJournal({}, { runner: bad.runner }), (e: unknown) => {
      assert.ok(e instanceof JournalUnavailableError);
      assert.equal(e.message, 'journal not available: No journal files were opened due to insufficient permissions.');
      return true;
    });
    const warned: string[] = [];
    const ok = fake([], 0, 'Hint: You are currently not seeing messages from other users.\n');
    await readJournal({}, { runner: ok.runner, onWarning: (l) => warned.push(l) });
    assert.deepEqual(warned, ['Hint: You are currently not seeing messages from other users.']);
    await assert.rejects(readJournal({}, { runner: fake(['not json']).runner }), JournalUnavailableError);
  });

  it('breaking out early kills journalctl', async () => {
    const f = fake([JSON.stringify({ MESSAGE: 'a' }), JSON.stringify({ MESSAGE: 'b' })]);
    for await (const e of streamJournal({}, { runner: f.runner })) {
      assert.equal(e.message, 'a');
      break;
    }
    assert.equal(f.killed(), true);
  });

  it('toEntry: several values of a field stay an array', () => {
    const e = toEntry({ MESSAGE: 'm', TAG: ['a', [98]] });
    assert.deepEqual(e.fields.TAG, ['a', Buffer.from('b')]);
  });
});
