import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { hostList, isFleet, parallelOf, parseHostsFile, splitHostFlags, verbOf } from '../../../src/cli/fleet.ts';
import { main } from '../../../src/cli/main.ts';
import { fleetJsonMode, parseResult, runFleet } from '../../../src/cli/run/fleet.ts';
import { InvalidArgumentError, NoSuchUnitError } from '../../../src/core/errors.ts';
import { memoryIO } from '../../../src/output/io.ts';

const VALUE = new Set(['-H', '--host', '--hosts', '--parallel', '-t', '--state', '-o']);

describe('host lists', () => {
  it('-H takes comma lists and repeats; --hosts files have comments; duplicates go', () => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-')), 'hosts');
    fs.writeFileSync(f, '# web\nweb1\nweb2  # the second\n\n  db1, db2\nweb1\n');
    assert.deepEqual(hostList({ host: ['a,b', 'c'], hosts: f }), ['a', 'b', 'c', 'web1', 'web2', 'db1', 'db2']);
    assert.deepEqual(parseHostsFile('#only\n\n'), []);
    assert.throws(() => hostList({ hosts: '/nonexistent/hosts' }), InvalidArgumentError);
    // an empty -H (an unset $HOST) is an error, never this machine
    assert.throws(() => hostList({ host: [''] }), /-H '' names no host/);
    assert.throws(() => hostList({ host: ['a', ' , '] }), /-H ' , ' names no host/);
    assert.ok(isFleet({ host: ['a,b'] }, ['a', 'b']));
    assert.ok(!isFleet({ host: ['a'] }, ['a']));
    assert.ok(isFleet({ hosts: f }, ['a']));
  });
  it('--parallel is a whole number, 16 by default', () => {
    assert.equal(parallelOf({}), 16);
    assert.equal(parallelOf({ parallel: '3' }), 3);
    assert.throws(() => parallelOf({ parallel: '0' }), InvalidArgumentError);
    assert.throws(() => parallelOf({ parallel: 'x' }), InvalidArgumentError);
  });
  it('splits the host flags off a command line, in every spelling, not after --', () => {
    const { flags, rest } = splitHostFlags(['-H', 'a', '--host=b', '-Hc', '--hosts', 'F', '--parallel=2', 'restart', '-t', '-H', 'x', '--', '-H'], VALUE);
    assert.deepEqual(flags, { host: ['a', 'b', 'c'], hosts: 'F', parallel: '2' });
    assert.deepEqual(rest, ['restart', '-t', '-H', 'x', '--', '-H']);
    assert.equal(verbOf(['-t', 'service', '--json', 'list-units', 'x'], VALUE), 'list-units');
  });
});

describe('fleet output', () => {
  it('finds the JSON mode as jsonFormat would', () => {
    assert.equal(fleetJsonMode(['--json'], false), 'short');
    assert.equal(fleetJsonMode(['--json'], true), 'pretty');
    assert.equal(fleetJsonMode(['--json-mode', 'pretty'], false), 'pretty');
    assert.equal(fleetJsonMode(['-o', 'json'], true), 'short');
    assert.equal(fleetJsonMode(['status'], true), null);
    assert.deepEqual(parseResult('{"a":1}\n{"a":2}\n'), [{ a: 1 }, { a: 2 }]);
    assert.equal(parseResult(''), null);
    assert.equal(parseResult('active\n'), 'active\n');
  });

  const fake = async (argv: string[], io: ReturnType<typeof memoryIO>) => {
    const host = argv[1]!;
    if (host === 'down') return { code: 1, error: new InvalidArgumentError('cannot reach down over ssh: Connection refused') };
    if (host === 'nounit') return { code: 5, error: new NoSuchUnitError('Unit x.service not found.', { dbusName: 'org.freedesktop.systemd1.NoSuchUnit' }) };
    if (argv.includes('--json-mode') || argv.includes('--json')) io.out.write(`[{"unit":"a.service","active":"${host === 'h2' ? 'failed' : 'active'}","description":"A"}]\n`);
    else io.out.write(`text of ${host}\n`);
    return { code: 0 };
  };

  it('--json: one array in host order; failures say why, with dbusName and exit code; exit is the first failure', async () => {
    const io = memoryIO();
    const code = await runFleet({ hosts: ['h1', 'down', 'nounit', 'h2'], parallel: 2, argv: ['list-units', '--json'], verb: 'list-units' }, io, fake as never);
    assert.equal(code, 1);
    const doc = JSON.parse(io.stdout()) as unknown[];
    assert.deepEqual(doc, [
      { host: 'h1', ok: true, result: [{ unit: 'a.service', active: 'active', description: 'A' }] },
      { host: 'down', ok: false, error: { message: 'cannot reach down over ssh: Connection refused', dbusName: null, exitCode: 1 } },
      { host: 'nounit', ok: false, error: { message: 'Unit x.service not found.', dbusName: 'org.freedesktop.systemd1.NoSuchUnit', exitCode: 5 } },
      { host: 'h2', ok: true, result: [{ unit: 'a.service', active: 'failed', description: 'A' }] },
    ]);
    assert.equal(io.stderr(), 'sysherd: down: cannot reach down over ssh: Connection refused\nsysherd: nounit: Unit x.service not found\n');
  });
  it('list verbs: one table with a HOST column; other verbs: a header per host', async () => {
    const io = memoryIO();
    assert.equal(await runFleet({ hosts: ['h1', 'h2'], parallel: 16, argv: ['list-units'], verb: 'list-units' }, io, fake as never), 0);
    assert.equal(io.stdout(), 'HOST UNIT      ACTIVE DESCRIPTION\nh1   a.service active A\nh2   a.service failed A\n');
    assert.match(io.stderr(), /2 entries listed from 2 of 2 hosts/);
    const io2 = memoryIO();
    assert.equal(await runFleet({ hosts: ['h1', 'nounit'], parallel: 16, argv: ['status', 'x'], verb: 'status' }, io2, fake as never), 5);
    assert.equal(io2.stdout(), '── h1 ──\ntext of h1\n\n── nounit ──\n');
    assert.equal(io2.stderr(), 'sysherd: nounit: Unit x.service not found\n');
  });
  it('main fans out a fleet and leaves one host alone', async () => {
    const io = memoryIO();
    // no ssh to these names: every host fails, each in one line, the command still ends
    const code = await main(['-H', 'bad host,-x', 'list-units', '--json'], io);
    assert.equal(code, 1);
    const doc = JSON.parse(io.stdout()) as { host: string; ok: boolean; error: { message: string } }[];
    assert.deepEqual(doc.map((d) => [d.host, d.ok]), [['bad host', false], ['-x', false]]);
    assert.match(doc[0]!.error.message, /invalid host name/);
  });
});
