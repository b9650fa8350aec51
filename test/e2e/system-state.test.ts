/**
 * The system state verbs of the BUILT CLI against systemctl 252, for real, in system-mode
 * sandboxes (needs root):
 * - what ends nothing (bad input, --dry-run, refusals by logind or polkit, inhibitors, sleep verbs
 *   the sandbox cannot do, switch-root outside an initrd) in ONE shared sandbox, as root and as
 *   uid 65534, byte for byte with systemctl; afterwards that sandbox is still up and unchanged;
 * - what ends or changes the system (poweroff, reboot, halt, -f, kexec -f, exit 3, rescue,
 *   emergency, poweroff without logind) in a fresh sandbox per run: one for systemctl, one for
 *   sysherd, the same output, the same end (the sandbox gone, or the same units active after).
 * `-ff` calls reboot(2) in systemctl; sysherd refuses it. Both only ever run INSIDE a sandbox
 * (nsenter into its PID namespace, checked before each run), never on the test's host.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { execInSandbox, isSandboxRunning, sandboxExitStatus } from '../../src/sandbox/sandbox.js';
import { comparableStderr } from '../helpers/compare.js';
import { type BootedSandbox, bootSandbox } from '../helpers/sandbox.js';
import { BIN, ensureBuilt, runInSandboxPty } from './helpers.js';

type Run = { code: number | null; signal: string | null; stdout: string; stderr: string };
const ENV = ['env', 'LANG=C.UTF-8'];

/** Never run a system state verb where it could reach the host: the sandbox's PID 1 must be in another PID namespace. */
function assertIsolated(sb: BootedSandbox): void {
  assert.ok(sb.pid1 !== null && sb.pid1 > 1, 'the sandbox has a PID 1 of its own');
  const theirs = fs.readlinkSync(`/proc/${sb.pid1}/ns/pid`);
  const ours = fs.readlinkSync('/proc/self/ns/pid');
  assert.notEqual(theirs, ours, 'the sandbox must be in its own PID namespace');
}

function systemctl(sb: BootedSandbox, args: string[], uid?: number): Promise<Run> {
  assertIsolated(sb);
  return execInSandbox(sb.dir, [...ENV, 'systemctl', ...args], uid === undefined ? {} : { uid });
}
function sysherd(sb: BootedSandbox, args: string[], uid?: number): Promise<Run> {
  assertIsolated(sb);
  return execInSandbox(sb.dir, [...ENV, process.execPath, BIN, ...args], uid === undefined ? {} : { uid });
}

function describeRuns(args: string[], ours: Run, theirs: Run): string {
  return `${args.join(' ')}\n--- sysherd (exit ${ours.code})\n${ours.stdout}${ours.stderr}--- systemctl (exit ${theirs.code})\n${theirs.stdout}${theirs.stderr}`;
}

/** stdout byte for byte, stderr with the program's name swapped, the exit code. */
function assertSame(args: string[], ours: Run, theirs: Run): void {
  const msg = describeRuns(args, ours, theirs);
  assert.equal(ours.stdout, theirs.stdout, `stdout\n${msg}`);
  const c = comparableStderr(ours.stderr, theirs.stderr);
  assert.equal(c.ours, c.ref.replace(/systemctl /g, 'sysherd ').replace(/'sysherd /g, "'systemctl "), `stderr\n${msg}`);
  assert.equal(ours.code, theirs.code, `exit code\n${msg}`);
}

/**
 * As `assertSame`, for a command whose system ends under it: the reply may be lost on the way
 * ("Call to Reboot failed: Connection reset by peer", or logind gone from the bus "without
 * replying", then systemctl tries the manager, which is
 * going down too), and the command may be killed with the rest before it exits (SIGTERM). Those
 * races are the sandbox's, not the program's: lines of a lost connection are left out and a
 * command killed by the end compares as ended.
 */
function assertSameWhileEnding(args: string[], ours: Run, theirs: Run): void {
  const calm = (r: Run): Run => ({
    ...r,
    code: r.signal !== null ? 0 : r.code,
    signal: null,
    stderr: r.stderr
      .split('\n')
      .filter((l) => !/Connection reset by peer|Transport endpoint is not connected|Broken pipe|lost the connection|Connection timed out|disconnected from message bus without replying/.test(l))
      .join('\n'),
  });
  assert.ok(ours.signal === null || ours.signal === 'SIGTERM' || ours.signal === 'SIGKILL', describeRuns(args, ours, theirs));
  assertSame(args, calm(ours), calm(theirs));
}

/** A unit that does nothing but can be active, wanted by the sandbox's target. */
const KEEP = '[Unit]\nDescription=keep\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n[Install]\nWantedBy=sandbox.target\n';
/**
 * rescue.service and emergency.service run sulogin on /dev/console, which in the sandbox is the
 * host's console: replaced by units that only stay active, with the real ones' dependencies.
 */
const shellStandIn = (target: string): string =>
  `[Unit]\nDescription=${target} shell (sandbox stand-in)\nDefaultDependencies=no\nConflicts=shutdown.target\nBefore=shutdown.target\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n`;

const UNITS: Record<string, string> = {
  'keep.service': KEEP,
  'rescue.service': shellStandIn('rescue'),
  'emergency.service': shellStandIn('emergency'),
};

/** keep.service is wanted by the sandbox's target (a symlink, as `systemctl enable` makes). */
function wantKeep(unitDir: string): void {
  fs.mkdirSync(path.join(unitDir, 'sandbox.target.wants'), { recursive: true });
  fs.symlinkSync('../keep.service', path.join(unitDir, 'sandbox.target.wants', 'keep.service'));
}

/** The active units, sorted (after the queue has emptied). */
async function activeUnits(sb: BootedSandbox): Promise<string[]> {
  for (let i = 0; i < 100; i++) {
    const jobs = await execInSandbox(sb.dir, ['systemctl', 'list-jobs', '--no-legend']);
    if (jobs.stdout.trim() === '') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const r = await execInSandbox(sb.dir, ['systemctl', 'list-units', '--state=active', '--all', '--plain', '--no-legend', '--no-pager']);
  return r.stdout
    .split('\n')
    .map((l) => l.split(/\s+/)[0]!)
    .filter((u) => u !== '' && !u.startsWith('run-') && !u.endsWith('.scope'))
    .sort();
}

/** Wait until the sandbox has ended by itself (its cgroup is empty); returns how it ended. */
async function waitEnded(sb: BootedSandbox, ms = 30_000): Promise<{ code: number | null; signal: string | null } | null> {
  const end = Date.now() + ms;
  while (isSandboxRunning(sb.dir)) {
    if (Date.now() > end) assert.fail(`the sandbox in ${sb.dir} is still running ${ms} ms later`);
    await new Promise((r) => setTimeout(r, 100));
  }
  for (let i = 0; i < 50 && sandboxExitStatus(sb.dir) === null; i++) await new Promise((r) => setTimeout(r, 100));
  return sandboxExitStatus(sb.dir);
}

before(() => {
  ensureBuilt();
});

describe('system state verbs that end nothing: one sandbox, the same as systemctl 252', () => {
  let sb: BootedSandbox;
  let unitsBefore: string[];
  before(async () => {
    sb = await bootSandbox('system', { units: UNITS, setup: wantKeep });
    // the sleep verbs and --firmware-setup & co below ask the sandbox's logind for real: the
    // sandbox must hide the host's sleep states and EFI variables (src/sandbox/scripts.ts)
    const hidden = await execInSandbox(sb.dir, ['sh', '-c', 'cat /sys/power/state; ls -A /sys/firmware']);
    assert.equal(hidden.stdout, '', 'the sandbox sees neither the host\'s sleep states nor its firmware');
    assert.equal((await execInSandbox(sb.dir, ['systemctl', 'is-active', 'keep.service'])).stdout, 'active\n');
    unitsBefore = await activeUnits(sb);
  });
  after(async () => {
    await sb?.stop();
  });

  const asRoot: string[][] = [
    // wrong argument counts, modes, values: one line, exit 1
    ['poweroff', 'now'],
    ['halt', 'x'],
    ['kexec', 'x'],
    ['suspend', 'x'],
    ['default', 'x'],
    ['rescue', 'x'],
    ['reboot', 'a', 'b'],
    ['exit', '1', '2'],
    ['exit', 'bogus'],
    ['exit', '256'],
    ['--user', 'rescue'],
    ['--user', 'poweroff'],
    ['--user', 'suspend'],
    ['switch-root'],
    ['switch-root', '/a', '/b', '/c'],
    ['--boot-loader-menu=bogus', 'reboot'],
    ['--check-inhibitors=bogus', 'poweroff'],
    ['--dry-run', 'reboot', '--reboot-argument=x', 'y'],
    // --dry-run: nothing happens, nothing is said (or what -ff would do)
    ['--dry-run', 'poweroff'],
    ['--dry-run', 'reboot'],
    ['--dry-run', 'halt'],
    ['--dry-run', 'suspend'],
    ['--dry-run', 'hibernate'],
    ['--dry-run', 'rescue'],
    ['--dry-run', 'emergency'],
    ['--dry-run', 'default'],
    ['--dry-run', 'exit'],
    ['--dry-run', 'reboot', 'x'],
    ['--dry-run', '-f', 'poweroff'],
    ['--dry-run', '-ff', 'poweroff'],
    ['--dry-run', '-ff', 'halt'],
    ['--dry-run', '-f', '-f', 'reboot'],
    ['--dry-run', '--force', '--force', '-q', 'reboot'],
    ['--dry-run', '-i', '--message=hello', '--no-wall', 'poweroff'],
    // logind answers, and refuses: nothing happens
    ['suspend'],
    ['hibernate'],
    ['hybrid-sleep'],
    ['suspend-then-hibernate'],
    ['-i', 'suspend'],
    ['reboot', '--firmware-setup'],
    ['poweroff', '--boot-loader-menu=5'],
    ['halt', '--boot-loader-entry=foo'],
    ['reboot', '--boot-loader-entry=help'],
    // kexec without a kexec binary; switch-root outside an initrd
    ['kexec'],
    ['--dry-run', 'kexec'],
    // (252 checks no initrd: only roots that systemd refuses, never a real directory tree)
    ['switch-root', '/nonexistent'],
    ['switch-root', '/nonexistent', '/sbin/init'],
    ['switch-root', '/'],
    ['switch-root', 'relative'],
    // -M without systemd-machined
    ['-M', 'foo', 'poweroff'],
    ['-M', 'foo', '--dry-run', 'reboot'],
  ];
  for (const args of asRoot) {
    test(`as root: ${args.join(' ')}`, async () => {
      const theirs = await systemctl(sb, args);
      const ours = await sysherd(sb, args);
      assertSame(args, ours, theirs);
    });
  }

  const asNobody: string[][] = [
    ['poweroff'],
    ['reboot'],
    ['halt'],
    ['suspend'],
    ['-f', 'poweroff'],
    ['-f', 'reboot'],
    ['-ff', 'poweroff'],
    ['rescue'],
    ['emergency'],
    ['default'],
    ['exit'],
    ['exit', '3'],
    ['switch-root', '/x'],
    ['--check-inhibitors=yes', 'poweroff'],
    ['--firmware-setup', 'reboot'],
    // the reboot argument cannot be written by uid 65534: a warning, then logind refuses
    ['reboot', '--reboot-argument=abc'],
    ['reboot', 'abc'],
    ['reboot', "--reboot-argument=\u00e9"],
  ];
  for (const args of asNobody) {
    test(`as uid 65534: ${args.join(' ')}`, async () => {
      const theirs = await systemctl(sb, args, 65534);
      const ours = await sysherd(sb, args, 65534);
      assertSame(args, ours, theirs);
    });
  }

  test('--check-inhibitors=yes: a block inhibitor stops it, in the same words', async () => {
    const inh = await execInSandbox(sb.dir, [
      'systemd-run',
      '--unit=inhibitor',
      'systemd-inhibit',
      '--what=shutdown:sleep',
      '--mode=block',
      '--who=tester',
      '--why=testing it',
      'sleep',
      '600',
    ]);
    assert.equal(inh.code, 0, inh.stderr);
    try {
      for (let i = 0; i < 50; i++) {
        const l = await execInSandbox(sb.dir, ['systemd-inhibit', '--list', '--no-legend']);
        if (l.stdout.includes('tester')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      for (const args of [
        ['--check-inhibitors=yes', 'poweroff'],
        ['--check-inhibitors=yes', 'reboot'],
        ['--check-inhibitors=yes', 'suspend'],
        ['--check-inhibitors=yes', '--dry-run', 'halt'],
      ]) {
        const theirs = await systemctl(sb, args);
        const ours = await sysherd(sb, args);
        assert.match(ours.stderr, /^Operation inhibited by "tester" \(PID \d+ "systemd-inhibit", user root\), reason is "testing it"\.\n/);
        assertSame(args, ours, theirs);
        assert.equal(ours.code, 1);
      }
      // --check-inhibitors=auto (the default): checked for a caller that is not root, on a terminal
      for (const verb of ['poweroff', 'suspend']) {
        const theirs = await runInSandboxPty(sb.dir, ['env', 'LANG=C.UTF-8', 'systemctl', verb], 65534);
        const ours = await runInSandboxPty(sb.dir, ['env', 'LANG=C.UTF-8', process.execPath, BIN, verb], 65534);
        assert.match(ours.output, /^Operation inhibited by "tester"/);
        assert.equal(ours.output, theirs.output.replace(/'systemctl /g, "'sysherd "));
        assert.equal(ours.code, 1);
        assert.equal(theirs.code, 1);
      }
      const j = await sysherd(sb, ['--check-inhibitors=yes', '--json', 'poweroff']);
      const doc = JSON.parse(j.stdout) as { inhibitedBy: string[]; via: string; exitCode: number };
      assert.equal(doc.via, 'none');
      assert.equal(doc.exitCode, 1);
      assert.equal(doc.inhibitedBy.length, 1);
    } finally {
      await execInSandbox(sb.dir, ['systemctl', 'stop', 'inhibitor.service']);
    }
  });

  test('--when (systemd 254) is an unrecognized option, as in 252', async () => {
    for (const args of [['--when=now', 'poweroff'], ['poweroff', '--when', 'now']]) {
      const theirs = await systemctl(sb, args);
      const ours = await sysherd(sb, args);
      assert.equal(ours.stderr, theirs.stderr.replace(/^systemctl: /, 'sysherd: '), describeRuns(args, ours, theirs));
      assert.equal(ours.code, theirs.code);
      assert.equal(ours.stdout, '');
    }
  });

  test('--json: what it did or would do', async () => {
    const dry = await sysherd(sb, ['--dry-run', '--json', 'reboot', '--reboot-argument=abc', '--firmware-setup']);
    assert.equal(dry.code, 0, dry.stderr);
    const d = JSON.parse(dry.stdout) as Record<string, unknown>;
    assert.equal(d.verb, 'reboot');
    assert.equal(d.target, 'reboot.target');
    assert.equal(d.jobMode, 'replace-irreversibly');
    assert.equal(d.dryRun, true);
    assert.equal(d.via, 'none');
    assert.equal(d.rebootArgument, 'abc');
    assert.equal(d.firmwareSetup, true);
    assert.equal(d.exitCode, 0);
    const refused = await sysherd(sb, ['--json', 'suspend']);
    assert.equal(refused.code, 1);
    const r = JSON.parse(refused.stdout) as { logindMethod: string; logindError: { name: string }; via: string };
    assert.equal(r.logindMethod, 'SuspendWithFlags');
    assert.equal(r.logindError.name, 'org.freedesktop.login1.SleepVerbNotSupported');
    assert.equal(r.via, 'none');
    const ff = await sysherd(sb, ['--json', '--dry-run', '-ff', 'poweroff']);
    assert.equal((JSON.parse(ff.stdout) as { force: number }).force, 2);
  });

  test('-ff without --dry-run: sysherd refuses in one line and the sandbox stays up', async () => {
    const r = await sysherd(sb, ['-ff', 'poweroff']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^sysherd cannot poweroff with -ff: [^\n]+\n$/);
    assert.ok(isSandboxRunning(sb.dir));
  });

  test('sysherd --dry-run changes nothing: the same units active before and after every dry run', async () => {
    // systemctl --dry-run reboot ARG writes /run/systemd/reboot-param (a difference: see the manual)
    const theirs = await systemctl(sb, ['--dry-run', 'reboot', '--reboot-argument=fromsystemctl']);
    assert.equal(theirs.code, 0);
    assert.equal((await execInSandbox(sb.dir, ['cat', '/run/systemd/reboot-param'])).stdout, 'fromsystemctl\n');
    await execInSandbox(sb.dir, ['rm', '-f', '/run/systemd/reboot-param']);
    const before = await activeUnits(sb);
    for (const args of asRoot.filter((a) => a.includes('--dry-run'))) await sysherd(sb, args);
    await sysherd(sb, ['--dry-run', 'reboot', '--reboot-argument=x']);
    const param = await execInSandbox(sb.dir, ['test', '-e', '/run/systemd/reboot-param']);
    assert.notEqual(param.code, 0, 'sysherd --dry-run wrote no reboot argument');
    for (const verb of ['poweroff', 'reboot', 'halt', 'kexec', 'suspend', 'rescue', 'emergency', 'default', 'exit']) {
      const r = await sysherd(sb, ['--dry-run', '--json', verb, ...(verb === 'exit' ? ['7'] : [])]);
      assert.equal((JSON.parse(r.stdout) as { via: string }).via, 'none', r.stdout);
    }
    assert.deepEqual(await activeUnits(sb), before);
    const code = await execInSandbox(sb.dir, ['busctl', 'get-property', 'org.freedesktop.systemd1', '/org/freedesktop/systemd1', 'org.freedesktop.systemd1.Manager', 'ExitCode']);
    assert.equal(code.stdout.trim(), 'y 0', '--dry-run exit 7 set no exit code');
  });

  test('afterwards the sandbox is still up, every unit active before still active, nothing stopped', async () => {
    assert.ok(isSandboxRunning(sb.dir));
    const state = await execInSandbox(sb.dir, ['systemctl', 'is-system-running']);
    assert.equal(state.stdout.trim(), 'running');
    const now = await activeUnits(sb);
    // (logind, polkit and the bus were started on demand by the calls that reached them)
    assert.deepEqual(unitsBefore.filter((u) => !now.includes(u)), []);
  });
});

/** `p`, or a failure that says what hung and what the sandbox still runs, after `ms`. */
async function inTime<T>(p: Promise<T>, what: string, sb: BootedSandbox, ms = 120_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      let procs = '';
      try {
        const cg = fs.readFileSync(path.join(sb.dir, 'cgroup'), 'utf8').trim();
        for (const f of fs.readdirSync(cg, { recursive: true }) as string[]) {
          if (!f.endsWith('cgroup.procs')) continue;
          for (const pid of fs.readFileSync(path.join(cg, f), 'utf8').split('\n').filter(Boolean)) {
            procs += `${f}: ${pid} ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}\n`;
          }
        }
      } catch (e) {
        procs += String(e);
      }
      reject(new Error(`${what} did not end within ${ms} ms; the sandbox still runs:\n${procs}`));
    }, ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A fresh sandbox for systemctl and one for sysherd (booted side by side), the same command in
 * each; then what happened to each sandbox.
 */
async function inFreshSandboxes<T>(
  args: string[],
  opts: { units?: Record<string, string>; uid?: number; setup?: (unitDir: string) => void; prepare?: string[] },
  after: (sb: BootedSandbox) => Promise<T>,
): Promise<{ ours: Run; theirs: Run; oursAfter: T; theirsAfter: T }> {
  const units = { ...UNITS, ...(opts.units ?? {}) };
  const boot = {
    units,
    setup: (dir: string): void => {
      wantKeep(dir);
      opts.setup?.(dir);
    },
  };
  const [a, b] = await Promise.all([bootSandbox('system', boot), bootSandbox('system', boot)]);
  try {
    if (opts.prepare) {
      for (const sb of [a, b]) {
        const p = await systemctl(sb, opts.prepare);
        assert.equal(p.code, 0, `systemctl ${opts.prepare.join(' ')}: ${p.stderr}`);
      }
    }
    const [theirs, ours] = await Promise.all([
      inTime(systemctl(a, args, opts.uid), `systemctl ${args.join(' ')}`, a),
      inTime(sysherd(b, args, opts.uid), `sysherd ${args.join(' ')}`, b),
    ]);
    const [theirsAfter, oursAfter] = await Promise.all([inTime(after(a), 'after systemctl', a), inTime(after(b), 'after sysherd', b)]);
    return { ours, theirs, oursAfter, theirsAfter };
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}

describe('system state verbs that end or change the system: a fresh sandbox each, as systemctl 252', () => {
  const ending: string[][] = [
    ['poweroff'], // through logind
    ['reboot'],
    ['halt'],
    ['-f', 'poweroff'], // the manager's PowerOff()
    ['-f', 'reboot'],
    ['-f', 'halt'],
    ['-f', 'kexec'], // no kexec kernel: "continuing without", the manager's KExec()
    ['exit'], // a container's manager may exit
    ['-f', 'exit'],
  ];
  for (const args of ending) {
    test(`${args.join(' ')} ends the sandbox`, async () => {
      const r = await inFreshSandboxes(args, {}, async (sb) => waitEnded(sb));
      assertSameWhileEnding(args, r.ours, r.theirs);
      assert.deepEqual(r.oursAfter, r.theirsAfter, 'both sandboxes ended the same way');
    });
  }

  test('exit 3 ends the container with exit code 3', async () => {
    const r = await inFreshSandboxes(['exit', '3'], {}, async (sb) => waitEnded(sb));
    assertSameWhileEnding(['exit', '3'], r.ours, r.theirs);
    assert.deepEqual(r.oursAfter, r.theirsAfter);
    assert.equal(r.oursAfter?.code, 3, JSON.stringify(r.oursAfter));
  });

  test('without logind (masked): logind\'s error, then the manager starts poweroff.target', async () => {
    const setup = { setup: (dir: string) => fs.symlinkSync('/dev/null', path.join(dir, 'systemd-logind.service')) };
    const r = await inFreshSandboxes(['poweroff'], setup, async (sb) => waitEnded(sb));
    assertSameWhileEnding(['poweroff'], r.ours, r.theirs);
    assert.match(r.ours.stderr, /^Call to PowerOff failed: Unit dbus-org\.freedesktop\.login1\.service /m);
    assert.deepEqual(r.oursAfter, r.theirsAfter);
  });

  for (const verb of ['rescue', 'emergency']) {
    test(`${verb} stops what systemctl's stops`, async () => {
      const r = await inFreshSandboxes([verb], {}, activeUnits);
      assertSame([verb], r.ours, r.theirs);
      assert.deepEqual(r.oursAfter, r.theirsAfter);
      assert.ok(r.oursAfter.includes(`${verb}.target`), r.oursAfter.join(' '));
      assert.ok(!r.oursAfter.includes('keep.service'), 'isolate stopped keep.service');
    });
  }

  test('default after rescue comes back as systemctl does', async () => {
    // default.target is the sandbox's own target here: the host's graphical.target would start
    // a getty on /dev/console, which in the sandbox is the host's console
    const setup = { units: { 'default.target': '[Unit]\nDescription=Sandbox default\nAllowIsolate=yes\nWants=sandbox.target\nAfter=sandbox.target\n' }, prepare: ['rescue'] };
    const r = await inFreshSandboxes(['default'], setup, activeUnits);
    assertSame(['default'], r.ours, r.theirs);
    assert.deepEqual(r.oursAfter, r.theirsAfter);
    assert.ok(r.oursAfter.includes('keep.service') && r.oursAfter.includes('sandbox.target'), r.oursAfter.join(' '));
    assert.ok(!r.oursAfter.includes('rescue.target'), r.oursAfter.join(' '));
  });
});

describe('exit in a user-mode sandbox', () => {
  test('exit 3 ends the user manager with exit code 3; --json says how', async () => {
    const sb = await bootSandbox('user');
    try {
      const r = await execInSandbox(sb.dir, [process.execPath, BIN, '--user', '--json', 'exit', '3']);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as { verb: string; exitStatus: number; via: string; transaction: { units: { unit: string }[] } };
      assert.equal(doc.exitStatus, 3);
      assert.equal(doc.via, 'manager');
      assert.equal(doc.transaction.units[0]?.unit, 'exit.target');
      const ended = await waitEnded(sb);
      assert.deepEqual(ended, { code: 3, signal: null });
    } finally {
      await sb.stop();
    }
  });
});
