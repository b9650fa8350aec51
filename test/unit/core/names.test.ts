import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapePath, escapeString, isValidUnitName, mangleUnitName, unitObjectPath } from '../../../src/core/names.ts';
import { InvalidArgumentError } from '../../../src/core/errors.ts';

describe('unit names', () => {
  it('validates as systemd does', () => {
    for (const ok of ['nginx.service', 'getty@tty1.service', 'getty@.service', '-.mount', 'dev-sda1.device', 'a\\x20b.service', 'x.target']) {
      assert.equal(isValidUnitName(ok), true, ok);
    }
    for (const bad of ['', 'nginx', 'nginx.bogus', '.service', '@x.service', 'a@b@c.service', 'foo bar.service', 'x'.repeat(250) + '.service']) {
      assert.equal(isValidUnitName(bad), false, bad);
    }
  });
  it('mangles like systemctl', () => {
    assert.deepEqual(mangleUnitName('nginx'), { name: 'nginx.service' });
    assert.deepEqual(mangleUnitName('nginx.socket'), { name: 'nginx.socket' });
    assert.deepEqual(mangleUnitName('/home'), { name: 'home.mount' });
    assert.deepEqual(mangleUnitName('/'), { name: '-.mount' });
    assert.deepEqual(mangleUnitName('/dev/sda1'), { name: 'dev-sda1.device' });
    const r = mangleUnitName('foo bar');
    assert.equal(r.name, 'foo\\x20bar.service');
    assert.match(r.warning ?? '', /escaped as "foo\\x20bar.service"/);
    assert.deepEqual(mangleUnitName('ssh*', { allowGlob: true }), { name: 'ssh*' });
    assert.throws(() => mangleUnitName(''), InvalidArgumentError);
  });
  it('escapes strings and paths as systemd-escape', () => {
    assert.equal(escapeString('foo bar/baz'), 'foo\\x20bar\\x2fbaz');
    assert.equal(escapeString('.hidden'), '\\x2ehidden');
    assert.equal(escapePath('/var/lib//x/'), 'var-lib-x');
  });
  it('builds object paths as bus_label_escape', () => {
    assert.equal(unitObjectPath('dbus.service'), '/org/freedesktop/systemd1/unit/dbus_2eservice');
    assert.equal(unitObjectPath('1a-b.service'), '/org/freedesktop/systemd1/unit/_31a_2db_2eservice');
    assert.equal(unitObjectPath('getty@tty1.service'), '/org/freedesktop/systemd1/unit/getty_40tty1_2eservice');
  });
});
