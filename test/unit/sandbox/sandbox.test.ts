/**
 * Unit tests of the sandbox module: option checks, state files, command construction, stop on
 * directories without a sandbox. No systemd is started here.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { PermissionError, SandboxError } from '../../../src/core/errors.js';
import { createSandboxCgroup, findCgroup2Root, isSandboxCgroupPath } from '../../../src/sandbox/cgroup.js';
import {
  type SandboxInfo,
  execArgv,
  execInSandbox,
  isSandboxRunning,
  normalizeStartOptions,
  readSandbox,
  requireRoot,
  sandboxLayout,
  startSandbox,
  stopSandbox,
  stopSandboxSync,
} from '../../../src/sandbox/sandbox.js';
import { ENTER_CGROUP, SYSTEM_MODE, USER_MODE } from '../../../src/sandbox/scripts.js';

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sysherd-unit-sandbox-'));
});
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function freshDir(name: string): string {
  const d = path.join(tmp, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
}

const systemInfo: SandboxInfo = {
  mode: 'system',
  dir: '/tmp/sb',
  cgroup: '/sys/fs/cgroup/unified/sandbox-system-1-0',
  pid: 100,
  pid1: 101,
  busAddress: 'unix:path=/tmp/sb/run-dbus/system_bus_socket',
  env: { DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/tmp/sb/run-dbus/system_bus_socket' },
  unitDir: '/tmp/sb/units',
};

const userInfo: SandboxInfo = {
  mode: 'user',
  dir: '/tmp/su',
  cgroup: '/sys/fs/cgroup/unified/sandbox-user-1-0',
  pid: 200,
  pid1: 200,
  busAddress: 'unix:path=/tmp/su/xdg/bus',
  env: {
    XDG_RUNTIME_DIR: '/tmp/su/xdg',
    XDG_CONFIG_HOME: '/tmp/su/config',
    DBUS_SESSION_BUS_ADDRESS: 'unix:path=/tmp/su/xdg/bus',
  },
  unitDir: '/tmp/su/config/systemd/user',
};

function withUid<T>(uid: number, fn: () => T): T {
  const orig = process.getuid;
  process.getuid = () => uid;
  try {
    return fn();
  } finally {
    process.getuid = orig;
  }
}

describe('normalizeStartOptions', () => {
  test('fills in defaults and makes dir absolute', () => {
    const o = normalizeStartOptions({ mode: 'user', dir: 'rel/dir' });
    assert.equal(o.dir, path.resolve('rel/dir'));
    assert.equal(o.timeoutMs, 20000);
    assert.deepEqual(o.binds, []);
    assert.equal(o.waitForBoot, false);
  });

  const bad: [string, unknown, RegExp][] = [
    ['unknown mode', { mode: 'session', dir: '/tmp/x' }, /unknown sandbox mode "session": use "user" or "system"/],
    ['empty dir', { mode: 'user', dir: '' }, /needs a directory/],
    ['dir /', { mode: 'system', dir: '/' }, /cannot be \//],
    ['comma in a system dir', { mode: 'system', dir: '/tmp/a,b' }, /cannot contain/],
    ['binds in user mode', { mode: 'user', dir: '/tmp/x', binds: ['/work'] }, /only apply to system-mode/],
    ['binds not strings', { mode: 'system', dir: '/tmp/x', binds: [1] }, /binds must be a list/],
    ['zero timeout', { mode: 'user', dir: '/tmp/x', timeoutMs: 0 }, /invalid timeoutMs 0/],
    ['NaN timeout', { mode: 'user', dir: '/tmp/x', timeoutMs: Number.NaN }, /invalid timeoutMs/],
    ['beforeBoot not a function', { mode: 'user', dir: '/tmp/x', beforeBoot: 'x' }, /beforeBoot must be a function/],
  ];
  for (const [name, opts, re] of bad) {
    test(`rejects ${name}`, () => {
      assert.throws(
        () => normalizeStartOptions(opts as never),
        (err: unknown) => err instanceof SandboxError && re.test(err.message),
      );
    });
  }

  test('a comma is fine in a user-mode dir', () => {
    assert.equal(normalizeStartOptions({ mode: 'user', dir: '/tmp/a,b' }).dir, '/tmp/a,b');
  });
});

describe('requireRoot', () => {
  test('throws the documented message when not root', () => {
    withUid(1000, () => {
      assert.throws(requireRoot, (err: unknown) => {
        assert.ok(err instanceof PermissionError);
        assert.equal(err.message, 'the sandbox needs root: it creates cgroups and namespaces');
        assert.equal(err.exitCode, 4);
        return true;
      });
    });
  });

  test('passes as root', () => {
    withUid(0, () => requireRoot());
  });

  test('startSandbox checks root before it touches anything', async () => {
    const dir = path.join(tmp, 'never-created');
    const orig = process.getuid;
    process.getuid = () => 1000;
    try {
      await assert.rejects(startSandbox({ mode: 'user', dir }), /needs root/);
    } finally {
      process.getuid = orig;
    }
    assert.equal(fs.existsSync(dir), false);
  });

  test('startSandbox checks its options first', async () => {
    await assert.rejects(startSandbox({ mode: 'bogus' as never, dir: '/tmp/x' }), SandboxError);
  });
});

describe('sandboxLayout', () => {
  test('user mode', () => {
    assert.deepEqual(sandboxLayout('user', '/d'), {
      busAddress: 'unix:path=/d/xdg/bus',
      unitDir: '/d/config/systemd/user',
      env: { XDG_RUNTIME_DIR: '/d/xdg', XDG_CONFIG_HOME: '/d/config', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/d/xdg/bus' },
    });
  });
  test('system mode', () => {
    assert.deepEqual(sandboxLayout('system', '/d'), {
      busAddress: 'unix:path=/d/run-dbus/system_bus_socket',
      unitDir: '/d/units',
      env: { DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/d/run-dbus/system_bus_socket' },
    });
  });
});

describe('readSandbox', () => {
  test('no state file: a SandboxError that names the file', () => {
    const d = freshDir('empty');
    assert.throws(
      () => readSandbox(d),
      (err: unknown) => err instanceof SandboxError && err.message === `no sandbox in ${d}: ${d}/sandbox.json does not exist`,
    );
  });

  test('missing directory', () => {
    assert.throws(() => readSandbox(path.join(tmp, 'does-not-exist')), /no sandbox in/);
  });

  test('invalid JSON', () => {
    const d = freshDir('badjson');
    fs.writeFileSync(path.join(d, 'sandbox.json'), '{nope');
    assert.throws(() => readSandbox(d), (err: unknown) => err instanceof SandboxError && /not valid JSON/.test(err.message));
  });

  test('wrong fields', () => {
    const d = freshDir('badfields');
    fs.writeFileSync(path.join(d, 'sandbox.json'), JSON.stringify({ ...systemInfo, pid: 'x' }));
    assert.throws(() => readSandbox(d), /fields are missing or of the wrong type/);
  });

  test('round trip, extra fields ignored', () => {
    const d = freshDir('good');
    fs.writeFileSync(path.join(d, 'sandbox.json'), JSON.stringify({ ...systemInfo, bootMs: 12 }));
    assert.deepEqual(readSandbox(d), systemInfo);
  });
});

describe('execArgv', () => {
  test('system mode: nsenter into PID 1 with a fresh environment', () => {
    const { file, args, env } = execArgv(systemInfo, ['systemctl', 'is-system-running']);
    assert.equal(file, 'nsenter');
    assert.deepEqual(args, ['-t', '101', '-m', '-p', '-u', '-i', '-n', '-r', '-w', 'systemctl', 'is-system-running']);
    assert.equal(env.HOME, '/root');
    assert.match(env.PATH ?? '', /\/usr\/bin/);
    assert.equal(env.DBUS_SESSION_BUS_ADDRESS, undefined);
    assert.equal(env.DBUS_SYSTEM_BUS_ADDRESS, undefined);
    assert.equal(env.XDG_RUNTIME_DIR, undefined);
  });

  test('system mode with a uid: setpriv inside', () => {
    const { file, args, env } = execArgv(systemInfo, ['id', '-u'], { uid: 65534 });
    assert.equal(file, 'nsenter');
    assert.deepEqual(args, [
      '-t', '101', '-m', '-p', '-u', '-i', '-n', '-r', '-w',
      'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups',
      'id', '-u',
    ]);
    assert.equal(env.HOME, '/');
  });

  test('user mode: argv itself, sandbox env over process env', () => {
    process.env.SYSHERD_UNIT_MARK = 'kept';
    try {
      const { file, args, env } = execArgv(userInfo, ['busctl', '--user', 'list']);
      assert.equal(file, 'busctl');
      assert.deepEqual(args, ['--user', 'list']);
      assert.equal(env.SYSHERD_UNIT_MARK, 'kept');
      assert.equal(env.DBUS_SESSION_BUS_ADDRESS, 'unix:path=/tmp/su/xdg/bus');
      assert.equal(env.XDG_RUNTIME_DIR, '/tmp/su/xdg');
    } finally {
      delete process.env.SYSHERD_UNIT_MARK;
    }
  });

  test('user mode with a uid: setpriv', () => {
    const { file, args } = execArgv(userInfo, ['id', '-u'], { uid: 0 });
    assert.equal(file, 'setpriv');
    assert.deepEqual(args, ['--reuid=0', '--regid=0', '--clear-groups', 'id', '-u']);
  });

  test('arguments are passed as they are, never through a shell', () => {
    const nasty = ['echo', '$(rm -rf /)', "'; reboot", '`x`'];
    assert.deepEqual(execArgv(userInfo, nasty).args, nasty.slice(1));
    assert.deepEqual(execArgv(systemInfo, nasty).args.slice(9), nasty);
  });

  test('errors', () => {
    assert.throws(() => execArgv(userInfo, []), /argv must be a non-empty list/);
    assert.throws(() => execArgv(systemInfo, ['id'], { uid: -1 }), /invalid uid -1/);
    assert.throws(() => execArgv(systemInfo, ['id'], { uid: 1.5 }), /invalid uid/);
    assert.throws(() => execArgv({ ...systemInfo, pid1: null }, ['id']), /pid of its PID 1 is unknown/);
  });
});

describe('execInSandbox (user-mode state, no systemd needed)', () => {
  test('runs argv with the sandbox environment and passes input', async () => {
    const d = freshDir('exec-user');
    const info = { ...userInfo, dir: d, env: { ...userInfo.env, XDG_CONFIG_HOME: `${d}/config` } };
    fs.writeFileSync(path.join(d, 'sandbox.json'), JSON.stringify(info));
    const r = await execInSandbox(d, ['sh', '-c', 'printf "%s|" "$XDG_CONFIG_HOME"; cat; echo err >&2; exit 3'], {
      input: 'hello',
    });
    assert.deepEqual(r, { code: 3, signal: null, stdout: `${d}/config|hello`, stderr: 'err\n' });
  });

  test('a program that does not exist: SandboxError', async () => {
    const d = freshDir('exec-missing');
    fs.writeFileSync(path.join(d, 'sandbox.json'), JSON.stringify({ ...userInfo, dir: d }));
    await assert.rejects(execInSandbox(d, ['/nonexistent/prog']), (err: unknown) => {
      return err instanceof SandboxError && /cannot run \/nonexistent\/prog in the sandbox/.test(err.message);
    });
  });

  test('no sandbox in DIR', async () => {
    await assert.rejects(execInSandbox(freshDir('exec-none'), ['true']), /no sandbox in/);
  });
});

describe('stopSandbox without a running sandbox', () => {
  test('on a directory with nothing, or no directory at all: no error', async () => {
    await stopSandbox(freshDir('stop-empty'));
    await stopSandbox(path.join(tmp, 'stop-missing'));
    stopSandboxSync(freshDir('stop-empty-sync'));
    assert.equal(isSandboxRunning(freshDir('stop-empty')), false);
  });

  test('a recorded cgroup that is gone: clears the state, twice is fine', async () => {
    const d = freshDir('stop-gone');
    fs.writeFileSync(path.join(d, 'sandbox.json'), JSON.stringify({ ...userInfo, dir: d, cgroup: '/sys/fs/cgroup/unified/sandbox-user-999999999-7' }));
    await stopSandbox(d);
    await stopSandbox(d);
    assert.throws(() => readSandbox(d), /no sandbox in/);
  });

  test('refuses a recorded cgroup that is not a sandbox cgroup', async () => {
    const d = freshDir('stop-evil');
    fs.writeFileSync(path.join(d, 'cgroup'), '/tmp/not-a-cgroup\n');
    await assert.rejects(stopSandbox(d), (err: unknown) => err instanceof SandboxError && /refusing to stop cgroup "\/tmp\/not-a-cgroup"/.test(err.message));
    assert.throws(() => stopSandboxSync(d), /refusing/);
  });
});

const asRoot = { skip: process.geteuid?.() === 0 ? false : 'needs root' };

describe('startSandbox refuses directories it must not use, before it changes anything', asRoot, () => {
  const refused = async (dir: string, re: RegExp): Promise<void> => {
    let started: unknown;
    try {
      started = await startSandbox({ mode: 'user', dir, timeoutMs: 60_000 });
    } catch (err) {
      assert.ok(err instanceof SandboxError && re.test(err.message) && !err.message.includes('\n'), String(err));
      return;
    }
    await stopSandbox(dir); // started where it must not: leave nothing running
    assert.fail(`started a sandbox in ${dir}: ${JSON.stringify(started)}`);
  };

  test('system directories: /tmp, /root, /proc/sys (no EPERM), /usr/local, /var/lib', async () => {
    const before = ['/tmp', '/root', '/usr/local'].map((d) => fs.statSync(d).mode);
    for (const d of ['/tmp', '/root', '/proc/sys', '/proc/sys/kernel', '/usr/local', '/var/lib', '/sys/fs/cgroup', '/run/systemd', '/dev/shm']) {
      await refused(d, /^refusing to use \/[^ ]* as a sandbox directory: it is a system directory$/);
    }
    assert.deepEqual(['/tmp', '/root', '/usr/local'].map((d) => fs.statSync(d).mode), before);
  });

  test('a non-empty directory that is not a sandbox: refused, its mode kept', async () => {
    const d = freshDir('start-nonempty');
    fs.chmodSync(d, 0o700);
    fs.writeFileSync(path.join(d, 'precious'), 'x');
    await refused(d, /is not empty and holds no sandbox/);
    assert.equal(fs.statSync(d).mode & 0o7777, 0o700);
    assert.deepEqual(fs.readdirSync(d), ['precious']);
  });

  test('a directory others can write (1777), or of another user: refused, its mode kept', async () => {
    const d = freshDir('start-sticky');
    fs.chmodSync(d, 0o1777);
    await refused(d, /refusing to use the sandbox directory .*: it is writable by others/);
    assert.equal(fs.statSync(d).mode & 0o7777, 0o1777);
    const u = freshDir('start-nobody');
    fs.chownSync(u, 65534, 65534);
    await refused(u, /it is owned by uid 65534/);
  });
});

describe('stopSandbox kills only the cgroup its DIR started', asRoot, () => {
  test('the name must carry the DIR\'s identity and the inode must be the recorded one', async () => {
    const root = findCgroup2Root();
    assert.ok(root, 'no cgroup2 hierarchy');
    const d = freshDir('stop-identity');
    const st = fs.statSync(d, { bigint: true });
    const cg = createSandboxCgroup(root, 'user', `d${st.dev}i${st.ino}`);
    const other = createSandboxCgroup(root, 'user', 'd1i1');
    try {
      const ino = fs.statSync(cg, { bigint: true }).ino;
      fs.writeFileSync(path.join(d, 'cgroup'), `${other}\n${fs.statSync(other, { bigint: true }).ino}\n`);
      await assert.rejects(stopSandbox(d), /does not carry the identity of the sandbox directory/);
      fs.writeFileSync(path.join(d, 'cgroup'), `${cg}\n${ino + 1n}\n`);
      await assert.rejects(stopSandbox(d), /its inode is not the one recorded/);
      fs.writeFileSync(path.join(d, 'cgroup'), `${cg}\n`);
      await assert.rejects(stopSandbox(d), /its inode is not the one recorded/);
      assert.ok(fs.existsSync(cg) && fs.existsSync(other));
      fs.writeFileSync(path.join(d, 'cgroup'), `${cg}\n${ino}\n`);
      await stopSandbox(d);
      assert.ok(!fs.existsSync(cg), 'the DIR\'s own cgroup was not removed');
      assert.ok(fs.existsSync(other));
    } finally {
      for (const c of [cg, other]) if (fs.existsSync(c)) fs.rmdirSync(c);
    }
  });
});

describe('isSandboxCgroupPath', () => {
  test('accepts sandbox cgroups only', () => {
    assert.ok(isSandboxCgroupPath('/sys/fs/cgroup/unified/sandbox-user-1234'));
    assert.ok(isSandboxCgroupPath('/sys/fs/cgroup/sandbox-system-12-0'));
    for (const p of [
      '/sys/fs/cgroup/unified',
      '/sys/fs/cgroup',
      '/sys/fs/cgroup/unified/init.scope',
      '/sys/fs/cgroup/unified/sandbox-user-1/../..',
      '/sys/fs/cgroup/unified/sandbox-user-1/child',
      '/sys/fs/cgroup/unified/sandbox-other-1',
      '/tmp/sandbox-user-1',
      '',
    ]) {
      assert.equal(isSandboxCgroupPath(p), false, p);
    }
  });
});

describe('scripts', () => {
  test('are constants that take their data as positional parameters', () => {
    assert.equal(ENTER_CGROUP, 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"');
    for (const s of [USER_MODE, SYSTEM_MODE]) {
      assert.match(s, /^set -eu\nD=\$1/);
      assert.match(s, /exec .*\/usr\/lib\/systemd\/systemd/);
    }
    assert.match(SYSTEM_MODE, /for p in "\$@"/);
  });
});
