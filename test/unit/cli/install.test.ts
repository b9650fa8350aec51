import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cmdlineOverride, DEPENDENCY_VERBS, runAddDependency, runSetDefault } from '../../../src/cli/run/install.ts';
import { linkPaths, mangleWithSuffix } from '../../../src/cli/run/unit-files.ts';
import { parsePresetMode, PRESET_MODES } from '../../../src/core/presets.ts';
import { main } from '../../../src/cli/main.ts';
import { checkArgCount } from '../../../src/cli/run/manage.ts';
import { memoryIO } from '../../../src/output/io.ts';

describe('unit-file verbs beyond enable (systemctl 252)', () => {
  it('argument counts in systemctl words, verbatim', () => {
    assert.throws(() => checkArgCount([], 1), (e: Error & { verbatim: boolean }) => e.message === 'Too few arguments.' && e.verbatim);
    assert.throws(() => checkArgCount(['a', 'b'], 1, 1), (e: Error) => e.message === 'Too many arguments.');
    checkArgCount(['a'], 1, 1);
  });

  it('--preset-mode: the three modes and help; anything else is systemctl\'s error', () => {
    assert.deepEqual([...PRESET_MODES], ['full', 'enable-only', 'disable-only']);
    assert.equal(parsePresetMode('enable-only'), 'enable-only');
    assert.equal(parsePresetMode('help'), 'help');
    assert.throws(() => parsePresetMode('bogus'), (e: Error & { verbatim: boolean }) => e.message === 'Failed to parse preset mode: bogus.' && e.verbatim);
  });

  it('add-wants/add-requires: one table', () => {
    assert.deepEqual(DEPENDENCY_VERBS, { 'add-wants': 'Wants', 'add-requires': 'Requires' });
  });

  it('link: absolute paths pass; a bare name gets systemctl\'s two lines', () => {
    assert.deepEqual(linkPaths(['/opt/a.service']), ['/opt/a.service']);
    assert.throws(
      () => linkPaths(['a.service']),
      (e: Error) => e.message === 'Link argument must contain at least one directory separator.\nIf you intended to link a file in the current directory, try ./a.service instead.',
    );
  });

  it('targets are mangled with .target; a glob gets the notice', () => {
    assert.deepEqual(mangleWithSuffix('multi-user', { quiet: false, suffix: 'target', failure: 'x' }), { name: 'multi-user.target', notices: [] });
    const g = mangleWithSuffix('multi*', { quiet: false, operation: 'as target', suffix: 'target', failure: 'x' });
    assert.equal(g.notices[0], 'Glob pattern passed as target, but globs are not supported for this.');
    assert.throws(() => mangleWithSuffix('', { quiet: false, suffix: 'target', failure: 'Failed to mangle unit name: Invalid argument' }), /Failed to mangle unit name: Invalid argument/);
  });

  it("the kernel command line words that override the default unit (252 reports systemd.unit's key)", () => {
    assert.equal(cmdlineOverride('BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet'), null);
    assert.equal(cmdlineOverride('ro single'), 'single');
    assert.equal(cmdlineOverride('ro 3 systemd.unit=rescue.target'), 'systemd.unit');
    assert.equal(cmdlineOverride('systemd.unit=rescue.target 5'), '5');
    assert.equal(cmdlineOverride('systemd.unit=not/valid'), null);
  });

  it('bad input changes nothing and reaches no bus', async () => {
    const base = { quiet: false, json: null, connect: { bus: 'system' as const, address: 'unix:path=/nonexistent' }, runtime: false, force: false };
    await assert.rejects(runAddDependency({ ...base, verb: 'add-wants', args: ['t'] }, memoryIO()), /Too few arguments\./);
    await assert.rejects(runSetDefault({ ...base, args: [] }, memoryIO()), /Too few arguments\./);
    await assert.rejects(runSetDefault({ ...base, args: ['a', 'b'] }, memoryIO()), /Too many arguments\./);
  });

  it("the CLI prints systemctl's own failure texts as they are: no 'sysherd: ', the period kept", async () => {
    const io = memoryIO();
    assert.equal(await main(['preset', '--preset-mode=bogus', 'a'], io), 1);
    assert.equal(io.stderr(), 'Failed to parse preset mode: bogus.\n');
    const io2 = memoryIO();
    assert.equal(await main(['link', 'a.service'], io2), 1);
    assert.equal(io2.stderr(), 'Link argument must contain at least one directory separator.\nIf you intended to link a file in the current directory, try ./a.service instead.\n');
    const io3 = memoryIO();
    assert.equal(await main(['--preset-mode=help', 'preset-all'], io3), 0);
    assert.equal(io3.stdout(), 'full\nenable-only\ndisable-only\n');
  });

  it('--root, --image, --global: one line naming the option, exit 1', async () => {
    for (const [flag, name] of [['--root=/x', '--root='], ['--image=/x.raw', '--image='], ['--global', '--global']] as const) {
      const io = memoryIO();
      assert.equal(await main([flag, 'enable', 'a'], io), 1);
      assert.equal(io.stderr().split('\n').length, 2, io.stderr());
      assert.ok(io.stderr().startsWith(`sysherd: ${name} is not supported`), io.stderr());
    }
  });
});
