import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectList, connectOptions, parseTimeout } from '../../../src/cli/context.ts';

describe('global options', () => {
  it('parses time spans', () => {
    assert.equal(parseTimeout('25'), 25_000);
    assert.equal(parseTimeout('500ms'), 500);
    assert.equal(parseTimeout('2min'), 120_000);
    assert.throws(() => parseTimeout('soon'), /invalid --timeout value 'soon'/);
    assert.throws(() => parseTimeout('0'), /more than 0/);
  });
  it('maps flags to connection options', () => {
    // as systemctl: interactive authorization unless --no-ask-password
    assert.deepEqual(connectOptions({}), { bus: 'system', interactive: true });
    assert.deepEqual(connectOptions({ askPassword: false }), { bus: 'system' });
    assert.deepEqual(connectOptions({ user: true, address: 'unix:path=/x', timeout: '3s', askPassword: true }), {
      bus: 'user',
      address: 'unix:path=/x',
      timeout: 3000,
      interactive: true,
    });
    assert.throws(() => connectOptions({ user: true, system: true }), /cannot be used together/);
  });
  it('collects comma-separated, repeated values', () => {
    assert.deepEqual(collectList('failed,running', undefined), ['failed', 'running']);
    assert.deepEqual(collectList('exited', ['failed']), ['failed', 'exited']);
  });
});

describe('the default verb', () => {
  it('is list-units when no verb is given, as with systemctl', async () => {
    const { withDefaultVerb } = await import('../../../src/cli/main.ts');
    assert.deepEqual(withDefaultVerb([]), ['list-units']);
    assert.deepEqual(withDefaultVerb(['--all', '--user']), ['list-units', '--all', '--user']);
    assert.deepEqual(withDefaultVerb(['--address', 'unix:path=/x', '--json']), ['list-units', '--address', 'unix:path=/x', '--json']);
    assert.deepEqual(withDefaultVerb(['frobnicate']), ['frobnicate']);
    assert.deepEqual(withDefaultVerb(['--user', 'sandbox', 'stop', 'x']), ['--user', 'sandbox', 'stop', 'x']);
    assert.deepEqual(withDefaultVerb(['--help']), ['--help']);
    assert.deepEqual(withDefaultVerb(['--version']), ['--version']);
  });
});
