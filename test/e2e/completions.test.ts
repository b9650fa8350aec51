/** The bash completion, run for real in bash against the built CLI and a user sandbox. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type BootedSandbox, bootSandbox } from '../helpers/sandbox.ts';
import { BIN, cliEnv, ensureBuilt, projectRoot } from './helpers.ts';

/** COMPREPLY for a command line (the cursor at the end of the last word). */
function complete(words: string[], env: Record<string, string> = {}): Promise<string[]> {
  const script = [
    // the CLI under test stands in for an installed `sysherd`
    'sysherd() { "$SYSHERD_NODE" "$SYSHERD_BIN" "$@"; }',
    'source "$1"; shift',
    'COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))',
    '_sysherd',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      ['-c', script, 'bash', path.join(projectRoot, 'completions', 'sysherd.bash'), ...words],
      { env: cliEnv({ SYSHERD_NODE: process.execPath, SYSHERD_BIN: BIN, ...env }), timeout: 10_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout.split('\n').filter(Boolean))),
    );
  });
}

describe('bash completion', () => {
  let sb: BootedSandbox | undefined;
  before(async () => {
    ensureBuilt();
    sb = await bootSandbox('user', { units: { 'compl-one.service': '[Service]\nExecStart=/bin/sleep infinity\n' } });
  });
  after(() => sb?.stop());

  test('verbs and options', async () => {
    assert.deepEqual(await complete(['sysherd', 'sa']), ['sandbox']);
    assert.ok((await complete(['sysherd', 'list-units', '--st'])).includes('--state'));
    assert.deepEqual(await complete(['sysherd', 'sandbox', 'st']), ['start', 'stop']);
    assert.deepEqual(await complete(['sysherd', 'list-units', '--type', 'ser']), ['service']);
  });

  test('--state values come from the CLI itself', async () => {
    const states = await complete(['sysherd', 'list-units', '--state', 'fa']);
    assert.deepEqual(states, ['failed', 'failed-before-auto-restart']);
  });

  test('unit names come from the running manager (--user is passed on)', async () => {
    const units = await complete(['sysherd', '--user', 'list-units', 'default.t'], { DBUS_SESSION_BUS_ADDRESS: sb!.busAddress });
    assert.deepEqual(units, ['default.target']);
  });
});
