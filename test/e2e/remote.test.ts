/**
 * -H over ssh and fleets, end to end: system-mode sandboxes reached as ssh hosts on 127.0.0.1
 * (test/helpers/ssh-hosts.ts), the built CLI against `systemctl -H` on the same hosts.
 *
 * One sandbox (A) for the file: hosts sb1, sb2 and sb3 are all A (names, keys and connections
 * of their own). The fleet restart test boots two more (B as sb3, C as sb2), so it runs on three
 * machines, and stops B mid-run.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { execInSandbox } from '../../src/sandbox/sandbox.js';
import { bootSandbox, type BootedSandbox } from '../helpers/sandbox.js';
import { startSshHosts, type SshHosts } from '../helpers/ssh-hosts.js';
import { BIN, cliEnv, ensureBuilt, projectRoot, show, type CliResult } from './helpers.js';

const UNITS = {
  'w.service': '[Unit]\nDescription=Watched\n[Service]\nExecStart=/bin/sleep infinity\n',
  'bad.service': '[Unit]\nDescription=Fails\n[Service]\nExecStart=/bin/false\n',
  'slow.service': '[Unit]\nDescription=Slow to start\n[Service]\nExecStartPre=/bin/sleep 4\nExecStart=/bin/sleep infinity\n',
};

let sb: BootedSandbox | undefined;
let hosts: SshHosts | undefined;

/** Run a program with the hosts' ssh first on PATH (as systemctl -H and sysherd -H find it). */
function exec(file: string, args: string[], env: NodeJS.ProcessEnv = hosts!.env, timeoutMs = 60_000): Promise<CliResult & { ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: projectRoot, env: { ...cliEnv(), PATH: env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} ${args.join(' ')} did not end within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      resolve({ code, signal, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes, ms: Date.now() - t0 });
    });
  });
}
const sysherd = (args: string[], env?: NodeJS.ProcessEnv): ReturnType<typeof exec> => exec(process.execPath, [BIN, ...args], env);
const systemctl = (args: string[], env?: NodeJS.ProcessEnv): ReturnType<typeof exec> => exec('systemctl', ['--no-pager', ...args], env);

/** Our stderr as systemctl would word it (`sysherd` → `systemctl`). */
const asSystemctl = (s: string): string => s.replace(/\bsysherd\b/g, 'systemctl');
/** Relative times move between two runs a second apart. */
const steady = (s: string): string => s.replace(/; [\w ]+ ago/g, '; … ago').replace(/\d\d:\d\d:\d\d/g, 'HH:MM:SS');

describe('remote hosts over ssh (-H, fleets)', () => {
  before(async () => {
    ensureBuilt();
    sb = await bootSandbox('system', { units: UNITS });
    hosts = await startSshHosts({ sb1: sb.pid1!, sb2: sb.pid1!, sb3: sb.pid1! });
  });
  after(async () => {
    await hosts?.stop();
    await sb?.stop();
  });

  it('list-units over -H prints what systemctl -H prints, byte for byte', async () => {
    for (const args of [['list-units'], ['list-units', '--all', '--type=service'], ['list-units', '--state=active', '--no-legend', '*.socket'], ['list-units', 'nothing-matches*']]) {
      const ours = await sysherd(['-H', 'sb1', ...args]);
      const theirs = await systemctl(['-H', 'sb1', ...args]);
      assert.equal(ours.code, theirs.code, `${args.join(' ')}\n${show(ours)}`);
      assert.equal(ours.stdout, theirs.stdout, args.join(' '));
      assert.equal(asSystemctl(ours.stderr), theirs.stderr, args.join(' '));
    }
    // and the same units as the host itself lists
    const local = await execInSandbox(sb!.dir, ['systemctl', 'list-units', '--all', '--plain', '--no-legend']);
    const remote = await sysherd(['-H', 'sb1', 'list-units', '--all', '--plain', '--no-legend']);
    assert.equal(remote.stdout, local.stdout);
  });

  it('lifecycle, status, show, queries, unit files, jobs and cat over -H match systemctl -H', async () => {
    const cases: string[][] = [
      ['restart', 'w.service'],
      ['stop', 'w.service'],
      ['start', 'w.service'],
      ['start', 'bad.service'],
      ['status', 'w.service'],
      ['show', '-p', 'ActiveState,SubState,Id', 'w.service', 'bad.service'],
      ['status', 'no-such.service'],
      ['is-active', 'w.service', 'bad.service'],
      ['is-failed', 'bad.service'],
      ['list-jobs'],
      ['list-sockets'],
      ['daemon-reload'],
      ['is-system-running'],
    ];
    for (const args of cases) {
      const theirs = await systemctl(['-H', 'sb1', ...args]);
      if (args[0] === 'start' || args[0] === 'restart' || args[0] === 'stop') await execInSandbox(sb!.dir, ['systemctl', 'reset-failed']);
      const ours = await sysherd(['-H', 'sb1', ...args]);
      assert.equal(ours.code, theirs.code, `${args.join(' ')}\n${show(ours)}\n--- systemctl ---\n${theirs.stderr}`);
      // a deliberate difference: status over -H shows the host's journal lines (systemctl -H none);
      // without them it is systemctl -H's, with them systemctl's on the host itself
      if (args[0] === 'status' && ours.code === 0) {
        const there = await execInSandbox(sb!.dir, ['systemctl', '--no-pager', ...args]);
        // (no process name after the main PID remotely: /proc is the host's, as systemctl -H)
        const noComm = (s: string): string => s.replace(/(Main PID: \d+) \([^)]*\)/, '$1');
        assert.equal(steady(ours.stdout), noComm(steady(there.stdout)), `${args.join(' ')}: as systemctl on the host`);
        assert.match(there.stdout, /\n\n\w{3} \d\d \d\d:\d\d:\d\d .*\n/, 'the host has journal lines to show');
        assert.equal(steady(ours.stdout.slice(0, ours.stdout.indexOf('\n\n') + 1)), steady(theirs.stdout), args.join(' '));
        assert.equal(steady(asSystemctl(ours.stderr)), steady(theirs.stderr), args.join(' '));
        // and in a fleet: each host's block with its own journal lines
        const fleet = await sysherd(['-H', 'sb1,sb2', ...args]);
        assert.equal(fleet.code, 0, show(fleet));
        assert.equal(fleet.stdout.match(/\w{3} \d\d \d\d:\d\d:\d\d \S+ /g)!.length >= 2, true, show(fleet));
        continue;
      }
      assert.equal(steady(ours.stdout), steady(theirs.stdout), args.join(' '));
      assert.equal(steady(asSystemctl(ours.stderr)), steady(theirs.stderr), args.join(' '));
    }
    // unit-file verbs: systemctl -H runs them client-side on a machine not booted with systemd
    // (install_client_side: sd_booted() is false here), so the standard is systemctl on the host
    for (const args of [['is-enabled', 'w.service', 'dbus.service'], ['list-unit-files', 'w*', 'bad*', 'dbus*']]) {
      const there = await execInSandbox(sb!.dir, ['systemctl', '--no-pager', ...args]);
      const ours = await sysherd(['-H', 'sb1', ...args]);
      assert.equal(ours.code, there.code, `${args.join(' ')}\n${show(ours)}`);
      assert.equal(ours.stdout, there.stdout, args.join(' '));
      assert.equal(asSystemctl(ours.stderr), there.stderr, args.join(' '));
    }
    // systemctl refuses to cat remote units; so do we, in our one-line error form
    const theirs = await systemctl(['-H', 'sb1', 'cat', 'w.service']);
    const ours = await sysherd(['-H', 'sb1', 'cat', 'w.service']);
    assert.equal(theirs.stderr, 'Cannot remotely cat units.\n');
    assert.equal(ours.code, theirs.code, show(ours));
    assert.equal(ours.stderr, 'sysherd: Cannot remotely cat units\n');
  });

  it("herd status over -H reads the host's journal over ssh", async () => {
    await execInSandbox(sb!.dir, ['systemctl', 'restart', 'w.service']);
    const r = await sysherd(['-H', 'sb1', 'herd', 'status', 'w', '--json']);
    assert.equal(r.code, 0, show(r));
    const doc = JSON.parse(r.stdout) as unknown;
    assert.match(JSON.stringify(doc), /w\.service/);
    assert.doesNotMatch(r.stderr, /not available|not reachable/, show(r));
  });

  it('a missing host, a refused key and a host without the bridge: one line each, exit 1 as systemctl, fast', async () => {
    const cases: [string, NodeJS.ProcessEnv, RegExp][] = [
      ['nosuchhost.invalid', hosts!.env, /Could not resolve hostname/],
      ['sb1', hosts!.refusedEnv, /Permission denied \(publickey\)/],
      ['nobridge', hosts!.env, /systemd-stdio-bridge: not found/],
    ];
    for (const [host, env, why] of cases) {
      const theirs = await systemctl(['-H', host, 'list-units'], env);
      const ours = await sysherd(['-H', host, 'list-units'], env);
      assert.equal(ours.code, theirs.code, show(ours));
      assert.equal(ours.stdout, '');
      assert.match(ours.stderr, new RegExp(`^sysherd: cannot reach ${host.replace(/\./g, '\\.')} over ssh: [^\\n]*\\n$`), show(ours));
      assert.match(ours.stderr, why, show(ours));
      assert.ok(ours.ms < 10_000, `took ${ours.ms} ms`);
    }
    // a host that logs in and then never answers: the connect timeout ends it, ssh is not left behind
    const hung = await sysherd(['-H', 'hangs', '--timeout', '2s', 'list-units']);
    assert.equal(hung.code, 1, show(hung));
    assert.match(hung.stderr, /^sysherd: cannot connect to the system bus at ssh:\/\/hangs \(over ssh\): no answer within 2 s\n$/, show(hung));
    assert.ok(hung.ms < 8_000, `took ${hung.ms} ms`);
    const left = await exec('pgrep', ['-f', `${hosts!.dir}/ssh_config .*-- hangs`]);
    assert.equal(left.stdout, '', 'an ssh to the hung host was left running');
    // --user: the remote user's bus, or one line saying there is none (no session for root here)
    const user = await sysherd(['--user', '-H', 'sb1', 'list-units']);
    assert.equal(user.code, 1, show(user));
    assert.match(user.stderr, /^sysherd: cannot reach sb1 over ssh: .*XDG_RUNTIME_DIR.*no user session[^\n]*\n$/, show(user));
  });

  it('a fleet: one table with a HOST column; --hosts FILE; a header per host for the other verbs', async () => {
    const r = await sysherd(['-H', 'sb1,sb2', '-H', 'sb3', 'list-units', '--type=socket']);
    assert.equal(r.code, 0, show(r));
    const rows = r.stdout.trim().split('\n');
    assert.match(rows[0]!, /^HOST +UNIT +LOAD +ACTIVE +SUB +DESCRIPTION$/);
    const byHost = new Map<string, string[]>();
    for (const row of rows.slice(1)) {
      const [host, unit] = row.split(/\s+/);
      byHost.set(host!, [...(byHost.get(host!) ?? []), unit!]);
    }
    assert.deepEqual([...byHost.keys()], ['sb1', 'sb2', 'sb3']);
    assert.ok(byHost.get('sb1')!.includes('dbus.socket'));
    assert.deepEqual(byHost.get('sb1'), byHost.get('sb2'));
    const file = path.join(hosts!.dir, 'fleet');
    fs.writeFileSync(file, '# the fleet\nsb1\nsb2   # same machine, another name\n\n');
    const st = await sysherd(['--hosts', file, 'is-active', 'w.service']);
    assert.equal(st.code, 0, show(st));
    assert.equal(st.stdout, '── sb1 ──\nactive\n\n── sb2 ──\nactive\n');
  });

  it('a fleet restart on three sandboxes with one stopped mid-run: the others succeed, the JSON says which failed and why', async () => {
    // three machines: A (sb1), C (sb2) and B (sb3), which goes away while its job runs
    const [b, c] = await Promise.all([bootSandbox('system', { units: UNITS }), bootSandbox('system', { units: UNITS })]);
    try {
      await hosts!.setPid('sb3', b.pid1!);
      await hosts!.setPid('sb2', c.pid1!);
      const run = sysherd(['-H', 'sb1,sb2,sb3', 'restart', 'slow.service', '--json']);
      // wait until sb3 (sandbox B) runs the job, then take B away
      const end = Date.now() + 30_000;
      for (;;) {
        const jobs = await execInSandbox(b.dir, ['systemctl', 'list-jobs', '--no-legend']);
        if (jobs.stdout.includes('slow.service')) break;
        assert.ok(Date.now() < end, 'the restart never reached sb3');
        await new Promise((r) => setTimeout(r, 100));
      }
      await b.stop();
      const r = await run;
      assert.equal(r.code, 1, show(r));
      const doc = JSON.parse(r.stdout) as { host: string; ok: boolean; result?: unknown; error?: { message: string; dbusName: string | null; exitCode: number } }[];
      assert.deepEqual(doc.map((d) => [d.host, d.ok]), [['sb1', true], ['sb2', true], ['sb3', false]]);
      assert.deepEqual(Object.keys(doc[2]!).sort(), ['error', 'host', 'ok']);
      assert.equal(doc[2]!.error!.exitCode, 1);
      assert.equal(doc[2]!.error!.dbusName, null);
      assert.match(doc[2]!.error!.message, /sb3/);
      assert.match(r.stderr, /^sysherd: sb3: [^\n]+\n$/m, show(r));
      // the others really did restart, each on its own machine
      for (const dir of [sb!.dir, c.dir]) {
        const state = await execInSandbox(dir, ['systemctl', 'is-active', 'slow.service']);
        assert.equal(state.stdout, 'active\n', dir);
      }
    } finally {
      await Promise.all([b.stop(), c.stop()]);
      await hosts!.setPid('sb3', sb!.pid1!);
      await hosts!.setPid('sb2', sb!.pid1!);
    }
  });
});
