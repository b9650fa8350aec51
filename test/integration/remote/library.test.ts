/**
 * The library over ssh: Bus/Manager on `ssh HOST systemd-stdio-bridge` (a stream under
 * dbus-next), jobs awaited through JobRemoved across the bridge, `onHosts` fan-out, remote
 * commands quoted for the remote shell, and the journal read over ssh. One sandbox, two host
 * names for it (sb1, sb2), one name that does not resolve.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Manager, listUnits, onHosts, readJournal, restartUnit, runRemote, sshJournalRunner } from '../../../src/index.js';
import { execInSandbox } from '../../../src/sandbox/sandbox.js';
import { bootSandbox, type BootedSandbox } from '../../helpers/sandbox.js';
import { startSshHosts, type SshHosts } from '../../helpers/ssh-hosts.js';

let sb: BootedSandbox | undefined;
let hosts: SshHosts | undefined;
const savedPath = process.env.PATH;

describe('the library on remote hosts', () => {
  before(async () => {
    sb = await bootSandbox('system', { units: { 'r.service': '[Unit]\nDescription=Remote one\n[Service]\nExecStart=/bin/sleep infinity\n' } });
    hosts = await startSshHosts({ sb1: sb.pid1!, sb2: sb.pid1! });
    process.env.PATH = hosts.env.PATH; // the library runs `ssh` from PATH, as systemctl -H does
  });
  after(async () => {
    process.env.PATH = savedPath;
    await hosts?.stop();
    await sb?.stop();
  });

  it('a Manager over the bridge lists what the host lists and waits for jobs by JobRemoved', async () => {
    const m = await Manager.connect({ host: 'sb1' });
    try {
      assert.equal(m.bus.address, 'ssh://sb1');
      assert.equal(m.bus.direct, false);
      const names = (await m.listUnits()).map((u) => u.name).sort();
      const local = await execInSandbox(sb!.dir, ['systemctl', 'list-units', '--all', '--plain', '--no-legend', '--full']);
      const there = local.stdout.split('\n').filter((l) => l !== '').map((l) => l.split(/\s+/)[0]!).sort();
      assert.deepEqual(names, there);
    } finally {
      m.close();
    }
    const removed = await restartUnit('r.service', { host: 'sb2' });
    assert.equal(removed.result, 'done');
    assert.equal(removed.unit, 'r.service');
    assert.equal((await execInSandbox(sb!.dir, ['systemctl', 'is-active', 'r.service'])).stdout, 'active\n');
  });

  it('onHosts: every host on its own connection; a failing host is a result, not a rejection', async () => {
    const r = await onHosts(['sb1', 'nosuchhost.invalid', 'sb2'], async (c) => (await listUnits({ ...c, patterns: ['r.service'] })).map((u) => u.activeState), { parallel: 2 });
    assert.deepEqual(r.map((x) => [x.host, x.ok]), [['sb1', true], ['nosuchhost.invalid', false], ['sb2', true]]);
    assert.deepEqual(r[0]!.ok && r[0]!.result, ['active']);
    const failed = r[1]!;
    assert.ok(!failed.ok);
    assert.equal(failed.error.exitCode, 1);
    assert.equal(failed.error.dbusName, null);
    assert.match(failed.error.message, /^cannot reach nosuchhost\.invalid over ssh: .*Could not resolve hostname/);
  });

  it('remote commands are quoted for the remote shell; the journal is read over ssh', async () => {
    const echo = await runRemote('sb1', ['printf', '%s|', 'a b', "it's", '$(id)', '']);
    assert.equal(echo.code, 0, echo.stderr);
    assert.equal(echo.stdout, "a b|it's|$(id)||");
    await execInSandbox(sb!.dir, ['systemctl', 'restart', 'r.service']);
    const entries = await readJournal({ units: ['r.service'], lines: 20 }, { runner: sshJournalRunner('sb1') });
    assert.ok(entries.some((e) => /Remote one/.test(e.message ?? '')), JSON.stringify(entries.map((e) => e.message)));
    await assert.rejects(readJournal({ units: ['r.service'] }, { runner: sshJournalRunner('nosuchhost.invalid') }), /journal not available: .*Could not resolve hostname/);
  });
});
