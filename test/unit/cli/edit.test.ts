import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { configDirs, dropInTemplate, EDIT_MARKER_END, EDIT_MARKER_START, runEdit, runEditor, tempName, trimEditMarkers } from '../../../src/cli/run/edit.ts';
import { memoryIO } from '../../../src/output/io.ts';

describe('edit (systemctl 252 verb_edit)', () => {
  it("writes 252's temporary drop-in: header, current text, the other files commented out", () => {
    const t = dropInTemplate('/etc/systemd/system/a.service.d/override.conf', null, [{ path: '/etc/systemd/system/a.service', content: '[Unit]\nDescription=A\n\n' }]);
    assert.equal(
      t,
      '### Editing /etc/systemd/system/a.service.d/override.conf\n' +
        `${EDIT_MARKER_START}\n\n\n\n${EDIT_MARKER_END}\n\n` +
        '### /etc/systemd/system/a.service\n# [Unit]\n# Description=A',
    );
    // the current text keeps its own final newline; one is added when it has none
    assert.match(dropInTemplate('/x', '[Service]\n', []), /\n\n\[Service\]\n\n### Lines below/);
    assert.match(dropInTemplate('/x', '[Service]', []), /\n\n\[Service\]\n\n### Lines below/);
    // an empty file is named, with no comment line
    assert.equal(dropInTemplate('/x', null, [{ path: '/e', content: '  \n' }]).endsWith('\n\n### /e'), true);
  });

  it('trims to the text between the markers, stripped; leaves a file without markers or trailing space alone', () => {
    assert.equal(trimEditMarkers(dropInTemplate('/x', '[Service]\nA=1\n', [{ path: '/u', content: 'x' }])), '[Service]\nA=1');
    assert.equal(trimEditMarkers(`${EDIT_MARKER_START}\n\n\n${EDIT_MARKER_END}\n`), '');
    assert.equal(trimEditMarkers('[Service]\nA=1\n\n'), '[Service]\nA=1');
    assert.equal(trimEditMarkers('[Service]\nA=1'), null);
    // only an end marker: from the start
    assert.equal(trimEditMarkers(`  a\n${EDIT_MARKER_END}\nb`), 'a');
  });

  it("names temporary files as systemd's tempfn_random", () => {
    assert.match(tempName('/etc/systemd/system/a.service.d/override.conf'), /^\/etc\/systemd\/system\/a\.service\.d\/\.#override\.conf[0-9a-f]{16}$/);
  });

  it('config directories of the system and user scopes', () => {
    assert.deepEqual(configDirs(false), { persistent: '/etc/systemd/system', runtime: '/run/systemd/system' });
    assert.deepEqual(configDirs(true, { HOME: '/home/u', XDG_RUNTIME_DIR: '/run/user/1' }), { persistent: '/home/u/.config/systemd/user', runtime: '/run/user/1/systemd/user' });
    assert.equal(configDirs(true, { XDG_CONFIG_HOME: '/c', XDG_RUNTIME_DIR: '/r' }).persistent, '/c/systemd/user');
  });

  it('runs $SYSTEMD_EDITOR before $EDITOR and $VISUAL, split on whitespace; says when none is there', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sysherd-edit-'));
    try {
      const f = path.join(dir, 'f');
      fs.writeFileSync(f, '');
      const script = path.join(dir, 'ed');
      fs.writeFileSync(script, '#!/bin/sh\necho "$1 $2" > "$3"\n', { mode: 0o755 });
      assert.equal(runEditor([f], { PATH: process.env.PATH, SYSTEMD_EDITOR: `${script}  a b`, EDITOR: 'false', VISUAL: 'false' }), null);
      assert.equal(fs.readFileSync(f, 'utf8'), 'a b\n');
      assert.equal(runEditor([f], { PATH: process.env.PATH, EDITOR: 'false' }), '(editor) failed with exit status 1.');
      assert.equal(
        runEditor([f], { PATH: dir }),
        'Cannot edit units, no editor available. Please set either $SYSTEMD_EDITOR, $EDITOR or $VISUAL.\n(editor) failed with exit status 1.',
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses as systemctl: no unit; not on a terminal; remotely (nothing is touched)", async () => {
    const base = { quiet: false, json: null, connect: { bus: 'system' as const }, full: false, runtime: false, force: false, user: false };
    await assert.rejects(runEdit({ ...base, args: [] }, memoryIO()), (e: Error & { verbatim?: boolean }) => e.message === 'Too few arguments.' && e.verbatim === true);
    await assert.rejects(runEdit({ ...base, args: ['a'] }, memoryIO()), (e: Error) => e.message === 'Cannot edit units if not on a tty.');
    // another machine's manager (-H, --address, -M): its files are not here
    for (const connect of [{ bus: 'system' as const, host: 'h' }, { bus: 'system' as const, address: 'unix:path=/x' }, { bus: 'system' as const, machine: 'c1' }]) {
      await assert.rejects(runEdit({ ...base, args: ['a'], connect }, memoryIO({ outIsTTY: true, errIsTTY: true })), (e: Error) => e.message === 'Cannot edit units remotely.', JSON.stringify(connect));
    }
  });
});
