import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapePath, escapeString, isValidUnitName, mangleUnitName, unitObjectPath } from '../../../src/core/names.ts';
import { InvalidArgumentError } from '../../../src/core/errors.ts';

describe('unit names', () => {
  it('validates as systemd does', () => {
    for (const ok of ['nginx.service', 'getty@tty1.service', 'getty@.service', '-.mount', 'dev-sda1.device', 'a\\x20b.service', 'x.target', 'a@b@c.service']) {
      assert.equal(isValidUnitName(ok), true, ok);
    }
    for (const bad of ['', 'nginx', 'nginx.bogus', '.service', '@x.service', 'foo bar.service', 'x'.repeat(250) + '.service']) {
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
    assert.equal(r.warning, 'Invalid unit name "foo bar" escaped as "foo\\x20bar" (maybe you should use systemd-escape?).');
    assert.deepEqual(mangleUnitName('a b.service'), {
      name: 'a\\x20b.service',
      warning: 'Invalid unit name "a b.service" escaped as "a\\x20b.service" (maybe you should use systemd-escape?).',
    });
    assert.equal(mangleUnitName('foo/bar').name, 'foo-bar.service');
    assert.equal(mangleUnitName('/dev/../x', { allowGlob: true }).name, '-dev-..-x.service');
    assert.equal(mangleUnitName('/sys/x').name, 'sys-x.device');
    assert.equal(mangleUnitName('/a-b/c').name, 'a\\x2db-c.mount');
    assert.equal(mangleUnitName('foo@bar').name, 'foo@bar.service');
    assert.equal(mangleUnitName('x\\y').name, 'x\\y.service');
    assert.deepEqual(mangleUnitName('@foo', { allowGlob: true }), { name: '@foo.service' });
    assert.throws(() => mangleUnitName('@foo'), InvalidArgumentError);
    assert.deepEqual(mangleUnitName('x y*', { allowGlob: true }), {
      name: 'x\\x20y*',
      warning: 'Invalid unit name "x y*" escaped as "x\\x20y*" (maybe you should use systemd-escape?).',
    });
    assert.deepEqual(mangleUnitName('[ab]*.service', { allowGlob: true }), { name: '[ab]*.service' });
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
