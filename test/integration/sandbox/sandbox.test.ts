/**
 * Integration tests of the sandboxes: boot a real `systemd --user` and a real systemd in system
 * mode, talk to them over their buses, run commands inside, stop them. Needs root.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { SandboxError } from '../../../src/core/errors.js';
import {
  execInSandbox,
  isSandboxRunning,
  readSandbox,
  startSandbox,
  stopSandbox,
} from '../../../src/sandbox/sandbox.js';
import { type BootedSandbox, bootSandbox, projectRoot } from '../../helpers/sandbox.js';


const HELLO = `[Unit]
Description=hello from the sandbox test

[Service]
Type=oneshot
ExecStart=/bin/true
`;

function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 10_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

function busctl(address: string, ...args: string[]) {
  return run('busctl', [`--address=${address}`, ...args]);
}

const SD = ['org.freedesktop.systemd1', '/org/freedesktop/systemd1', 'org.freedesktop.systemd1.Manager'] as const;

function pidAlive(pid: number): boolean {
  // a zombie still has a /proc entry until it is reaped: count it as gone
  try {
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms = 2000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!pidAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return !pidAlive(pid);
}

/** Assert that stop() removed everything: cgroup, processes, state, directory. */
async function assertStopped(sb: BootedSandbox): Promise<void> {
  const t0 = Date.now();
  await sb.stop();
  const ms = Date.now() - t0;
  console.log(`# ${sb.mode}-mode stop: ${ms} ms`);
  assert.equal(fs.existsSync(sb.cgroup), false, `cgroup ${sb.cgroup} still exists`);
  assert.ok(await waitGone(sb.pid), `launcher ${sb.pid} still running`);
  if (sb.pid1 !== null) assert.ok(await waitGone(sb.pid1), `systemd ${sb.pid1} still running`);
  assert.equal(fs.existsSync(sb.dir), false, `${sb.dir} still exists`);
  // again: nothing to do, no error
  await sb.stop();
  await stopSandbox(sb.dir);
}

describe('user-mode sandbox', () => {
  let sb: BootedSandbox | undefined;
  before(async () => {
    const t0 = Date.now();
    sb = await bootSandbox('user', { units: { 'hello.service': HELLO } });
    console.log(`# user-mode boot: ${Date.now() - t0} ms`);
  });
  after(() => sb?.stop());

  test('state: readSandbox, pids, cgroup, files', () => {
    const info = readSandbox(sb!.dir);
    const { stop: _stop, ...expected } = sb!;
    assert.deepEqual(info, expected);
    assert.equal(info.pid1, info.pid, 'the launcher execs systemd --user');
    assert.equal(fs.readFileSync(`/proc/${info.pid}/comm`, 'utf8').trim(), 'systemd');
    assert.match(info.cgroup, /^\/sys\/fs\/cgroup(\/unified)?\/sandbox-user-/);
    assert.ok(fs.existsSync(info.cgroup));
    // the cgroup, then its inode; the cgroup's name ends with the DIR's identity
    const st = fs.statSync(info.dir, { bigint: true });
    assert.ok(info.cgroup.endsWith(`-d${st.dev}i${st.ino}`), info.cgroup);
    assert.equal(fs.readFileSync(path.join(info.dir, 'cgroup'), 'utf8'), `${info.cgroup}\n${fs.statSync(info.cgroup, { bigint: true }).ino}\n`);
    assert.equal(isSandboxRunning(info.dir), true);
    // systemd sees only its own subtree, as the root of its cgroup namespace
    assert.match(fs.readFileSync(`/proc/${info.pid}/cgroup`, 'utf8'), /^0::\/sandbox-user-[^/\n]+\/init\.scope$/m);
    // and it moved nothing of the host: we are still outside it
    assert.doesNotMatch(fs.readFileSync('/proc/self/cgroup', 'utf8'), /sandbox-/);
    assert.equal(info.unitDir, path.join(info.dir, 'config/systemd/user'));
    assert.equal(info.env.DBUS_SESSION_BUS_ADDRESS, info.busAddress);
  });

  test('the bus answers: ListUnits', async () => {
    const r = await busctl(sb!.busAddress, 'call', ...SD, 'ListUnits');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^a\(ssssssouso\) \d+ /);
    assert.match(r.stdout, /"default\.target"/);
  });

  test('a unit file dropped before boot loads', async () => {
    const r = await busctl(sb!.busAddress, 'call', ...SD, 'LoadUnit', 's', 'hello.service');
    assert.equal(r.code, 0, r.stderr);
    const unitPath = /^o "(.+)"$/.exec(r.stdout.trim())?.[1];
    assert.ok(unitPath, r.stdout);
    const st = await busctl(sb!.busAddress, 'get-property', 'org.freedesktop.systemd1', unitPath, 'org.freedesktop.systemd1.Unit', 'LoadState');
    assert.equal(st.stdout.trim(), 's "loaded"');
  });

  test('execInSandbox runs clients with the sandbox environment', async () => {
    const r = await execInSandbox(sb!.dir, ['busctl', '--user', 'get-property', ...SD, 'SystemState']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^s "(running|degraded)"$/m);
    const sc = await execInSandbox(sb!.dir, ['env', 'SYSTEMCTL_FORCE_BUS=1', 'systemctl', '--user', 'start', 'hello.service']);
    assert.equal(sc.code, 0, sc.stderr);
  });

  test('starting a sandbox in the same DIR again: clear error, the running one is untouched', async () => {
    await assert.rejects(startSandbox({ mode: 'user', dir: sb!.dir }), (err: unknown) => {
      return err instanceof SandboxError && err.message === `${sb!.dir} already holds a running sandbox (cgroup ${sb!.cgroup})`;
    });
    assert.equal(isSandboxRunning(sb!.dir), true);
    assert.equal((await busctl(sb!.busAddress, 'call', ...SD, 'ListUnits')).code, 0);
  });

  test('a forged state cannot make root stop this sandbox, nor enter it', async () => {
    const evil = fs.mkdtempSync(path.join(os.tmpdir(), 'sysherd-test-forged-'));
    const cg = path.join(evil, 'cgroup');
    try {
      // a DIR others can write, as the attacker of issue 13 had it
      fs.chmodSync(evil, 0o777);
      fs.writeFileSync(cg, `${sb!.cgroup}\n`);
      fs.writeFileSync(path.join(evil, 'sandbox.json'), JSON.stringify({ ...readSandbox(sb!.dir), dir: evil }));
      await assert.rejects(stopSandbox(evil), /^SandboxError: refusing to use the sandbox directory .*: it is writable by others/);
      assert.throws(() => readSandbox(evil), /refusing to use/); // exec would enter the pid it names
      // a DIR of another user's
      fs.chmodSync(evil, 0o755);
      fs.chownSync(evil, 65534, 65534);
      await assert.rejects(stopSandbox(evil), /it is owned by uid 65534/);
      // root's DIR, a state file of another user's
      fs.chownSync(evil, 0, 0);
      fs.chownSync(cg, 65534, 65534);
      await assert.rejects(stopSandbox(evil), /refusing to use .*\/cgroup: it is owned by uid 65534/);
      // everything root's (a state copied by hand): the cgroup does not carry this DIR's identity
      fs.chownSync(cg, 0, 0);
      await assert.rejects(stopSandbox(evil), /does not carry the identity of the sandbox directory/);
      // the real sandbox's state file, through a symlink
      fs.rmSync(cg);
      fs.symlinkSync(path.join(sb!.dir, 'cgroup'), cg);
      await assert.rejects(stopSandbox(evil), /it is a symlink/);
      assert.equal(isSandboxRunning(sb!.dir), true);
      assert.equal((await busctl(sb!.busAddress, 'call', ...SD, 'ListUnits')).code, 0);
    } finally {
      fs.rmSync(evil, { recursive: true, force: true });
    }
  });

  test('stop removes the cgroup and the processes; stopping twice is fine', async () => {
    await assertStopped(sb!);
  });
});

describe('sandbox start on an existing directory', () => {
  test('the CLI on /proc/sys: one plain line, exit 1, no internal error', async () => {
    const r = await run(process.execPath, [path.join(projectRoot, 'bin', 'sysherd.js'), 'sandbox', 'start', '/proc/sys']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^sysherd: refusing to use \/proc\/sys as a sandbox directory: it is a system directory; [^\n]*\n$/);
  });

  test('an empty directory of root\'s keeps its mode; the CLI quotes the paths of its hints', async () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'sysherd-test-existing-'));
    const dir = path.join(parent, 'a dir');
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.chmodSync(dir, 0o700);
    try {
      const r = await run(process.execPath, [path.join(projectRoot, 'bin', 'sysherd.js'), 'sandbox', 'start', '--user', dir]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(fs.statSync(dir).mode & 0o7777, 0o700, 'start changed the mode of a directory it did not create');
      const q = `'${dir}'`;
      assert.ok(r.stderr.includes(`  stop it:  sysherd sandbox stop ${q}\n`), r.stderr);
      assert.ok(r.stderr.includes(`  inside:   sysherd sandbox exec ${q} -- systemctl --user status\n`), r.stderr);
      assert.ok(r.stderr.includes(`XDG_RUNTIME_DIR='${dir}/xdg'`), r.stderr);
      // the env file and the export line are shell words: a shell gets the DIR back
      const env = await run('bash', ['-c', `${fs.readFileSync(path.join(dir, 'env'), 'utf8')}printf %s "$XDG_CONFIG_HOME"`]);
      assert.equal(env.stdout, `${dir}/config`);
      const exportLine = /^ {2}or: {7}(export .*)$/m.exec(r.stderr)?.[1];
      assert.ok(exportLine, r.stderr);
      assert.equal((await run('bash', ['-c', `${exportLine}; printf %s "$DBUS_SESSION_BUS_ADDRESS"`])).stdout, `unix:path=${dir}/xdg/bus`);
    } finally {
      await stopSandbox(dir);
      fs.rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe('system-mode sandbox', () => {
  let sb: BootedSandbox | undefined;
  before(async () => {
    const t0 = Date.now();
    sb = await bootSandbox('system', { units: { 'hello.service': HELLO } });
    console.log(`# system-mode boot: ${Date.now() - t0} ms`);
  });
  after(() => sb?.stop());

  test('state: pids and cgroup', () => {
    const info = readSandbox(sb!.dir);
    assert.notEqual(info.pid1, null);
    assert.notEqual(info.pid1, info.pid);
    assert.equal(fs.readFileSync(`/proc/${info.pid1}/comm`, 'utf8').trim(), 'systemd');
    assert.equal(fs.readFileSync(`/proc/${info.pid}/comm`, 'utf8').trim(), 'unshare');
    assert.match(info.cgroup, /^\/sys\/fs\/cgroup(\/unified)?\/sandbox-system-/);
    assert.equal(info.unitDir, path.join(info.dir, 'units'));
    assert.ok(fs.existsSync(path.join(info.unitDir, 'sandbox.target')));
    assert.equal(info.env.DBUS_SYSTEM_BUS_ADDRESS, info.busAddress);
    assert.equal(fs.statSync(info.dir).mode & 0o777, 0o755);
    // PID 1 lives in namespaces of its own (systemd sets its hostname from /etc/hostname there)
    for (const ns of ['mnt', 'pid', 'uts', 'ipc', 'net', 'cgroup']) {
      assert.notEqual(fs.readlinkSync(`/proc/${info.pid1}/ns/${ns}`), fs.readlinkSync(`/proc/self/ns/${ns}`), ns);
    }
  });

  test('the bus answers: GetUnit sandbox.target', async () => {
    const r = await busctl(sb!.busAddress, 'call', ...SD, 'GetUnit', 's', 'sandbox.target');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^o "\/org\/freedesktop\/systemd1\/unit\/sandbox_2etarget"/);
  });

  test('a unit file dropped before boot loads', async () => {
    const r = await busctl(sb!.busAddress, 'call', ...SD, 'LoadUnit', 's', 'hello.service');
    assert.equal(r.code, 0, r.stderr);
    const st = await busctl(
      sb!.busAddress,
      'get-property',
      'org.freedesktop.systemd1',
      '/org/freedesktop/systemd1/unit/hello_2eservice',
      'org.freedesktop.systemd1.Unit',
      'LoadState',
    );
    assert.equal(st.stdout.trim(), 's "loaded"');
  });

  test('the bus is reachable from the host by an unprivileged uid', async () => {
    const r = await run('setpriv', [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      'busctl',
      `--address=${sb!.busAddress}`,
      'call',
      ...SD,
      'GetUnit',
      's',
      'sandbox.target',
    ]);
    assert.equal(r.code, 0, r.stderr);
  });

  test('execInSandbox runs commands inside, as root', async () => {
    const comm = await execInSandbox(sb!.dir, ['cat', '/proc/1/comm']);
    assert.deepEqual([comm.code, comm.stdout], [0, 'systemd\n']);
    const state = await execInSandbox(sb!.dir, ['systemctl', 'is-system-running']);
    assert.match(state.stdout.trim(), /^(running|degraded)$/, state.stderr);
    const input = await execInSandbox(sb!.dir, ['cat'], { input: 'through stdin' });
    assert.equal(input.stdout, 'through stdin');
    const start = await execInSandbox(sb!.dir, ['systemctl', 'start', 'hello.service']);
    assert.equal(start.code, 0, start.stderr);
  });

  test('execInSandbox as uid 65534: id, reads allowed, mutations need polkit auth', async () => {
    const id = await execInSandbox(sb!.dir, ['id', '-u'], { uid: 65534 });
    assert.deepEqual([id.code, id.stdout], [0, '65534\n']);
    const read = await execInSandbox(sb!.dir, ['systemctl', 'show', '-P', 'LoadState', 'hello.service'], { uid: 65534 });
    assert.deepEqual([read.code, read.stdout], [0, 'loaded\n']);
    const write = await execInSandbox(sb!.dir, ['systemctl', 'start', 'hello.service'], { uid: 65534 });
    assert.notEqual(write.code, 0);
    assert.match(write.stderr, /Interactive authentication required/);
  });

  test('the project checkout is bound read-only inside', async () => {
    const r = await execInSandbox(sb!.dir, ['test', '-f', path.join(projectRoot, 'package.json')]);
    assert.equal(r.code, 0);
    const w = await execInSandbox(sb!.dir, ['touch', path.join(projectRoot, '.sandbox-write-test')]);
    assert.notEqual(w.code, 0);
    assert.match(w.stderr, /Read-only file system/);
  });

  test('starting a sandbox in the same DIR again: clear error', async () => {
    await assert.rejects(startSandbox({ mode: 'system', dir: sb!.dir }), /already holds a running sandbox/);
    assert.equal(isSandboxRunning(sb!.dir), true);
  });

  test('stop removes the cgroup and the processes; stopping twice is fine', async () => {
    await assertStopped(sb!);
  });
});

describe('failed starts leave nothing behind', () => {
  test('timeout: clear error, cgroup removed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sysherd-test-timeout-'));
    try {
      await assert.rejects(startSandbox({ mode: 'user', dir, timeoutMs: 1 }), (err: unknown) => {
        return (
          err instanceof SandboxError &&
          err.message === `sandbox did not answer on unix:path=${dir}/xdg/bus within 1 ms; see ${dir}/sandbox.log`
        );
      });
      const cg = fs.readFileSync(path.join(dir, 'cgroup'), 'utf8').trim();
      assert.equal(fs.existsSync(cg), false, `${cg} left behind`);
      assert.throws(() => readSandbox(dir), /no sandbox in/);
    } finally {
      await stopSandbox(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a unit dir writer that throws: nothing started', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sysherd-test-beforeboot-'));
    try {
      await assert.rejects(
        startSandbox({
          mode: 'system',
          dir,
          beforeBoot: () => {
            throw new Error('boom');
          },
        }),
        /sandbox not started: beforeBoot failed: boom/,
      );
      assert.equal(fs.existsSync(path.join(dir, 'cgroup')), false);
    } finally {
      await stopSandbox(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the sandbox dies before it answers: clear error with the log, cgroup removed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sysherd-test-early-'));
    try {
      await assert.rejects(
        startSandbox({
          mode: 'system',
          dir,
          // the mount sequence needs DIR/merged: without it the launcher fails at once
          beforeBoot: (unitDir) => fs.rmSync(path.join(unitDir, '..', 'merged'), { recursive: true }),
        }),
        (err: unknown) => {
          assert.ok(err instanceof SandboxError);
          assert.match(
            err.message,
            new RegExp(`^sandbox did not answer on unix:path=${dir}/run-dbus/system_bus_socket: it exited with code \\d+ \\(.*merged.*\\); see ${dir}/sandbox.log$`),
          );
          assert.equal((err.hint ?? '').includes('\n'), false, 'the hint is one line');
          return true;
        },
      );
      const cg = fs.readFileSync(path.join(dir, 'cgroup'), 'utf8').trim();
      assert.equal(fs.existsSync(cg), false, `${cg} left behind`);
    } finally {
      await stopSandbox(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a bind that does not exist: clear error', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sysherd-test-binds-'));
    try {
      await assert.rejects(startSandbox({ mode: 'system', dir, binds: ['/nonexistent/x'] }), /cannot bind \/nonexistent\/x into the sandbox: ENOENT/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
