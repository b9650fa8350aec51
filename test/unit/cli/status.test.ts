import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InvalidArgumentError } from '../../../src/core/errors.ts';
import { Paint, parseLines, parseOutputMode, signalName, stateGlyph, timestamp, unitNameFromPath, urlifyEnabled } from '../../../src/cli/run/status.ts';

describe('status helpers', () => {
  it('state glyphs as systemd (unit_active_state_to_glyph), ASCII without UTF-8', () => {
    assert.deepEqual(
      ['active', 'reloading', 'inactive', 'failed', 'activating', 'deactivating', 'maintenance'].map((s) => stateGlyph(s, true)),
      ['●', '↻', '○', '×', '●', '●', '○'],
    );
    assert.equal(stateGlyph('failed', false), 'x');
    assert.equal(stateGlyph('active', false), '*');
  });

  it('signal names without SIG, real-time ones as RTMIN+n', () => {
    assert.equal(signalName(15), 'TERM');
    assert.equal(signalName(9), 'KILL');
    assert.equal(signalName(6), 'ABRT');
    assert.equal(signalName(36), 'RTMIN+2');
  });

  it('unit names from object paths; timestamps as ISO and µs, null when never', () => {
    assert.equal(unitNameFromPath('/org/freedesktop/systemd1/unit/tpl_40one_2eservice'), 'tpl@one.service');
    assert.equal(unitNameFromPath('/org/freedesktop/systemd1/unit/_2d_2eslice'), '-.slice');
    assert.deepEqual(timestamp(1795319312021077), { iso: '2026-11-22T03:48:32.021Z', usec: 1795319312021077 });
    assert.equal(timestamp(0), null);
    assert.equal(timestamp(null), null);
  });

  it('-n and -o are checked as systemctl checks them', () => {
    assert.equal(parseLines(undefined), 10);
    assert.equal(parseLines('0'), 0);
    assert.throws(() => parseLines('x'), InvalidArgumentError);
    assert.equal(parseOutputMode(undefined), 'short');
    assert.equal(parseOutputMode('short-iso'), 'short-iso');
    assert.throws(() => parseOutputMode('nope'), InvalidArgumentError);
  });

  it('colours and hyperlinks only when on; SYSTEMD_URLIFY wins over colours', () => {
    const off = new Paint(false, false, 'h');
    assert.equal(off.activeOn('failed'), '');
    assert.equal(off.path('/etc/x'), '/etc/x');
    const on = new Paint(true, true, 'h');
    assert.equal(on.activeOn('failed'), '\x1b[0;1;31m');
    assert.equal(on.activeOn('active'), '\x1b[0;1;32m');
    assert.equal(on.enableOn('disabled'), '\x1b[0;1;38;5;185m');
    assert.equal(on.path('/etc/x'), '\x1b]8;;file://h/etc/x\x07/etc/x\x1b]8;;\x07');
    assert.equal(urlifyEnabled(true, {}), true);
    assert.equal(urlifyEnabled(true, { SYSTEMD_URLIFY: '0' }), false);
    assert.equal(urlifyEnabled(false, { SYSTEMD_URLIFY: 'yes' }), true);
  });
});
