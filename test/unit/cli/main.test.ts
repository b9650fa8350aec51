import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { main, unknownVerbMessage } from '../../../src/cli/main.ts';
import { memoryIO } from '../../../src/output/io.ts';

describe('main: help, version and usage errors (no bus touched)', () => {
  it('--help and --version succeed on stdout', async () => {
    const io = memoryIO();
    assert.equal(await main(['--help'], io), 0);
    assert.match(io.stdout(), /Usage: sysherd/);
    const io2 = memoryIO();
    assert.equal(await main(['--version'], io2), 0);
    assert.match(io2.stdout(), /^\d+\.\d+\.\d+\n$/);
  });
  it('a verb family without its verb shows help on stderr and fails', async () => {
    const io = memoryIO();
    assert.equal(await main(['sandbox'], io), 1);
    assert.match(io.stderr(), /Usage: sysherd sandbox/);
    assert.equal(io.stdout(), '');
  });
  it('an unknown verb or flag is one line and exit 1', async () => {
    for (const argv of [['frobnicate'], ['list-units', '--bogus']]) {
      const io = memoryIO();
      assert.equal(await main(argv, io), 1);
      assert.equal(io.stderr().trim().split('\n').length, 1, io.stderr());
      assert.match(io.stderr(), /^sysherd: /);
    }
  });
  it('-s is checked whatever the verb, as systemctl, before anything is sent', async () => {
    const io = memoryIO();
    // --address to nowhere: a bad -s must fail before any connection is tried
    assert.equal(await main(['--address', 'unix:path=/nonexistent', '-s', 'FOO', 'list-jobs'], io), 1);
    assert.equal(io.stderr(), 'Failed to parse signal string "FOO".\n');
    assert.equal(io.stdout(), '');
  });
  it('unknown --json and --legend values name the valid ones', async () => {
    const io = memoryIO();
    assert.equal(await main(['list-units', '--json=bogus'], io), 1);
    assert.equal(io.stderr(), "sysherd: unknown --json value 'bogus'; valid values: pretty, short, off\n");
    const io2 = memoryIO();
    assert.equal(await main(['list-units', '--legend=maybe'], io2), 1);
    assert.match(io2.stderr(), /^sysherd: invalid --legend value 'maybe'; use yes or no\n$/);
  });
  it("commander's suggestion stays on the error's one line", async () => {
    const io = memoryIO();
    assert.equal(await main(['list-units', '--plain=1'], io), 1);
    assert.equal(io.stderr().split('\n').length, 2, io.stderr());
    assert.match(io.stderr(), /^sysherd: unknown option '--plain=1'; did you mean --plain\?; see 'sysherd --help'\n$/);
  });
  it('--failed is --state=failed, as systemctl', async () => {
    const { normalizeArgv } = await import('../../../src/cli/context.ts');
    assert.deepEqual(normalizeArgv(['list-units', '--failed', '--', '--failed']), ['list-units', '--state=failed', '--', '--failed']);
  });
});

describe('an unknown verb', () => {
  it("in systemd's words, with the likely verb", async () => {
    const io = memoryIO();
    assert.equal(await main(['restrat'], io), 1);
    assert.equal(io.stderr(), "sysherd: Unknown command verb 'restrat', did you mean 'restart'?\n");
    assert.equal(unknownVerbMessage("error: unknown command 'zzzz'"), "Unknown command verb 'zzzz'.");
  });
});
