/**
 * End-to-end tests of the BUILT CLI: `node bin/sysherd.js …` as a child process (argument
 * arrays, no shell), against a real `systemd --user` and a real system-mode systemd booted in
 * sandboxes. Each test checks the exit code AND the output. Needs root (the sandboxes do).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { execInSandbox } from '../../src/sandbox/sandbox.js';
import { type BootedSandbox, bootSandbox } from '../helpers/sandbox.js';
import {
  BIN,
  CliSandboxes,
  SD,
  assertOk,
  assertOneLineError,
  cliEnv,
  ensureBuilt,
  renderTerminal,
  lines,
  projectRoot,
  run,
  runCli,
  runCliInPty,
  sandboxCgroups,
  show,
  unitNames,
  waitActiveState,
} from './helpers.js';


const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string };

const ESC = '\x1b';
/** A description with terminal escape sequences in it: clear screen, set the title, colour. */
const EVIL_DESCRIPTION = `evil${ESC}[2J${ESC}]0;pwned\x07 and ${ESC}[31mred`;
/** Loaded but inactive units (their condition fails): enough to make `--all` a big listing. */
const FILLERS = 2000;

const oneshot = (description: string, exec: string, extra = ''): string =>
  `[Unit]\nDescription=${description}\n${extra}\n[Service]\nType=oneshot\nExecStart=${exec}\n`;

const USER_UNITS: Record<string, string> = {
  'demo-hello.service': oneshot('Demo hello unit', '/bin/true') + 'RemainAfterExit=yes\n',
  'demo-idle.service': oneshot('Demo idle unit', '/bin/true', 'ConditionPathExists=/nonexistent\n'),
  'demo-fail.service': oneshot('Demo failing unit', '/bin/false'),
  'demo-evil.service': oneshot(EVIL_DESCRIPTION, '/bin/true') + 'RemainAfterExit=yes\n',
  'filler@.service': oneshot('Filler %i', '/bin/true', 'ConditionPathExists=/nonexistent\n'),
};

/** Link units into `<unitDir>/<target>.wants/`, so that they are loaded (and started) at boot. */
async function linkWants(unitDir: string, target: string, links: Record<string, string>): Promise<void> {
  const wants = path.join(unitDir, `${target}.wants`);
  await fsp.mkdir(wants, { recursive: true });
  for (const [name, file] of Object.entries(links)) await fsp.symlink(path.join(unitDir, file), path.join(wants, name));
}

function fillerLinks(n: number): Record<string, string> {
  const links: Record<string, string> = {};
  for (let i = 1; i <= n; i++) links[`filler@${i}.service`] = 'filler@.service';
  return links;
}

let user: BootedSandbox | undefined;
let system: BootedSandbox | undefined;
const cliSandboxes = new CliSandboxes();

/** `sysherd --user --address <user sandbox bus> …args` */
function userCli(...args: string[]) {
  return runCli(['--user', '--address', user!.busAddress, ...args]);
}

/** `sysherd --address <system sandbox bus> …args` */
function systemCli(...args: string[]) {
  return runCli(['--address', system!.busAddress, ...args]);
}

interface JsonUnit {
  unit: string;
  load: string;
  active: string;
  sub: string;
  description: string;
}

function parseUnits(stdout: string): JsonUnit[] {
  const v = JSON.parse(stdout) as unknown;
  assert.ok(Array.isArray(v), `expected a JSON array, got ${stdout.slice(0, 200)}`);
  return v as JsonUnit[];
}

describe('sysherd CLI (built bundle), end to end', { timeout: 240_000 }, () => {
  before(async () => {
    ensureBuilt();
    const [u, s] = await Promise.all([
      bootSandbox('user', {
        units: USER_UNITS,
        setup: (unitDir) =>
          linkWants(unitDir, 'default.target', {
            'demo-hello.service': 'demo-hello.service',
            'demo-idle.service': 'demo-idle.service',
            'demo-evil.service': 'demo-evil.service',
            ...fillerLinks(FILLERS),
          }),
        timeoutMs: 60_000,
      }),
      bootSandbox('system'),
    ]);
    user = u;
    system = s;
    // make demo-fail.service fail: start it over the bus (not through sysherd), wait until it failed
    const r = await run('busctl', [`--address=${user.busAddress}`, 'call', ...SD, 'StartUnit', 'ss', 'demo-fail.service', 'replace']);
    assert.equal(r.code, 0, `StartUnit demo-fail.service: ${r.stderr}`);
    assert.equal(await waitActiveState(user.busAddress, 'demo-fail.service', 'failed'), 'failed');
  });

  after(async () => {
    await cliSandboxes.cleanup();
    await Promise.all([user?.stop(), system?.stop()]);
  });

  describe('version and help', () => {
    test('--version prints the version of package.json', async () => {
      const r = await runCli(['--version']);
      assertOk(r);
      assert.equal(r.stdout, `${pkg.version}\n`);
    });

    test('--version (written by the shim straight to descriptor 1) into a pipe already closed: exit 0, nothing on stderr', async () => {
      // `sysherd --version | true`, started once `true` has gone: the write meets EPIPE; pipefail
      // gives sysherd's exit code
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
        const child = spawn('bash', ['-c', 'set -o pipefail; { sleep 0.3; exec "$0" "$1" --version; } | true', process.execPath, BIN], { env: cliEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
        child.once('error', reject);
        child.once('close', (code) => resolve({ code, stderr }));
      });
      assert.equal(r.stderr, '');
      assert.equal(r.code, 0);
    });

    test('--help lists the verbs', async () => {
      const r = await runCli(['--help']);
      assertOk(r);
      assert.match(r.stdout, /^Usage: sysherd /);
      for (const verb of ['list-units', 'sandbox', 'demo']) assert.match(r.stdout, new RegExp(`^\\s+${verb}\\b`, 'm'), `--help should list ${verb}`);
    });
  });

  describe('list-units against the user sandbox', () => {
    test('table, legend and count all on stdout (as systemctl 252), nothing on stderr', async () => {
      const r = await userCli('list-units');
      assertOk(r);
      const rows = lines(r.stdout);
      assert.match(rows[0]!, /^\s*UNIT\s+LOAD\s+ACTIVE\s+SUB\s+DESCRIPTION$/, show(r));
      const hello = rows.find((l) => /^\s*demo-hello\.service\s/.test(l));
      assert.ok(hello, `demo-hello.service should be listed\n${show(r)}`);
      assert.match(hello, /^\s*demo-hello\.service\s+loaded\s+active\s+exited\s+Demo hello unit$/);
      assert.match(r.stdout, /\n\nLOAD   = Reflects whether the unit definition was properly loaded\.\n/);
      const count = /\n(\d+) loaded units listed\. Pass --all to see loaded but inactive units, too\.\nTo show all installed unit files use 'systemctl list-unit-files'\.\n$/.exec(r.stdout);
      assert.ok(count, show(r));
      const tableRows = rows.filter((l) => /^[●* ] \S+\.\w+\s/.test(l));
      assert.equal(Number(count[1]), tableRows.length, 'the count is the number of rows');
    });

    test('--no-legend prints rows only, nothing on stderr', async () => {
      const r = await userCli('list-units', '--no-legend');
      assertOk(r);
      assert.doesNotMatch(r.stdout, /UNIT\s+LOAD/);
      assert.ok(unitNames(r.stdout).includes('demo-hello.service'), show(r));
      for (const l of lines(r.stdout)) assert.match(l, /^[●* ] \S+\s+\S+\s+\S+\s+\S+/, `not a unit row: ${l}`);
    });

    test('--all shows loaded inactive units that the default hides', async () => {
      const def = await userCli('list-units', '--no-legend');
      assertOk(def);
      const all = await userCli('list-units', '--all', '--no-legend');
      assertOk(all);
      const defUnits = unitNames(def.stdout);
      const allUnits = unitNames(all.stdout);
      assert.ok(!defUnits.includes('demo-idle.service'), 'the default hides the inactive demo-idle.service');
      assert.ok(!defUnits.includes('filler@1.service'));
      assert.match(all.stdout, /^\s*demo-idle\.service\s+loaded\s+inactive\s+dead\s+Demo idle unit$/m, show(all));
      assert.ok(allUnits.includes(`filler@${FILLERS}.service`));
      assert.ok(allUnits.length >= FILLERS + defUnits.length, `--all: ${allUnits.length} rows, default: ${defUnits.length}`);
      for (const u of defUnits) assert.ok(allUnits.includes(u), `--all lost ${u}`);
    });

    test("a pattern ('demo-*') filters by unit name", async () => {
      const r = await userCli('list-units', 'demo-*', '--all', '--no-legend');
      assertOk(r);
      assert.deepEqual(unitNames(r.stdout).sort(), ['demo-evil.service', 'demo-fail.service', 'demo-hello.service', 'demo-idle.service']);
    });

    test('--type=service keeps services only', async () => {
      const r = await userCli('list-units', '--type=service', '--no-legend');
      assertOk(r);
      const units = unitNames(r.stdout);
      assert.ok(units.includes('demo-hello.service'), show(r));
      assert.ok(units.includes('dbus.service'), show(r));
      for (const u of units) assert.match(u, /\.service$/);
      // and a comma list of types
      const two = await userCli('list-units', '--type', 'service,target', '--no-legend');
      assertOk(two);
      const twoUnits = unitNames(two.stdout);
      assert.ok(twoUnits.includes('default.target') && twoUnits.includes('demo-hello.service'), show(two));
      for (const u of twoUnits) assert.match(u, /\.(service|target)$/);
    });

    test('--state=failed shows the failed unit, with the ● marker', async () => {
      const r = await userCli('list-units', '--state=failed');
      assertOk(r);
      const rows = lines(r.stdout);
      assert.match(rows[0]!, /UNIT\s+LOAD\s+ACTIVE\s+SUB\s+DESCRIPTION/);
      assert.match(rows[1]!, /^● demo-fail\.service\s+loaded\s+failed\s+failed\s+Demo failing unit$/);
      // with --state: the count alone, plural as systemctl prints it
      assert.match(r.stdout, /\n1 loaded units listed\.\n$/);
    });

    test('--json: a JSON array with exactly the keys of systemctl -o json', async () => {
      const r = await userCli('list-units', '--json');
      assertOk(r);
      assert.equal(lines(r.stdout).length, 1, 'one line when piped');
      const units = parseUnits(r.stdout);
      assert.ok(units.length > 0);
      for (const u of units) {
        assert.deepEqual(Object.keys(u), ['unit', 'load', 'active', 'sub', 'description']);
        for (const v of Object.values(u)) assert.equal(typeof v, 'string');
      }
      assert.deepEqual(
        units.find((u) => u.unit === 'demo-hello.service'),
        { unit: 'demo-hello.service', load: 'loaded', active: 'active', sub: 'exited', description: 'Demo hello unit' },
      );
      // the same rows as the table
      const table = await userCli('list-units', '--no-legend');
      assert.deepEqual(units.map((u) => u.unit), unitNames(table.stdout));
      // --json with filters
      const failed = parseUnits((await userCli('list-units', '--state=failed', '--json')).stdout);
      assert.deepEqual(failed, [{ unit: 'demo-fail.service', load: 'loaded', active: 'failed', sub: 'failed', description: 'Demo failing unit' }]);
    });

    test('--json with nothing to list prints [] and exits 0', async () => {
      const r = await userCli('list-units', 'no-such-unit-*', '--json');
      assertOk(r);
      assert.equal(r.stdout, '[]\n');
    });

    test('nothing to list, as a table: the header over no rows, "0 loaded units listed." on stdout', async () => {
      const r = await userCli('list-units', 'no-such-unit-*');
      assertOk(r);
      assert.equal(
        r.stdout,
        "  UNIT LOAD ACTIVE SUB DESCRIPTION\n0 loaded units listed. Pass --all to see loaded but inactive units, too.\nTo show all installed unit files use 'systemctl list-unit-files'.\n",
      );
    });

    test('a description with escape sequences: escaped in the table, intact in JSON', async () => {
      const t = await userCli('list-units', 'demo-evil.service');
      assertOk(t);
      assert.ok(!t.stdoutBytes.includes(0x1b), `raw ESC byte on stdout: ${JSON.stringify(t.stdout)}`);
      assert.ok(!t.stdoutBytes.includes(0x07), `raw BEL byte on stdout: ${JSON.stringify(t.stdout)}`);
      assert.ok(t.stdout.includes('evil\\x1b[2J\\x1b]0;pwned\\x07 and \\x1b[31mred'), show(t));
      const j = await userCli('list-units', 'demo-evil.service', '--json');
      assertOk(j);
      assert.ok(!j.stdoutBytes.includes(0x1b), 'JSON escapes control characters itself');
      const units = parseUnits(j.stdout);
      assert.equal(units.length, 1);
      assert.equal(units[0]!.description, EVIL_DESCRIPTION);
    });

    test('the closed pipe of `| head -1`: exit 0, no EPIPE trace', async () => {
      const full = await userCli('list-units', '--all', '--no-legend');
      assertOk(full);
      assert.ok(full.stdoutBytes.length > 128 * 1024, `the listing (${full.stdoutBytes.length} bytes) must be far bigger than a pipe buffer`);
      for (const args of [['--all', '--no-legend'], ['--all', '--json'], ['--all']]) {
        // JSON is one line: close after the first chunk, as `| head -c 100` does
        const json = args.includes('--json');
        const r = await firstLineThenClose(['--user', '--address', user!.busAddress, 'list-units', ...args], json ? 'chunk' : 'line');
        const what = `list-units ${args.join(' ')} | head -${json ? 'c 100' : '1'}: exit ${String(r.code)} ${r.signal ?? ''}, read ${r.received} bytes, first line ${JSON.stringify(r.firstLine.slice(0, 100))}\nstderr: ${r.stderr}`;
        assert.equal(r.code, 0, what);
        assert.equal(r.signal, null, what);
        assert.ok(r.received < full.stdoutBytes.length, `the reader must have closed the pipe before the end of the output\n${what}`);
        if (json) assert.match(r.firstLine, /^\[\{"unit":/, what);
        else if (args.includes('--no-legend')) assert.match(r.firstLine, /^[●* ] \S+\.\w+\s+loaded/, what);
        else assert.match(r.firstLine, /^\s*UNIT\s+LOAD\s+ACTIVE\s+SUB\s+DESCRIPTION$/, what);
        assert.equal(r.stderr, '', what);
      }
    });
  });

  describe('list-units against the system sandbox', () => {
    test('--address (system scope) lists sandbox.target', async () => {
      for (const scope of [[], ['--system']]) {
        const r = await runCli([...scope, '--address', system!.busAddress, 'list-units']);
        assertOk(r);
        assert.match(r.stdout, /^\s*UNIT\s+LOAD\s+ACTIVE\s+SUB\s+DESCRIPTION$/m);
        assert.match(r.stdout, /^\s*sandbox\.target\s+loaded\s+active\s+active\s+Sandbox$/m, show(r));
        assert.match(r.stdout, /^\d+ loaded units listed\./m);
      }
    });

    test('without --address: the bus of DBUS_SYSTEM_BUS_ADDRESS / DBUS_SESSION_BUS_ADDRESS', async () => {
      const sys = await runCli(['list-units', 'sandbox.target', '--no-legend'], { env: { DBUS_SYSTEM_BUS_ADDRESS: system!.busAddress } });
      assertOk(sys);
      assert.deepEqual(unitNames(sys.stdout), ['sandbox.target']);
      // the `export …` line `sysherd sandbox start` prints for a user sandbox
      const usr = await runCli(['--user', 'list-units', 'demo-hello.service', '--no-legend'], { env: user!.env });
      assertOk(usr);
      assert.deepEqual(unitNames(usr.stdout), ['demo-hello.service']);
    });

    test('the same units, states and descriptions as systemctl inside the sandbox', async () => {
      for (const all of [false, true]) {
        const flags = all ? ['--all'] : [];
        const ref = await execInSandbox(system!.dir, ['systemctl', 'list-units', ...flags, '-o', 'json']);
        assert.equal(ref.code, 0, ref.stderr);
        const r = await systemCli('list-units', ...flags, '--json');
        assertOk(r);
        const ours = parseUnits(r.stdout);
        const theirs = parseUnits(ref.stdout);
        const byName = (a: JsonUnit, b: JsonUnit): number => (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0);
        assert.deepEqual([...ours].sort(byName), [...theirs].sort(byName), `list-units ${flags.join(' ')}: sysherd vs systemctl`);
      }
    });

    test('table, header, legend and count byte for byte as systemctl inside the sandbox (0 rows too)', async () => {
      for (const flags of [
        ['*.target'],
        ['*.target', '--all'],
        ['*.target', '--plain'],
        ['*.target', '--no-legend'],
        ['*.target', '--legend=no', '--plain'],
        ['--state=active', '*.target'],
        ['--state=inactive', '*.target'],
        ['no-such-unit-*'],
        ['no-such-unit-*', '--all'],
        ['no-such-unit-*', '--plain'],
        ['no-such-unit-*', '--no-legend'],
      ]) {
        const ref = await execInSandbox(system!.dir, ['systemctl', 'list-units', ...flags]);
        const r = await execInSandbox(system!.dir, [process.execPath, BIN, 'list-units', ...flags]);
        const what = `list-units ${flags.join(' ')}`;
        assert.equal(r.code, ref.code, what);
        assert.equal(r.stdout, ref.stdout, `${what}: stdout`);
        assert.equal(r.stderr, ref.stderr, `${what}: stderr`);
      }
    });
  });

  describe('errors: one line on stderr, nothing on stdout, the right exit code', () => {
    test('an unknown flag', async () => {
      assertOneLineError(await runCli(['list-units', '--frobnicate']), 1, ["'--frobnicate'"]);
      assertOneLineError(await runCli(['--frobnicate', 'list-units']), 1, ["'--frobnicate'"]);
    });

    test('an unknown verb', async () => {
      assertOneLineError(await runCli(['frobnicate']), 1, ["'frobnicate'"]);
    });

    test('--state=bogus: one short line that says where the valid states are', async () => {
      const r = await userCli('list-units', '--state=bogus');
      assertOneLineError(r, 1, ["'bogus'", "'sysherd --state=help' lists the valid states"]);
      assert.ok(r.stderr.length < 100, r.stderr);
    });

    test('a misspelt verb: what systemd says, with the likely verb', async () => {
      const r = await runCli(['restrat']);
      assert.equal(r.stderr, "sysherd: Unknown command verb 'restrat', did you mean 'restart'?\n");
      assert.equal(r.code, 1);
    });

    test('--type=bogus lists the valid types', async () => {
      const r = await userCli('list-units', '--type=bogus');
      assertOneLineError(r, 1, ["'bogus'", /valid types: .*\bservice\b.*\btarget\b/]);
    });

    test('--user --system together', async () => {
      assertOneLineError(await runCli(['--user', '--system', '--address', user!.busAddress, 'list-units']), 1, ['--user', '--system']);
    });

    test('a bus that is not there names the address', async () => {
      assertOneLineError(await runCli(['--address', 'unix:path=/nonexistent', 'list-units']), 1, ['unix:path=/nonexistent']);
      assertOneLineError(await runCli(['--user', '--address', 'unix:path=/nonexistent/bus', 'list-units']), 1, ['unix:path=/nonexistent/bus']);
    });

    test('--state=help and --type=help list the values and exit 0', async () => {
      const st = await runCli(['list-units', '--state=help']);
      assertOk(st);
      assert.match(st.stdout, /^failed$/m);
      assert.match(st.stdout, /^running$/m);
      const ty = await runCli(['list-units', '--type=help']);
      assertOk(ty);
      assert.match(ty.stdout, /^Available unit types:\nservice$/m);
    });

    test('--timeout soon', async () => {
      assertOneLineError(await userCli('--timeout', 'soon', 'list-units'), 1, ["'soon'"]);
    });
  });

  describe('the sandbox verb', () => {
    test('start --user DIR prints DIR and returns once the bus answers; exec; stop', async () => {
      const dir = cliSandboxes.track(fs.mkdtempSync(path.join(os.tmpdir(), 'sysherd-e2e-cli-user-')));
      const start = await runCli(['sandbox', 'start', '--user', dir], { timeoutMs: 60_000 });
      assertOk(start, { stderr: true });
      assert.equal(start.stdout, `${dir}\n`);
      assert.match(start.stderr, /user sandbox up in \d+ ms/);
      // the bus answers right away, no polling
      const bus = `unix:path=${path.join(dir, 'xdg', 'bus')}`;
      const ping = await run('busctl', [`--address=${bus}`, 'call', 'org.freedesktop.systemd1', '/org/freedesktop/systemd1', 'org.freedesktop.DBus.Peer', 'Ping']);
      assert.equal(ping.code, 0, ping.stderr);
      const state = JSON.parse(fs.readFileSync(path.join(dir, 'sandbox.json'), 'utf8')) as { cgroup: string; mode: string };
      assert.equal(state.mode, 'user');
      assert.ok(fs.existsSync(state.cgroup), `cgroup ${state.cgroup}`);

      // exec in user mode: the sandbox's bus variables are set
      const ex = await runCli(['sandbox', 'exec', dir, '--', 'busctl', '--user', 'status']);
      assertOk(ex, { stderr: true });
      assert.match(ex.stdout, new RegExp(`^BusAddress=${bus.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
      assert.match(ex.stdout, /^BusScope=user$/m);
      // the exit code of the command is ours
      const three = await runCli(['sandbox', 'exec', dir, '--', 'sh', '-c', 'exit 3']);
      assert.equal(three.code, 3, show(three));
      const killed = await runCli(['sandbox', 'exec', dir, '--', 'sh', '-c', 'kill -TERM $$']);
      assert.equal(killed.code, 128 + 15, show(killed));
      assertOneLineError(await runCli(['sandbox', 'exec', dir, '--', 'no-such-command-xyz']), 1, ['no-such-command-xyz']);

      // and the CLI itself talks to it
      const lu = await runCli(['--user', '--address', bus, 'list-units', 'default.target', '--no-legend']);
      assertOk(lu);
      assert.deepEqual(unitNames(lu.stdout), ['default.target']);

      const stop = await runCli(['sandbox', 'stop', dir]);
      assertOk(stop, { stderr: true });
      assert.equal(stop.stdout, '');
      assert.match(stop.stderr, /stopped/);
      assert.equal(fs.existsSync(state.cgroup), false, `cgroup ${state.cgroup} is still there after sandbox stop`);

      // nothing there any more
      const gone = await runCli(['sandbox', 'exec', dir, '--', 'true']);
      assertOneLineError(gone, 1, [dir]);
    });

    test('start --json DIR (system mode): the info object; exec runs inside; --uid; stop', async () => {
      const dir = cliSandboxes.track(fs.mkdtempSync(path.join(os.tmpdir(), 'sysherd-e2e-cli-system-')));
      const start = await runCli(['sandbox', 'start', '--json', dir], { timeoutMs: 60_000 });
      assertOk(start);
      assert.equal(lines(start.stdout).length, 1);
      const info = JSON.parse(start.stdout) as Record<string, unknown>;
      assert.equal(info.mode, 'system');
      assert.equal(info.dir, dir);
      assert.equal(info.busAddress, `unix:path=${path.join(dir, 'run-dbus', 'system_bus_socket')}`);
      assert.equal(info.unitDir, path.join(dir, 'units'));
      assert.deepEqual(info.env, { DBUS_SYSTEM_BUS_ADDRESS: info.busAddress });
      assert.equal(typeof info.pid, 'number');
      assert.equal(typeof info.pid1, 'number');
      assert.equal(typeof info.bootMs, 'number');
      assert.match(String(info.cgroup), /^\/sys\/fs\/cgroup(\/unified)?\/sandbox-system-/);
      assert.ok(fs.existsSync(String(info.cgroup)));

      const comm = await runCli(['sandbox', 'exec', dir, '--', 'cat', '/proc/1/comm']);
      assertOk(comm);
      assert.equal(comm.stdout, 'systemd\n');
      const uid = await runCli(['sandbox', 'exec', '--uid', '65534', dir, '--', 'id', '-u']);
      assertOk(uid);
      assert.equal(uid.stdout, '65534\n');
      const bad = await runCli(['sandbox', 'exec', '--uid', 'nobody', dir, '--', 'id', '-u']);
      assertOneLineError(bad, 1, ["'nobody'"]);

      const stop = await runCli(['sandbox', 'stop', dir]);
      assertOk(stop, { stderr: true });
      assert.equal(fs.existsSync(String(info.cgroup)), false, `cgroup ${String(info.cgroup)} is still there after sandbox stop`);
    });

    test('start in a directory that holds a running sandbox: one line, exit 1, the sandbox lives on', async () => {
      const r = await runCli(['sandbox', 'start', '--user', user!.dir]);
      assertOneLineError(r, 1, [user!.dir, /already holds a running sandbox/]);
      const lu = await userCli('list-units', 'demo-hello.service', '--no-legend');
      assertOk(lu);
      assert.deepEqual(unitNames(lu.stdout), ['demo-hello.service']);
    });

    test('exec on a directory with no sandbox: one line, non-zero exit', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sysherd-e2e-cli-empty-'));
      try {
        const r = await runCli(['sandbox', 'exec', dir, '--', 'true']);
        assert.notEqual(r.code, 0);
        assertOneLineError(r, r.code ?? -1, [dir, /no sandbox/]);
        const missing = await runCli(['sandbox', 'exec', path.join(dir, 'nope'), '--', 'true']);
        assert.notEqual(missing.code, 0);
        assertOneLineError(missing, missing.code ?? -1, [path.join(dir, 'nope')]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('on a terminal (a pseudo-terminal from script(1))', () => {
    /** What the terminal shows. */
    const plain = (s: string): string => renderTerminal(s).join('\n');

    test('--json is pretty on a terminal', async () => {
      const r = await runCliInPty(['--user', '--address', user!.busAddress, 'list-units', 'demo-hello.service', '--json'], { cols: 80, rows: 24 });
      assert.equal(r.killed, null, r.killed ?? '');
      assert.equal(r.code, 0, r.output);
      const text = plain(r.output);
      assert.match(text, /^\[\n  \{\n    "unit": "demo-hello\.service",\n/, JSON.stringify(text));
      assert.deepEqual(parseUnits(text), [{ unit: 'demo-hello.service', load: 'loaded', active: 'active', sub: 'exited', description: 'Demo hello unit' }]);
    });

    test('a terminal that reports 0 columns: descriptions are not cut to nothing (systemd falls back to 80)', async () => {
      const r = await runCliInPty(['--user', '--address', user!.busAddress, 'list-units', 'demo-hello.service'], { cols: 0, rows: 0 });
      assert.equal(r.killed, null, r.killed ?? '');
      assert.equal(r.code, 0, r.output);
      assert.match(plain(r.output), /^\s*demo-hello\.service\s+loaded\s+active\s+exited\s+Demo hello unit$/m, JSON.stringify(plain(r.output)));
    });

    for (const cols of [80, 0]) {
      test(`sandbox start on a ${cols}-column terminal: the spinner goes away and the command returns`, async () => {
        const dir = cliSandboxes.track(fs.mkdtempSync(path.join(os.tmpdir(), `sysherd-e2e-cli-tty${cols}-`)));
        const r = await runCliInPty(['sandbox', 'start', '--user', dir], { cols, rows: cols === 0 ? 0 : 24, timeoutMs: 30_000, maxBytes: 256 * 1024 });
        const head = JSON.stringify(r.output.slice(0, 400));
        assert.equal(r.killed, null, `sysherd sandbox start on a ${cols}-column terminal: ${r.killed ?? ''}; ${r.bytes} bytes written; begins ${head}`);
        assert.equal(r.code, 0, head);
        const screen = renderTerminal(r.output);
        assert.ok(screen.includes(dir), `DIR on its own line: ${JSON.stringify(screen)}`);
        assert.ok(!screen.some((l) => l.includes('booting a user-mode systemd')), `the spinner line is left on the screen: ${JSON.stringify(screen)}`);
        assert.ok(r.bytes < 16 * 1024, `${r.bytes} bytes of output for a spinner of a second`);
        const stop = await runCli(['sandbox', 'stop', dir]);
        assertOk(stop, { stderr: true });
      });
    }
  });

  describe('demo', () => {
    test('demo --sandbox runs to completion and leaves no sandbox behind', async () => {
      let pid = 0;
      const r = await runCli(['demo', '--sandbox'], { timeoutMs: 90_000, onSpawn: (p) => (pid = p) });
      assertOk(r, { stderr: true });
      for (const u of ['demo-web.service', 'demo-db.service', 'demo-migrate.service', 'demo-broken.service']) {
        assert.ok(r.stdout.includes(u), `the demo should show ${u}\n${show(r)}`);
      }
      assert.match(r.stdout, /^\s*✓ demo-web\.service: job \d+ done$/m);
      assert.match(r.stdout, /^● demo-broken\.service\s+loaded\s+failed\s+failed\s+Demo service that fails$/m);
      // the CLI itself, run inside the sandbox: systemctl's failure text, status with its journal
      // lines, the stop's transaction with the dependent it took down, herd's view
      assert.match(r.stdout, /^Job for demo-broken\.service failed because the control process exited with error code\.$/m);
      assert.match(r.stdout, /^● demo-web\.service - Demo web server \(sleeps\)$/m);
      // (PID 1's lines: a process that exits at once may reach journald too late to be the unit's)
      assert.match(r.stdout, /^\w{3} \d\d \d\d:\d\d:\d\d \S+ systemd\[1\]: Started demo-web\.service - Demo web server \(sleeps\)\.$/m);
      const stop = /# sysherd stop demo-db --json=pretty\n(\{[\s\S]*?\n\})\n/.exec(r.stdout);
      assert.ok(stop, show(r));
      const doc = JSON.parse(stop[1]!) as { units: { unit: string; result: string }[]; auxiliary: { unit: string; type: string; result: string }[] };
      assert.deepEqual(doc.units.map((u) => [u.unit, u.result]), [['demo-db.service', 'done']]);
      assert.deepEqual(doc.auxiliary.map((a) => [a.unit, a.type, a.result]), [['demo-web.service', 'stop', 'done']]);
      assert.match(r.stdout, /^● Status of demo-db:$/m);
      assert.match(r.stdout, /Sandbox stopped and removed\.\s*$/);
      const dir = /booting a real one in a sandbox \((\/[^)]+)\)/.exec(r.stdout)?.[1];
      assert.ok(dir, show(r));
      assert.equal(fs.existsSync(dir), false, `${dir} is still there`);
      // the demo's cgroup is named after the CLI's pid
      const left = sandboxCgroups().filter((cg) => path.basename(cg).startsWith(`sandbox-system-${pid}-`));
      assert.deepEqual(left, [], 'the demo left its sandbox cgroup behind');
    });
  });
});

/**
 * Like `sysherd … | head -1` (mode 'line': read stdout until the first newline) or `| head -c N`
 * (mode 'chunk': read the first chunk), then close our end of the pipe while the CLI is still
 * writing.
 */
function firstLineThenClose(
  args: string[],
  mode: 'line' | 'chunk',
): Promise<{ code: number | null; signal: string | null; firstLine: string; stderr: string; received: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: projectRoot, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = Buffer.alloc(0);
    let firstLine: string | undefined;
    let received = 0;
    const err: Buffer[] = [];
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sysherd ${args.join(' ')} did not end after its stdout was closed`));
    }, 30_000);
    child.stdout.on('data', (b: Buffer) => {
      received += b.length;
      if (firstLine !== undefined) return;
      buf = Buffer.concat([buf, b]);
      const nl = mode === 'line' ? buf.indexOf(0x0a) : buf.length;
      if (nl >= 0) {
        firstLine = buf.subarray(0, nl).toString('utf8');
        child.stdout.destroy();
      }
    });
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, firstLine: firstLine ?? '', stderr: Buffer.concat(err).toString('utf8'), received });
    });
  });
}
