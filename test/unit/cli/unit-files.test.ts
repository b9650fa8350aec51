import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildUnitFileRows,
  compareUnitFiles,
  describeChange,
  absoluteFromCwd,
  mangleUnitFileNames,
  noInstallInfoNotice,
  renderUnitFileTable,
  runListUnitFiles,
  UNIT_FILE_VERBS,
  UnitFileVerbError,
} from '../../../src/cli/run/unit-files.ts';
import { QUERIES } from '../../../src/cli/run/queries.ts';
import { fnmatch, parsePresets, queryPreset } from '../../../src/core/presets.ts';
import { memoryIO } from '../../../src/output/io.ts';

describe('unit-file verbs (systemctl 252 enable_unit)', () => {
  it('one table: D-Bus method, [Install] info, --now action', () => {
    assert.deepEqual(
      Object.entries(UNIT_FILE_VERBS).map(([v, s]) => [v, s.method, s.carries, s.now]),
      [
        ['enable', 'EnableUnitFiles', true, 'start'],
        ['disable', 'DisableUnitFiles', false, 'stop'],
        ['reenable', 'ReenableUnitFiles', true, null],
        ['mask', 'MaskUnitFiles', false, 'stop'],
        ['unmask', 'UnmaskUnitFiles', false, null],
        ['preset', 'PresetUnitFiles', true, null],
        ['link', 'LinkUnitFiles', false, null],
        ['revert', 'RevertUnitFiles', false, null],
      ],
    );
  });
  it('describes changes as systemd does', () => {
    assert.equal(describeChange({ type: 'symlink', file: '/etc/a', destination: '/etc/b' }, true), 'Created symlink /etc/a → /etc/b.');
    assert.equal(describeChange({ type: 'symlink', file: '/etc/a', destination: '/etc/b' }, false), 'Created symlink /etc/a -> /etc/b.');
    assert.equal(describeChange({ type: 'unlink', file: '/etc/a', destination: '' }, true), 'Removed "/etc/a".');
    assert.equal(describeChange({ type: 'is-masked', file: 'x.service', destination: '' }, true), 'Unit x.service is masked, ignoring.');
    assert.equal(describeChange({ type: 'other', file: '', destination: '' }, true), null);
  });
  it('the no-[Install] notice, word for word, with the bullet of the terminal', () => {
    const n = noInstallInfoNotice(true);
    assert.match(n, /^The unit files have no installation config \(WantedBy=, RequiredBy=, Also=,\nAlias= settings/);
    assert.match(n, /\n \nPossible reasons for having this kind of units are:\n• A unit may be statically enabled/);
    assert.match(n, /instance name specified\.$/);
    assert.match(noInstallInfoNotice(false), /\n\* A unit's purpose/);
  });
  it('mangles names as mangle_names("to enable"): paths kept, .service added, globs noticed and escaped', () => {
    assert.deepEqual(mangleUnitFileNames(['nginx', 'a.socket', '/tmp/x.service', 'tmpl@'], { quiet: false }), {
      names: ['nginx.service', 'a.socket', '/tmp/x.service', 'tmpl@.service'],
      notices: [],
    });
    // a relative path is made absolute as systemctl's path_make_absolute_cwd (not normalised)
    assert.deepEqual(mangleUnitFileNames(['./x.service'], { quiet: false }).names, [`${process.cwd() === '/' ? '' : process.cwd()}/./x.service`]);
    assert.equal(absoluteFromCwd('../x.service', '/etc'), '/etc/../x.service');
    assert.equal(absoluteFromCwd('a/x.service', '/'), '/a/x.service');
    assert.equal(absoluteFromCwd('/a/x.service', '/etc'), '/a/x.service');
    assert.deepEqual(mangleUnitFileNames(['foo*'], { quiet: false }), {
      names: ['foo\\x2a.service'],
      notices: ['Glob pattern passed to enable, but globs are not supported for this.', 'Invalid unit name "foo*" escaped as "foo\\x2a".'],
    });
    assert.deepEqual(mangleUnitFileNames(['foo*'], { quiet: true, operation: 'to check' }).notices, []);
    assert.equal(mangleUnitFileNames(['svc*'], { quiet: false, operation: 'to check' }).notices[0], 'Glob pattern passed to check, but globs are not supported for this.');
    assert.throws(() => mangleUnitFileNames([''], { quiet: false }), (e: unknown) => e instanceof UnitFileVerbError && e.exitCode === 1 && /Failed to mangle unit name or path '': Invalid argument/.test(e.message));
  });
});

describe('list-unit-files', () => {
  const e = (p: string, state: string) => ({ path: p, state });
  it('sorts by suffix, then file name, case-insensitively (compare_unit_file_list)', () => {
    const sorted = [e('/x/b.service', 'enabled'), e('/x/Z.mount', 'static'), e('/y/a.service', 'disabled'), e('/x/c.mount', 'static')].sort(compareUnitFiles);
    assert.deepEqual(sorted.map((x) => x.path), ['/x/c.mount', '/x/Z.mount', '/y/a.service', '/x/b.service']);
  });
  it('rows: --type filter, no preset for alias/static/generated/transient', () => {
    const rows = buildUnitFileRows([e('/x/a.service', 'enabled'), e('/x/b.service', 'static'), e('/x/c.timer', 'masked'), e('/x/d.service', 'alias')], ['service'], (n) => (n === 'a.service' ? 'disabled' : 'enabled'));
    assert.deepEqual(rows, [
      { unit_file: 'a.service', state: 'enabled', preset: 'disabled' },
      { unit_file: 'b.service', state: 'static', preset: null },
      { unit_file: 'd.service', state: 'alias', preset: null },
    ]);
  });
  it('table and legend on stdout; 0 rows: header, blank, count', () => {
    const io = memoryIO();
    renderUnitFileTable([{ unit_file: 'a.service', state: 'enabled', preset: 'enabled' }, { unit_file: 'bb.service', state: 'static', preset: null }], { legend: true, full: false }, io);
    assert.equal(io.stdout(), 'UNIT FILE  STATE   PRESET\na.service  enabled enabled\nbb.service static  -\n\n2 unit files listed.\n');
    const none = memoryIO();
    renderUnitFileTable([], { legend: true, full: false }, none);
    assert.equal(none.stdout(), 'UNIT FILE STATE PRESET\n\n0 unit files listed.\n');
    const bare = memoryIO();
    renderUnitFileTable([{ unit_file: 'a.service', state: 'enabled', preset: 'enabled' }], { legend: false, full: false }, bare);
    assert.equal(bare.stdout(), 'a.service enabled enabled\n');
  });
});

describe('list-unit-files --state=help', () => {
  it('lists the unit file states after the active states, as systemctl 252', async () => {
    const io = memoryIO();
    await runListUnitFiles({ patterns: [], states: ['help'], types: [], legend: true, full: false, json: null, connect: {}, presetScope: 'system' }, io);
    assert.match(io.stdout(), /\nmaintenance\n\nAvailable unit file states:\nenabled\nenabled-runtime\nlinked\nlinked-runtime\nalias\nmasked\nmasked-runtime\nstatic\ndisabled\nindirect\ngenerated\ntransient\nbad\n\nAvailable automount unit substates:\n/);
  });
});

describe('presets (systemd.preset)', () => {
  it('fnmatch: *, ?, classes, negation; no escapes', () => {
    assert.ok(fnmatch('*', 'a.service'));
    assert.ok(fnmatch('getty@*.service', 'getty@tty1.service'));
    assert.ok(fnmatch('a?.service', 'ab.service'));
    assert.ok(!fnmatch('a?.service', 'a.service'));
    assert.ok(fnmatch('[ab].timer', 'b.timer'));
    assert.ok(fnmatch('[!ab].timer', 'c.timer'));
    assert.ok(!fnmatch('[!ab].timer', 'a.timer'));
    assert.ok(fnmatch('a.service', 'a.service'));
    assert.ok(!fnmatch('a.service', 'aXservice'));
  });
  it('the first matching rule decides; none: enabled', () => {
    const rules = parsePresets('# comment\n; other\nenable a.service\ndisable a*\nenable tmpl@.service x y\n\ndisable *\nbogus line\n');
    assert.deepEqual(rules.map((r) => [r.action, r.pattern, r.instances]), [
      ['enable', 'a.service', []],
      ['disable', 'a*', []],
      ['enable', 'tmpl@.service', ['x', 'y']],
      ['disable', '*', []],
    ]);
    assert.equal(queryPreset('a.service', rules), 'enabled');
    assert.equal(queryPreset('ab.service', rules), 'disabled');
    assert.equal(queryPreset('z.service', rules), 'disabled');
    assert.equal(queryPreset('z.service', []), 'enabled');
  });
});

describe('queries (check_unit_generic, unit_is_enabled)', () => {
  it('one table: good states and exit codes as systemctl 252', () => {
    assert.deepEqual([...QUERIES['is-active'].good], ['active', 'reloading']);
    assert.equal(QUERIES['is-active'].failCode, 3);
    assert.deepEqual([...QUERIES['is-failed'].good], ['failed']);
    assert.equal(QUERIES['is-failed'].failCode, 1);
    assert.deepEqual([...QUERIES['is-enabled'].good].sort(), ['alias', 'enabled', 'enabled-runtime', 'generated', 'indirect', 'static']);
    assert.equal(QUERIES['is-enabled'].failCode, 1);
    assert.equal(QUERIES['is-enabled'].names, 'mangle');
    assert.equal(QUERIES['is-active'].names, 'expand');
  });
});
