import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Paint } from '../../../src/output/color.ts';
import { buildRecord } from '../../../src/output/status-record.ts';
import { renderUnitText, stateGlyph } from '../../../src/output/status-text.ts';
import { gathered } from '../../helpers/gathered.ts';

describe('status as text', () => {
  it('state glyphs as systemd (unit_active_state_to_glyph), ASCII without UTF-8', () => {
    assert.deepEqual(
      ['active', 'reloading', 'inactive', 'failed', 'activating', 'deactivating', 'maintenance'].map((s) => stateGlyph(s, true)),
      ['●', '↻', '○', '×', '●', '●', '○'],
    );
    assert.equal(stateGlyph('failed', false), 'x');
    assert.equal(stateGlyph('active', false), '*');
  });

  it("a unit's lines from its record; the command name through `comm`; escaped", () => {
    const g = gathered(
      { Id: 'a.service', Description: 'Evil \x1b[2J', LoadState: 'loaded', ActiveState: 'active', SubState: 'running', FragmentPath: '/etc/systemd/system/a.service', UnitFileState: 'enabled', UnitFilePreset: 'enabled' },
      { ExecMainPID: 42, MainPID: 42 },
    );
    const opts = { paint: new Paint(false, false, 'h'), unicode: true, columns: 80, fullWidth: true, showAll: false, output: 'short' as const, comm: (pid: number) => (pid === 42 ? 'sleep' : null) };
    const { text, ellipsized } = renderUnitText(buildRecord(g, { showAll: false }), g, opts);
    assert.equal(ellipsized, false);
    assert.deepEqual(text.split('\n'), [
      '● a.service - Evil \\x1b[2J',
      '     Loaded: loaded (/etc/systemd/system/a.service; enabled; preset: enabled)',
      '     Active: active (running)',
      '   Main PID: 42 (sleep)',
      '',
    ]);
    const coloured = renderUnitText(buildRecord(g, { showAll: false }), g, { ...opts, paint: new Paint(true, false, 'h'), comm: () => null }).text;
    assert.ok(coloured.startsWith('\x1b[0;1;32m●\x1b[0m a.service'), JSON.stringify(coloured));
    assert.match(coloured, /\n {3}Main PID: 42\n/);
  });
});
