import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clock, formatEvent, globMatch, passes, unitNameFromPath } from '../../../src/cli/run/watch.ts';
import { unitObjectPath } from '../../../src/core/names.ts';

describe('watch helpers', () => {
  it('a unit name from its object path (inverse of unitObjectPath)', () => {
    for (const u of ['a.service', 'dev-vda.device', 'getty@tty1.service', '-.mount', 'systemd-fsck@dev-disk-by\\x2duuid.service']) {
      assert.equal(unitNameFromPath(unitObjectPath(u)), u);
    }
    assert.equal(unitNameFromPath('/org/freedesktop/systemd1'), undefined);
  });
  it('patterns as fnmatch, --type by suffix; events without a unit always pass', () => {
    assert.ok(globMatch('nginx*', 'nginx.service'));
    assert.ok(globMatch('*.sock[e]t', 'dbus.socket'));
    assert.ok(globMatch('a?.service', 'ab.service'));
    assert.ok(!globMatch('a?.service', 'a.service'));
    assert.ok(globMatch('x[!a].service', 'xb.service'));
    assert.ok(!globMatch('x.service', 'xxservice'));
    assert.ok(passes('a.service', { patterns: [], types: ['service'] }));
    assert.ok(!passes('a.socket', { patterns: [], types: ['service'] }));
    assert.ok(!passes('b.service', { patterns: ['a*'], types: [] }));
    assert.ok(passes(undefined, { patterns: ['a*'], types: ['service'] }));
  });
  it('one line per event: time, host, unit, what happened; escaped; coloured only when asked', () => {
    const at = new Date(2026, 0, 2, 3, 4, 5, 6);
    assert.equal(clock(at), '03:04:05.006');
    const plain = { color: false };
    assert.equal(formatEvent({ host: 'web1', event: 'PropertiesChanged', unit: 'a.service', active: 'failed', sub: 'failed' }, plain, at), '03:04:05.006 web1 a.service: failed (failed)');
    assert.equal(formatEvent({ host: null, event: 'JobRemoved', unit: 'a.service', job: 7, result: 'done' }, plain, at), '03:04:05.006 a.service: job 7 done');
    assert.equal(formatEvent({ host: null, event: 'Reloading', active: true }, plain, at), '03:04:05.006 reloading the manager');
    assert.equal(formatEvent({ host: null, event: 'UnitNew', unit: 'evil\x1b[2J.service' }, plain, at), '03:04:05.006 evil\\x1b[2J.service: loaded');
    assert.match(formatEvent({ host: null, event: 'PropertiesChanged', unit: 'a.service', active: 'failed', sub: 'failed' }, { color: true }, at), /\x1b\[31m/);
  });
});
