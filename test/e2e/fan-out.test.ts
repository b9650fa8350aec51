/**
 * Verbs that fan out over many units stay under dbus-daemon's max_replies_per_connection (128
 * on the system bus): 300 units as uid 65534 on the system bus of a system sandbox, where
 * systemctl's status of the same units works. Needs root.
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

describe('300 units as uid 65534 on the system bus', { skip: process.geteuid?.() === 0 ? false : 'needs root' }, () => {
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

  test('systemctl status of them works (the reference)', async () => {
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
    test(`sysherd ${verb.join(' ')} of them`, async () => {
      const r = await asNobody([process.execPath, BIN, ...verb, ...UNITS]);
      assert.doesNotMatch(r.stderr, /maximum number of pending replies/);
      assert.ok(r.code === 0 || r.code === 3, `exit ${r.code}: ${r.stderr}`);
      if (perUnit !== null) assert.equal(r.stdout.match(perUnit)?.length, 300, r.stdout.slice(0, 500));
    });
  }
});
