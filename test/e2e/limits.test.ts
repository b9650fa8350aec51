/**
 * Limits, in a system sandbox, next to systemctl 252 on the same units (needs root):
 * - verbs that fan out over many units stay under dbus-daemon's max_replies_per_connection
 *   (128 on the system bus): 300 units as uid 65534, where systemctl's status of them works;
 * - a unit name whose object path is longer than sd-bus allows fails at once, as systemctl;
 * - `show` writes each unit as it comes: what came before an error is out, as with systemctl,
 *   and 3,000 units do not pile up in memory.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { execInSandbox } from '../../src/sandbox/sandbox.js';
import { type BootedSandbox, bootSandbox } from '../helpers/sandbox.js';
import { BIN, ensureBuilt } from './helpers.js';

const NOBODY = 65534;
const UNITS = Array.from({ length: 300 }, (_, i) => `many@${i + 1}.service`);

let sb: BootedSandbox | undefined;

function asNobody(argv: string[]): ReturnType<typeof execInSandbox> {
  return execInSandbox(sb!.dir, argv, { uid: NOBODY });
}

describe('limits', { skip: process.geteuid?.() === 0 ? false : 'needs root' }, () => {
  before(async () => {
    ensureBuilt();
    sb = await bootSandbox('system', {
      units: { 'many@.service': '[Unit]\nDescription=Many %i\nConditionPathExists=/nonexistent\n[Service]\nExecStart=/bin/true\n' },
      timeoutMs: 60_000,
    });
  });
  after(async () => {
    await sb?.stop();
  });

  test('300 units as uid 65534: systemctl status of them works (the reference)', async () => {
    const r = await asNobody(['systemctl', 'status', '--no-pager', ...UNITS]);
    assert.equal(r.code, 3, r.stderr); // inactive units
    assert.equal(r.stdout.match(/^○ many@\d+\.service/gm)?.length, 300);
  });

  /** Each verb, and the line it prints once per unit (null: none to count). */
  const VERBS: [string[], RegExp | null][] = [
    [['herd', 'status'], /^● Status of many@\d+:$/gm],
    [['herd', 'detailed-status'], /^● Status of many@\d+:$/gm],
    [['herd', 'log'], null], // no history to show: what matters is that it does not fail
    [['status', '--no-pager'], /^○ many@\d+\.service/gm],
    [['show'], /^Id=many@\d+\.service$/gm],
    [['is-active'], /^inactive$/gm],
  ];
  for (const [verb, perUnit] of VERBS) {
    test(`300 units as uid 65534: sysherd ${verb.join(' ')} of them`, async () => {
      const r = await asNobody([process.execPath, BIN, ...verb, ...UNITS]);
      assert.doesNotMatch(r.stderr, /maximum number of pending replies/);
      assert.ok(r.code === 0 || r.code === 3, `exit ${r.code}: ${r.stderr}`);
      if (perUnit !== null) assert.equal(r.stdout.match(perUnit)?.length, 300, r.stdout.slice(0, 500));
    });
  }

  /** A unit name whose escaped object path is longer than BUS_PATH_SIZE_MAX (64 KiB). */
  const LONG = 'a'.repeat(70_000);

  for (const [verb, code] of [
    [['status'], 1],
    [['show'], 1],
    [['is-active'], 1],
    [['cat'], 1],
    [['list-dependencies'], 1],
    [['restart'], 1],
  ] as [string[], number][]) {
    test(`a 70,000-character unit name: ${verb.join(' ')} fails at once with systemctl's error`, async () => {
      const theirs = await execInSandbox(sb!.dir, ['systemctl', ...verb, LONG]);
      const t0 = Date.now();
      const ours = await execInSandbox(sb!.dir, [process.execPath, BIN, ...verb, LONG]);
      const ms = Date.now() - t0;
      assert.ok(ms < 10_000, `took ${ms} ms (it waited for a reply that never comes)`);
      assert.equal(ours.code, code);
      assert.equal(theirs.code, code);
      // systemctl's log line stops at 2,048 characters (LINE_MAX); ours is whole
      const first = (s: string): string => s.replace(/^sysherd: /, '').split('\n')[0]!;
      const [o, t] = [first(ours.stderr), first(theirs.stderr)];
      assert.ok(o === t || (t.length >= 2000 && o.startsWith(t)), `ours: ${o.replaceAll(LONG, 'NAME')}\ntheirs: ${t.replaceAll(LONG, 'NAME')}`);
      assert.match(o, /: Invalid argument$|is not valid\.$/);
      assert.doesNotMatch(ours.stderr, /no reply|busy/);
    });
  }

  test('show writes each unit as it comes: what came before an error is out, byte for byte as systemctl', async () => {
    const args = ['show', '-p', 'Id', '-p', 'LoadState', '-p', 'Description', UNITS[0]!, UNITS[1]!, LONG];
    const theirs = await execInSandbox(sb!.dir, ['systemctl', ...args]);
    const ours = await execInSandbox(sb!.dir, [process.execPath, BIN, ...args]);
    assert.match(theirs.stdout, /^Id=many@1\.service\n(.+\n){2}\nId=many@2\.service\n(.+\n){2}$/);
    assert.equal(ours.stdout, theirs.stdout);
    assert.equal(ours.code, theirs.code);
  });

  test('show of 3,000 units: the output is not held in memory', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => `many@${i + 1}.service`);
    const r = await execInSandbox(sb!.dir, ['/usr/bin/time', '-f', 'maxrss=%M', process.execPath, BIN, 'show', ...many]);
    assert.equal(r.code, 0, r.stderr.slice(-500));
    assert.equal(r.stdout.match(/^Id=many@\d+\.service$/gm)?.length, 3000);
    const kb = Number(/maxrss=(\d+)/.exec(r.stderr)?.[1]);
    // holding every reply: ~330 MB here; one unit at a time (32 fetched ahead): ~120 MB
    assert.ok(kb > 0 && kb < 200_000, `max RSS ${kb} kB`);
  });

  test('show --json of 3,000 units: records streamed too, one valid document; cut short by a bad name, still valid', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => `many@${i + 1}.service`);
    const r = await execInSandbox(sb!.dir, ['/usr/bin/time', '-f', 'maxrss=%M', process.execPath, BIN, 'show', '--json', '-p', 'Id', ...many]);
    assert.equal(r.code, 0, r.stderr.slice(-500));
    const records = JSON.parse(r.stdout) as { Id: string }[];
    assert.equal(records.length, 3000);
    assert.equal(records[2999]!.Id, 'many@3000.service');
    const kb = Number(/maxrss=(\d+)/.exec(r.stderr)?.[1]);
    assert.ok(kb > 0 && kb < 200_000, `max RSS ${kb} kB`);
    const cut = await execInSandbox(sb!.dir, [process.execPath, BIN, 'show', '--json', '-p', 'Id', UNITS[0]!, UNITS[1]!, LONG]);
    assert.notEqual(cut.code, 0);
    assert.deepEqual((JSON.parse(cut.stdout) as { Id: string }[]).map((x) => x.Id), ['many@1.service', 'many@2.service']);
  });
});
