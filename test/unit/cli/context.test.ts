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

describe("systemctl 252's option quirks", () => {
  it('load states in --type= become --state= (types stay)', async () => {
    const { normalizeArgv, splitTypeValue } = await import('../../../src/cli/context.ts');
    assert.deepEqual(splitTypeValue('loaded'), ['--state=loaded']);
    assert.deepEqual(splitTypeValue('loaded,socket,masked'), ['--type=socket', '--state=loaded,masked']);
    assert.equal(splitTypeValue('service,socket'), null);
    assert.equal(splitTypeValue('help,loaded'), null);
    assert.deepEqual(normalizeArgv(['list-units', '--type=loaded,socket']), ['list-units', '--type=socket', '--state=loaded']);
    assert.deepEqual(normalizeArgv(['list-units', '-t', 'masked', '-a']), ['list-units', '--state=masked', '-a']);
    assert.deepEqual(normalizeArgv(['list-units', '--type', 'service']), ['list-units', '--type', 'service']);
    assert.deepEqual(normalizeArgv(['show', '--', '-t', 'loaded']), ['show', '--', '-t', 'loaded']);
    assert.deepEqual(normalizeArgv(['list-units', '-tloaded,socket']), ['list-units', '--type=socket', '--state=loaded'], "getopt's attached -tVALUE");
    assert.deepEqual(normalizeArgv(['list-units', '-tservice']), ['list-units', '-tservice']);
  });
  it("-p '' alone means no property; --what= alone is an error", async () => {
    const { collectProperties, collectWhat } = await import('../../../src/cli/context.ts');
    assert.deepEqual(collectProperties('', undefined), ['']);
    assert.deepEqual(collectProperties('Id', ['']), ['Id']);
    assert.deepEqual(collectProperties('', ['Id']), ['Id']);
    assert.deepEqual(collectProperties('Id,Names', undefined), ['Id', 'Names']);
    assert.deepEqual(collectWhat('state,logs', ['cache']), ['cache', 'state', 'logs']);
    assert.throws(() => collectWhat('', undefined), /^Error: --what= requires arguments\.$|--what= requires arguments\./);
  });
});

describe('which manager: remoteManager and polkit', () => {
  it('another machine (--address, -H, --hosts, -M) gets no polkit agent here; nor --user or --no-ask-password', async () => {
    const { polkit, remoteManager } = await import('../../../src/cli/context.ts');
    assert.equal(remoteManager({}), false);
    assert.equal(polkit({}), true);
    for (const g of [{ address: 'unix:path=/x' }, { host: ['h'] }, { hosts: 'f' }, { machine: 'c1' }]) {
      assert.equal(remoteManager(g), true, JSON.stringify(g));
      assert.equal(polkit(g), false, JSON.stringify(g));
    }
    assert.equal(polkit({ user: true }), false);
    assert.equal(polkit({ askPassword: false }), false);
  });
});
