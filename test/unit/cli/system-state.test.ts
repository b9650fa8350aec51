import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { main } from '../../../src/cli/main.ts';
import { countForce } from '../../../src/cli/system-state.ts';
import { memoryIO } from '../../../src/output/io.ts';

const VALUE_SHORTS = new Set(['p', 't', 'n', 'o', 's', 'H', 'M', 'P']);

describe('countForce: -f counted as systemctl counts it', () => {
  it('counts -f, -ff, --force and -f in groups', () => {
    assert.equal(countForce(['poweroff'], VALUE_SHORTS), 0);
    assert.equal(countForce(['-f', 'poweroff'], VALUE_SHORTS), 1);
    assert.equal(countForce(['-ff', 'poweroff'], VALUE_SHORTS), 2);
    assert.equal(countForce(['-f', 'poweroff', '-f'], VALUE_SHORTS), 2);
    assert.equal(countForce(['--force', '--force', 'reboot'], VALUE_SHORTS), 2);
    assert.equal(countForce(['-qf', 'reboot'], VALUE_SHORTS), 1);
  });
  it('an f inside the value of a short option is not -f; -- ends the options', () => {
    assert.equal(countForce(['-pf', 'show'], VALUE_SHORTS), 0);
    assert.equal(countForce(['-p', '-ff', 'show'], VALUE_SHORTS), 0);
    assert.equal(countForce(['-Mf', 'poweroff'], VALUE_SHORTS), 0);
    assert.equal(countForce(['reboot', '--', '-ff'], VALUE_SHORTS), 0);
  });
});

describe('system state verbs: bad input is refused before any bus is opened', () => {
  const cases: [string[], string][] = [
    [['poweroff', 'now'], 'Too many arguments.\n'],
    [['exit', '1', '2'], 'Too many arguments.\n'],
    [['--user', 'rescue'], 'Bad action for --user mode.\n'],
    [['switch-root'], 'Too few arguments.\n'],
    [['switch-root', '/a', '/b', '/c'], 'Wrong number of arguments.\n'],
    [['--dry-run', 'reboot', 'x', '--reboot-argument=y'], 'Both --reboot-argument= and positional argument passed to reboot command, refusing.\n'],
    [['--check-inhibitors=maybe', 'poweroff'], "sysherd: Failed to parse --check-inhibitors= argument: maybe\n"],
    [['--boot-loader-menu=soon', 'reboot'], "sysherd: Failed to parse --boot-loader-menu= argument 'soon': Invalid argument\n"],
    [['--when=now', 'poweroff'], "sysherd: unrecognized option '--when=now'\n"],
    [['--address=unix:path=/nonexistent/bus', 'switch-root', '/a', '/b', '/c'], 'Cannot switch root remotely.\n'],
  ];
  for (const [argv, stderr] of cases) {
    it(argv.join(' '), async () => {
      const io = memoryIO();
      // (this host has no system bus: a bus call would fail with another message)
      assert.equal(await main(argv, io), 1);
      assert.equal(io.stderr(), stderr);
      assert.equal(io.stdout(), '');
    });
  }
});
