import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { BUS_PATH_SIZE_MAX, objectPathIsValid } from '../../../src/core/bus.ts';
import { unitObjectPath } from '../../../src/core/names.ts';

describe('objectPathIsValid (sd-bus object_path_is_valid)', () => {
  it('accepts / and /-separated elements of [A-Za-z0-9_]', () => {
    for (const p of ['/', '/org/freedesktop/systemd1', '/org/freedesktop/systemd1/unit/a_2eservice', unitObjectPath('getty@tty1.service')]) {
      assert.ok(objectPathIsValid(p), p);
    }
  });
  it('refuses what sd-bus refuses', () => {
    for (const p of ['', 'org', '//', '/a/', '/a//b', '/a-b', '/a.b', '/ä']) assert.equal(objectPathIsValid(p), false, p);
  });
  it('refuses a path over 64 KiB: the path of a 70,000-character unit name', () => {
    assert.ok(objectPathIsValid(`/${'a'.repeat(BUS_PATH_SIZE_MAX - 1)}`));
    assert.equal(objectPathIsValid(`/${'a'.repeat(BUS_PATH_SIZE_MAX)}`), false);
    assert.equal(objectPathIsValid(unitObjectPath(`${'a'.repeat(70_000)}.service`)), false);
  });
});
