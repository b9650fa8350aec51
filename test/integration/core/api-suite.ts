/**
 * Integration tests of the one-off functions of src/core/api.ts against a real systemd in a
 * sandbox, as a suite shared by both modes: `apiSuite('user')` runs it against `systemd --user`
 * (api-user.test.ts), `apiSuite('system')` against systemd as PID 1 of a system-mode sandbox
 * (api-system.test.ts). One sandbox per file. Needs root (the sandbox creates cgroups and
 * namespaces). Every call passes the sandbox's address explicitly: nothing comes from the
 * environment.
 *
 * What differs between the modes:
 * - connection: user `{ address, bus: 'user' }`, system `{ address }` (the system bus);
 * - paths in systemd's answers are paths as systemd sees them: in user mode the host paths, in
 *   system mode paths inside the sandbox (DIR/units is its /etc/systemd/system);
 * - the reference `systemctl` runs on the host with `--user` (user mode) or inside the sandbox
 *   (system mode), over the bus in both (SYSTEMCTL_FORCE_BUS=1), as the library talks;
 * - ok.service is WantedBy= the target the manager boots (default.target / sandbox.target), so
 *   that its [Install] symlink really pulls it in;
 * - the unit to mask lives in the runtime unit directory, below the unit directory in the
 *   search path: $XDG_RUNTIME_DIR/systemd/user, written before boot (user); /run/systemd/system,
 *   written inside the sandbox after boot, then daemon-reload (system: /run is the sandbox's own
 *   tmpfs).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  type ConnectOptions,
  InvalidArgumentError,
  Job,
  JobError,
  NoSuchUnitError,
  SystemdError,
  TimeoutError,
  type UnitProperties,
  disableUnitFiles,
  enableUnitFiles,
  killUnit,
  listJobs,
  listUnitFiles,
  listUnits,
  maskUnitFiles,
  reload,
  reloadOrRestartUnit,
  reloadOrTryRestartUnit,
  reloadUnit,
  resetFailedUnit,
  restartUnit,
  startUnit,
  stopUnit,
  tryRestartUnit,
  unitFileState,
  unmaskUnitFiles,
  withConnection,
} from '../../../src/index.ts';
import { execInSandbox } from '../../../src/sandbox/sandbox.ts';
import { type BootedSandbox, bootSandbox } from '../../helpers/sandbox.ts';

export type ApiSuiteMode = 'user' | 'system';

/** The unit files of the suite; ok.service is wanted by `bootTarget`. */
function unitFiles(bootTarget: string): Record<string, string> {
  return {
    // oneshot that stays active, with an [Install] section (enable/disable) and ExecReload=
    'ok.service': `[Unit]
Description=sysherd ok unit

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/true
ExecReload=/bin/true

[Install]
WantedBy=${bootTarget}
`,
    // a long-running service that can be reloaded (lifecycle verbs)
    'svc.service': `[Unit]
Description=sysherd lifecycle service

[Service]
ExecStart=/bin/sleep infinity
ExecReload=/bin/true
`,
    'fail.service': `[Unit]
Description=sysherd failing oneshot

[Service]
Type=oneshot
ExecStart=/bin/false
`,
    'resetme.service': `[Service]
Type=oneshot
ExecStart=/bin/false
`,
    'dep.service': `[Unit]
Description=sysherd depends on a failing unit
Requires=fail.service
After=fail.service

[Service]
Type=oneshot
ExecStart=/bin/true
`,
    'slow.service': `[Service]
Type=oneshot
ExecStart=/bin/sleep 30
`,
    'half.service': `[Service]
Type=oneshot
ExecStart=/bin/sleep 0.6
`,
    'killme.service': `[Service]
ExecStart=/bin/sleep infinity
`,
    'reloadme.service': `[Unit]
Description=before daemon-reload

[Service]
ExecStart=/bin/sleep infinity
`,
    // never started, never referenced: not loaded
    'never.service': `[Unit]
Description=sysherd never loaded

[Service]
Type=oneshot
ExecStart=/bin/true
`,
  };
}

/** The unit to mask: it lives in the runtime unit directory (see the mask test). */
const MASKME = '[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n';

/** Where the system-mode sandbox's unit directory (DIR/units) is, as its systemd sees it. */
const SYSTEM_UNIT_DIR = '/etc/systemd/system';
/** The system manager's runtime unit directory: below /etc/systemd/system in its search path. */
const SYSTEM_RUNTIME_UNIT_DIR = '/run/systemd/system';

const JOB_PATH = /^\/org\/freedesktop\/systemd1\/job\/\d+$/;

/** Assert that `p` rejects, and return the error. */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  assert.fail('expected a rejection');
}

async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 30));
  }
}

/** The commands quoted in a hint: `See "systemctl status x" and "journalctl -xeu x"…` → both. */
function quotedCommands(s: string): string[] {
  return [...s.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
}

/** The one-off API suite against a sandbox of `mode`, booted in `before` and stopped in `after`. */
export function apiSuite(mode: ApiSuiteMode): void {
  /** The target the manager boots: what its .wants/ pull in is started at boot. */
  const bootTarget = mode === 'user' ? 'default.target' : 'sandbox.target';

  let sb: BootedSandbox | undefined;
  let o: ConnectOptions;
  /** The unit directory as systemd sees it (and names it in its answers). */
  let unitDir: string;
  /** Where maskme.service lives, as systemd sees it: a lower-priority directory than unitDir. */
  let runtimeUnitDir: string;

  function sandbox(): BootedSandbox {
    assert.ok(sb, 'the sandbox did not boot');
    return sb;
  }

  /** The host path of a path under unitDir (the same path in user mode; under DIR/units in system mode). */
  function hostPath(p: string): string {
    const rel = path.relative(unitDir, p);
    assert.ok(!rel.startsWith('..') && !path.isAbsolute(rel), `${p} is not under ${unitDir}`);
    return path.join(sandbox().unitDir, rel);
  }

  /** The unit's ActiveState, through the library. */
  function activeState(name: string): Promise<string> {
    return withConnection(o, async (m) => (await m.loadUnit(name)).state());
  }

  /** The unit's MainPID, through the library. */
  function mainPid(name: string): Promise<number> {
    return withConnection(o, async (m) => (await (await m.loadUnit(name)).serviceProperties()).MainPID);
  }

  /** The unit properties of a loaded unit, through the library. */
  function unitProps(name: string): Promise<UnitProperties> {
    return withConnection(o, async (m) => (await m.getUnit(name)).unitProperties());
  }

  /**
   * Run systemctl against the sandbox, over its bus; its exit status is the reference for
   * `exitCode`. User mode: `systemctl --user` on the host with the sandbox's environment.
   * System mode: `systemctl` inside the sandbox (as root it would take systemd's private socket:
   * SYSTEMCTL_FORCE_BUS=1 makes it use the system bus, as the library does).
   */
  async function systemctl(...args: string[]): Promise<{ code: number; stderr: string }> {
    if (mode === 'system') {
      const r = await execInSandbox(sandbox().dir, ['env', 'SYSTEMCTL_FORCE_BUS=1', 'systemctl', ...args]);
      return { code: r.code ?? -1, stderr: r.stderr };
    }
    return new Promise((resolve) => {
      execFile(
        'systemctl',
        ['--user', ...args],
        { env: { ...process.env, ...sandbox().env, SYSTEMCTL_FORCE_BUS: '1' }, timeout: 10_000 },
        (err, _out, stderr) => {
          const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
          resolve({ code, stderr: String(stderr) });
        },
      );
    });
  }

  /**
   * Stop a oneshot whose start job was canceled: its `sleep` is still running and dies of SIGTERM,
   * which leaves the unit failed (Result=signal); forget that.
   */
  async function stopOneshot(name: string): Promise<void> {
    assert.equal((await stopUnit(name, o)).result, 'done');
    const state = await activeState(name);
    assert.ok(['inactive', 'failed'].includes(state));
    // an inactive unit nobody references may be unloaded (garbage-collected) at any moment, and
    // ResetFailedUnit of an unloaded one is "Unit … not loaded." (systemctl reset-failed says the
    // same): only a failed unit (kept loaded) needs it
    if (state === 'failed') await resetFailedUnit(name, o);
    assert.equal(await activeState(name), 'inactive');
  }

  describe(`one-off API against a ${mode}-mode sandbox`, () => {
    before(
      async () => {
        let userRuntimeDir: string | undefined;
        sb = await bootSandbox(mode, {
          units: unitFiles(bootTarget),
          setup: (dir) => {
            if (mode !== 'user') return;
            // dir is DIR/config/systemd/user; DIR/xdg is XDG_RUNTIME_DIR, and
            // $XDG_RUNTIME_DIR/systemd/user is in the user manager's search path, below dir.
            userRuntimeDir = path.join(dir, '..', '..', '..', 'xdg', 'systemd', 'user');
            fs.mkdirSync(userRuntimeDir, { recursive: true });
            fs.writeFileSync(path.join(userRuntimeDir, 'maskme.service'), MASKME);
          },
        });
        if (mode === 'user') {
          o = { address: sb.busAddress, bus: 'user' };
          unitDir = sb.unitDir;
          assert.ok(userRuntimeDir);
          runtimeUnitDir = userRuntimeDir;
        } else {
          o = { address: sb.busAddress };
          unitDir = SYSTEM_UNIT_DIR;
          runtimeUnitDir = SYSTEM_RUNTIME_UNIT_DIR;
          // /run is the sandbox's own tmpfs, mounted at boot: write the unit inside, then reload
          // so that the manager starts from the same state as the user manager does
          const w = await execInSandbox(
            sb.dir,
            ['sh', '-c', 'mkdir -p -- "$1" && cat > "$1/$2"', 'sh', runtimeUnitDir, 'maskme.service'],
            { input: MASKME },
          );
          assert.equal(w.code, 0, `cannot write ${runtimeUnitDir}/maskme.service in the sandbox: ${w.stderr}`);
          await reload(o);
        }
      },
      { timeout: 30_000 },
    );

    after(() => sb?.stop());

    describe('listing', () => {
      test('listUnits: a loaded unit appears with its states and description', { timeout: 10_000 }, async () => {
        await startUnit('ok.service', o);
        const all = await listUnits(o);
        const byPattern = await listUnits({ ...o, patterns: ['ok.service'] });
        assert.equal(byPattern.length, 1);
        const u = byPattern[0]!;
        assert.deepEqual(u, {
          name: 'ok.service',
          description: 'sysherd ok unit',
          loadState: 'loaded',
          activeState: 'active',
          subState: 'exited',
          following: '',
          unitPath: '/org/freedesktop/systemd1/unit/ok_2eservice',
          jobId: 0,
          jobType: '',
          jobPath: '/',
        });
        assert.deepEqual(
          all.find((x) => x.name === 'ok.service'),
          u,
        );
        assert.ok(all.length > 5, `ListUnits returned only ${all.length} units`);
        assert.ok(all.some((x) => x.name === bootTarget && x.activeState === 'active'), `${bootTarget} is not listed active`);
      });

      test('listUnits: glob patterns and states filter', { timeout: 10_000 }, async () => {
        await startUnit('ok.service', o);
        await assert.rejects(startUnit('fail.service', o), JobError);

        const globbed = await listUnits({ ...o, patterns: ['ok.*', 'fail.service', 'nothing-matches-*'] });
        assert.deepEqual(globbed.map((u) => u.name).sort(), ['fail.service', 'ok.service']);

        const failed = await listUnits({ ...o, states: ['failed'] });
        const f = failed.find((u) => u.name === 'fail.service');
        assert.ok(f, 'fail.service is not listed as failed');
        assert.equal(f.activeState, 'failed');
        assert.equal(f.subState, 'failed');
        assert.equal(f.loadState, 'loaded');
        assert.equal(f.description, 'sysherd failing oneshot');
        assert.ok(!failed.some((u) => u.name === 'ok.service'), 'an active unit is listed under state failed');
        for (const u of failed) assert.ok([u.loadState, u.activeState, u.subState].includes('failed'), `${u.name} does not match state failed`);

        // states and patterns together; sub state
        const exited = await listUnits({ ...o, states: ['exited'], patterns: ['*.service'] });
        assert.ok(exited.some((u) => u.name === 'ok.service'));
        assert.ok(exited.every((u) => u.subState === 'exited' && u.name.endsWith('.service')));
      });

      test('listUnits: patterns match loaded units only, as systemctl list-units (a plain name loads nothing)', { timeout: 10_000 }, async () => {
        // never.service exists as a unit file but nothing has loaded it.
        assert.deepEqual(await listUnits({ ...o, patterns: ['never.service'] }), []);
        assert.equal((await listUnitFiles({ ...o, patterns: ['never.service'] })).length, 1, 'the unit file is there');
      });

      test('listJobs: a slow job shows up while it runs, then is gone', { timeout: 10_000 }, async () => {
        const job = await startUnit('half.service', { ...o, wait: false });
        try {
          const jobs = await listJobs(o);
          const mine = jobs.find((j) => j.id === job.id);
          assert.ok(mine, `job ${job.id} is not listed: ${JSON.stringify(jobs)}`);
          assert.equal(mine.unit, 'half.service');
          assert.equal(mine.jobType, 'start');
          assert.ok(mine.state === 'running' || mine.state === 'waiting', mine.state);
          assert.equal(mine.jobPath, job.path);
          assert.equal(mine.unitPath, '/org/freedesktop/systemd1/unit/half_2eservice');

          const removed = await job.awaitSignal();
          assert.equal(removed.result, 'done');
          assert.ok(!(await listJobs(o)).some((j) => j.id === job.id), 'the job is still listed after JobRemoved');
        } finally {
          job.bus.close();
        }
      });

      test('listUnitFiles: the unit files are listed with their state (also by pattern and state)', { timeout: 10_000 }, async () => {
        const files = await listUnitFiles(o);
        const state = (name: string) => files.find((f) => f.path === path.join(unitDir, name))?.state;
        assert.equal(state('ok.service'), 'disabled');
        assert.equal(state('fail.service'), 'static');
        assert.equal(state('svc.service'), 'static');
        assert.equal(state('never.service'), 'static');
        assert.equal(files.find((f) => f.path.endsWith('/maskme.service'))?.path, path.join(runtimeUnitDir, 'maskme.service'));

        const filtered = await listUnitFiles({ ...o, patterns: ['ok.service', 'fail.service', 'never.service'], states: ['static'] });
        assert.deepEqual(
          filtered.map((f) => [path.basename(f.path), f.state]).sort(),
          [
            ['fail.service', 'static'],
            ['never.service', 'static'],
          ],
        );
      });

      test('unitFileState: static, disabled; a missing file rejects as systemctl is-enabled fails', { timeout: 10_000 }, async () => {
        assert.equal(await unitFileState('fail.service', o), 'static');
        assert.equal(await unitFileState('ok.service', o), 'disabled');
        const err = await rejection(unitFileState('no-such-file.service', o));
        assert.ok(err instanceof SystemdError, String(err));
        const ref = await systemctl('is-enabled', 'no-such-file.service');
        assert.equal(err.exitCode, ref.code, `systemctl is-enabled exited ${ref.code}: ${ref.stderr}`);
      });
    });

    describe('daemon-reload', () => {
      test('reload picks up a changed unit file and makes a new one loadable', { timeout: 15_000 }, async () => {
        const hostUnitDir = sandbox().unitDir;
        await startUnit('reloadme.service', o); // active: stays loaded, so the old definition stays
        try {
          fs.writeFileSync(path.join(hostUnitDir, 'reloadme.service'), '[Unit]\nDescription=after daemon-reload\n\n[Service]\nExecStart=/bin/sleep infinity\n');
          fs.writeFileSync(
            path.join(hostUnitDir, 'brandnew.service'),
            '[Unit]\nDescription=written after boot\n\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n',
          );
          const props = () => unitProps('reloadme.service');
          const before1 = await props();
          assert.equal(before1.Description, 'before daemon-reload');
          assert.equal(before1.NeedDaemonReload, true);

          await reload(o);

          const after1 = await props();
          assert.equal(after1.Description, 'after daemon-reload');
          assert.equal(after1.NeedDaemonReload, false);
          assert.equal(after1.ActiveState, 'active');

          const removed = await startUnit('brandnew.service', o);
          assert.equal(removed.result, 'done');
          const [u] = await listUnits({ ...o, patterns: ['brandnew.service'] });
          assert.equal(u?.loadState, 'loaded');
          assert.equal(u?.activeState, 'active');
          assert.equal(u?.description, 'written after boot');
          assert.equal(await unitFileState('brandnew.service', o), 'static');
        } finally {
          await stopUnit('reloadme.service', o);
        }
      });
    });

    describe('lifecycle verbs', () => {
      test('start, reload, restart, try-restart, reload-or-restart, reload-or-try-restart, stop on a running service', { timeout: 20_000 }, async () => {
        const name = 'svc.service';
        const r0 = await startUnit(name, o);
        assert.equal(r0.result, 'done');
        assert.equal(r0.unit, name);
        assert.match(r0.jobPath, JOB_PATH);
        assert.equal(r0.jobPath, `/org/freedesktop/systemd1/job/${r0.id}`);
        assert.equal(await activeState(name), 'active');
        const pid0 = await mainPid(name);
        assert.ok(pid0 > 0);

        // reload: ExecReload=, same main process
        assert.equal((await reloadUnit(name, o)).result, 'done');
        assert.equal(await activeState(name), 'active');
        assert.equal(await mainPid(name), pid0, 'reload replaced the main process');

        // restart: new main process
        assert.equal((await restartUnit(name, o)).result, 'done');
        assert.equal(await activeState(name), 'active');
        const pid1 = await mainPid(name);
        assert.ok(pid1 > 0 && pid1 !== pid0, 'restart kept the main process');

        // try-restart of an active unit restarts it
        assert.equal((await tryRestartUnit(name, o)).result, 'done');
        assert.equal(await activeState(name), 'active');
        const pid2 = await mainPid(name);
        assert.ok(pid2 > 0 && pid2 !== pid1, 'try-restart kept the main process');

        // reload-or-restart of a reloadable active unit reloads it
        assert.equal((await reloadOrRestartUnit(name, o)).result, 'done');
        assert.equal(await activeState(name), 'active');
        assert.equal(await mainPid(name), pid2);

        // reload-or-try-restart likewise
        assert.equal((await reloadOrTryRestartUnit(name, o)).result, 'done');
        assert.equal(await activeState(name), 'active');
        assert.equal(await mainPid(name), pid2);

        assert.equal((await stopUnit(name, o)).result, 'done');
        assert.equal(await activeState(name), 'inactive');
        assert.equal(await mainPid(name), 0);
      });

      test('on an inactive service: try-restart and reload-or-try-restart leave it stopped, reload fails, reload-or-restart starts it', { timeout: 20_000 }, async () => {
        const name = 'svc.service';
        await stopUnit(name, o);
        assert.equal(await activeState(name), 'inactive');

        assert.equal((await tryRestartUnit(name, o)).result, 'done');
        assert.equal(await activeState(name), 'inactive');

        assert.equal((await reloadOrTryRestartUnit(name, o)).result, 'done');
        assert.equal(await activeState(name), 'inactive');

        const err = await rejection(reloadUnit(name, o));
        assert.ok(err instanceof JobError, String(err));
        assert.equal(err.result, 'invalid');
        assert.equal(err.jobType, 'reload');
        assert.equal(err.unit, name);
        assert.equal(err.message, 'svc.service is not active, cannot reload.');
        assert.equal(await activeState(name), 'inactive');

        assert.equal((await reloadOrRestartUnit(name, o)).result, 'done');
        assert.equal(await activeState(name), 'active');
        await stopUnit(name, o);
        assert.equal(await activeState(name), 'inactive');
      });

      test('resetFailedUnit: failed → inactive', { timeout: 10_000 }, async () => {
        await assert.rejects(startUnit('resetme.service', o), JobError);
        assert.equal(await activeState('resetme.service'), 'failed');
        assert.ok((await listUnits({ ...o, states: ['failed'] })).some((u) => u.name === 'resetme.service'));
        await resetFailedUnit('resetme.service', o);
        assert.equal(await activeState('resetme.service'), 'inactive');
        assert.ok(!(await listUnits({ ...o, states: ['failed'] })).some((u) => u.name === 'resetme.service'));
      });

      test('killUnit: SIGKILL to a `sleep infinity` service leaves it failed or inactive', { timeout: 10_000 }, async () => {
        await startUnit('killme.service', o);
        assert.equal(await activeState('killme.service'), 'active');
        const pid = await mainPid('killme.service');
        assert.ok(pid > 0);
        await killUnit('killme.service', { ...o, signal: 9 });
        const st = await waitFor(() => activeState('killme.service'), (s) => s === 'failed' || s === 'inactive');
        assert.ok(st === 'failed' || st === 'inactive', `ActiveState ${st}`);
        const props = await withConnection(o, async (m) => (await m.getUnit('killme.service')).serviceProperties());
        assert.equal(props.MainPID, 0);
        assert.equal(props.Result, 'signal');
        assert.equal(props.ExecMainStatus, 9);
        await resetFailedUnit('killme.service', o).catch(() => undefined);
      });
    });

    describe('unit files', () => {
      test('enableUnitFiles / disableUnitFiles', { timeout: 10_000 }, async () => {
        const link = path.join(unitDir, `${bootTarget}.wants`, 'ok.service');
        assert.equal(await unitFileState('ok.service', o), 'disabled');
        assert.ok(!(await unitProps(bootTarget)).Wants.includes('ok.service'));

        const en = await enableUnitFiles(['ok.service'], o);
        assert.equal(en.carriesInstallInfo, true);
        assert.deepEqual(en.changes, [{ type: 'symlink', file: link, destination: path.join(unitDir, 'ok.service') }]);
        assert.equal(fs.readlinkSync(hostPath(link)), path.join(unitDir, 'ok.service'));
        assert.equal(await unitFileState('ok.service', o), 'enabled');
        const listed = await listUnitFiles({ ...o, patterns: ['ok.service'] });
        assert.deepEqual(listed, [{ path: path.join(unitDir, 'ok.service'), state: 'enabled' }]);

        // enabling again changes nothing
        assert.deepEqual((await enableUnitFiles(['ok.service'], o)).changes, []);
        // the link is real: once reloaded, the target the manager boots wants ok.service
        await reload(o);
        assert.ok((await unitProps(bootTarget)).Wants.includes('ok.service'), `${bootTarget} does not want ok.service`);

        const dis = await disableUnitFiles(['ok.service'], o);
        assert.deepEqual(dis, [{ type: 'unlink', file: link, destination: '' }]);
        assert.equal(fs.existsSync(hostPath(link)), false);
        assert.equal(await unitFileState('ok.service', o), 'disabled');
        await reload(o);
        assert.ok(!(await unitProps(bootTarget)).Wants.includes('ok.service'), `${bootTarget} still wants ok.service`);
      });

      test('enableUnitFiles of a unit without [Install] carries no install info', { timeout: 10_000 }, async () => {
        const en = await enableUnitFiles(['never.service'], o);
        assert.equal(en.carriesInstallInfo, false);
        assert.deepEqual(en.changes, []);
        assert.equal(await unitFileState('never.service', o), 'static');
      });

      test('maskUnitFiles / unmaskUnitFiles; starting a masked unit is refused', { timeout: 15_000 }, async () => {
        // Masking links NAME → /dev/null in unitDir (the manager's config dir: user
        // $XDG_CONFIG_HOME/systemd/user, system /etc/systemd/system), where systemd refuses to
        // replace a unit file: the unit file itself must live in a lower-priority directory,
        // user $XDG_RUNTIME_DIR/systemd/user, system /run/systemd/system.
        assert.equal(
          runtimeUnitDir,
          mode === 'user' ? path.join(sandbox().env.XDG_RUNTIME_DIR!, 'systemd', 'user') : SYSTEM_RUNTIME_UNIT_DIR,
        );
        const maskLink = path.join(unitDir, 'maskme.service');
        assert.equal(fs.existsSync(hostPath(maskLink)), false, 'maskme.service must not be in the unit directory');
        assert.equal(await unitFileState('maskme.service', o), 'static');

        const masked = await maskUnitFiles(['maskme.service'], o);
        assert.deepEqual(masked, [{ type: 'symlink', file: maskLink, destination: '/dev/null' }]);
        assert.equal(fs.readlinkSync(hostPath(maskLink)), '/dev/null');
        assert.equal(await unitFileState('maskme.service', o), 'masked');
        assert.ok((await listUnitFiles({ ...o, states: ['masked'] })).some((f) => f.path === maskLink));

        try {
          const err = await rejection(startUnit('maskme.service', o));
          assert.ok(err instanceof SystemdError, String(err));
          assert.ok(!(err instanceof JobError), 'refused when enqueued, not as a job result');
          assert.ok(!(err instanceof NoSuchUnitError));
          assert.equal(err.dbusName, 'org.freedesktop.systemd1.UnitMasked');
          assert.equal(err.message, 'Unit maskme.service is masked.');
          assert.equal(err.isNoSuchUnit, false);
          assert.equal(err.isPermission, false);
          assert.notEqual(err.exitCode, 0);
          assert.equal(await activeState('maskme.service'), 'inactive');
        } finally {
          const unmasked = await unmaskUnitFiles(['maskme.service'], o);
          assert.deepEqual(unmasked, [{ type: 'unlink', file: maskLink, destination: '' }]);
        }
        assert.equal(fs.existsSync(hostPath(maskLink)), false);
        assert.equal(await unitFileState('maskme.service', o), 'static');
        assert.equal((await startUnit('maskme.service', o)).result, 'done');
        assert.equal(await activeState('maskme.service'), 'active');
        await stopUnit('maskme.service', o);
      });

      test('starting a masked unit: the error carries the exit code systemctl uses (errors.ts)', { timeout: 15_000 }, async () => {
        await maskUnitFiles(['maskme.service'], o);
        try {
          const err = await rejection(startUnit('maskme.service', o));
          assert.ok(err instanceof SystemdError, String(err));
          const ref = await systemctl('start', 'maskme.service');
          assert.match(ref.stderr, /Unit maskme\.service is masked/);
          // systemd 252's systemctl exits 1 here: translate_bus_error_to_exit_status() has no case for
          // org.freedesktop.systemd1.UnitMasked
          assert.equal(ref.code, 1);
          assert.equal(err.exitCode, ref.code, `systemctl start of a masked unit exits ${ref.code}, the library says ${err.exitCode} (${err.name})`);
        } finally {
          await unmaskUnitFiles(['maskme.service'], o);
        }
        assert.equal(await unitFileState('maskme.service', o), 'static');
      });
    });

    describe('wait: false', () => {
      test('returns a Job: running, then awaitSignal() resolves with done', { timeout: 10_000 }, async () => {
        const job = await startUnit('half.service', { ...o, wait: false });
        try {
          assert.ok(job instanceof Job);
          assert.match(job.path, JOB_PATH);
          assert.equal(job.unit, 'half.service');
          assert.equal(job.jobType, 'start');
          assert.equal(job.id, Number(job.path.split('/').pop()));
          assert.equal(job.bus.closed, false, 'the Job connection must stay open');
          const st = await job.state();
          assert.ok(st === 'running' || st === 'waiting', `state ${st}`);
          const removed = await job.awaitSignal();
          assert.deepEqual(removed, { id: job.id, jobPath: job.path, unit: 'half.service', result: 'done' });
          assert.equal(await job.state(), 'gone');
        } finally {
          job.bus.close();
        }
        assert.equal(job.bus.closed, true);
      });

      test('jobTimeout: waiting gives up with TimeoutError, the job stays queued', { timeout: 10_000 }, async () => {
        const t0 = Date.now();
        const err = await rejection(startUnit('slow.service', { ...o, jobTimeout: 300 }));
        const ms = Date.now() - t0;
        assert.ok(err instanceof TimeoutError, String(err));
        assert.ok(ms >= 250 && ms < 3000, `gave up after ${ms} ms`);
        const job = (await listJobs(o)).find((j) => j.unit === 'slow.service');
        assert.ok(job, 'the job is gone from systemd');
        assert.equal(job.state, 'running');
        await withConnection(o, (m) => m.cancelJob(job.id));
        assert.ok(!(await listJobs(o)).some((j) => j.id === job.id));
        await stopOneshot('slow.service');
      });
    });

    describe('errors', () => {
      test('starting a unit that does not exist: NoSuchUnitError, exit code as systemctl', { timeout: 10_000 }, async () => {
        const err = await rejection(startUnit('does-not-exist.service', o));
        // systemd 252 answers StartUnit for a missing unit file with org.freedesktop.systemd1.NoSuchUnit
        assert.ok(err instanceof NoSuchUnitError, String(err));
        assert.equal(err.dbusName, 'org.freedesktop.systemd1.NoSuchUnit');
        assert.equal(err.isNoSuchUnit, true);
        assert.equal(err.isPermission, false);
        assert.equal(err.exitCode, 5);
        assert.equal(err.message, 'Unit does-not-exist.service not found.');
        const ref = await systemctl('start', 'does-not-exist.service');
        assert.equal(err.exitCode, ref.code);
      });

      test('an invalid unit name: InvalidArgumentError, nothing enqueued', { timeout: 10_000 }, async () => {
        const jobsBefore = (await listJobs(o)).length;
        for (const bad of ['not a unit.service', 'no-suffix', 'x.bogus', '@.service', '']) {
          const err = await rejection(startUnit(bad, o));
          assert.ok(err instanceof InvalidArgumentError, `${JSON.stringify(bad)}: ${String(err)}`);
          assert.equal(err.exitCode, 1);
          assert.equal(err.dbusName, undefined, 'an InvalidArgumentError from the library carries no D-Bus name');
          assert.equal(err.isNoSuchUnit, false);
        }
        assert.equal((await listJobs(o)).length, jobsBefore);
        assert.ok(!(await listUnits(o)).some((u) => u.name.includes('bogus') || u.name.startsWith('no-suffix')));
      });

      test('a failing oneshot: JobError, result failed, systemctl\'s message', { timeout: 10_000 }, async () => {
        const err = await rejection(startUnit('fail.service', o));
        assert.ok(err instanceof JobError, String(err));
        assert.equal(err.result, 'failed');
        assert.equal(err.unit, 'fail.service');
        assert.equal(err.jobType, 'start');
        assert.match(err.jobPath, JOB_PATH);
        assert.equal(err.message, 'Job for fail.service failed because the control process exited with error code.');
        assert.equal(err.exitCode, 1);
        assert.match(err.hint ?? '', /journalctl .*-xeu fail\.service/);
        assert.equal(await activeState('fail.service'), 'failed');
      });

      test('a failing oneshot: message, exit code and hint as `systemctl start` prints them', { timeout: 10_000 }, async () => {
        const err = await rejection(startUnit('fail.service', o));
        assert.ok(err instanceof JobError, String(err));
        const ref = await systemctl('start', 'fail.service');
        // "Job for fail.service failed because …\nSee "systemctl [--user ]status fail.service" and …"
        const [message, see] = ref.stderr.trim().split('\n');
        assert.equal(err.message, message);
        assert.equal(err.exitCode, ref.code);
        assert.match(see ?? '', /^See "/, ref.stderr);
        assert.deepEqual(
          quotedCommands(err.hint ?? ''),
          quotedCommands(see ?? ''),
          `the hint names other commands than systemctl: ${JSON.stringify(err.hint)} vs ${JSON.stringify(see)}`,
        );
        assert.equal(await activeState('fail.service'), 'failed');
      });

      test('a dependency failure: JobError, result dependency', { timeout: 10_000 }, async () => {
        const err = await rejection(startUnit('dep.service', o));
        assert.ok(err instanceof JobError, String(err));
        assert.equal(err.result, 'dependency');
        assert.equal(err.unit, 'dep.service');
        assert.equal(err.message, 'A dependency job for dep.service failed.');
        assert.equal(await activeState('dep.service'), 'inactive');
        assert.equal(await activeState('fail.service'), 'failed');
      });

      test('a job canceled while running: cancel() true, awaitSignal rejects canceled, cancel again false', { timeout: 10_000 }, async () => {
        const job = await startUnit('slow.service', { ...o, wait: false });
        try {
          assert.ok(['running', 'waiting'].includes(await job.state()));
          assert.equal(await job.cancel(), true);
          const err = await rejection(job.awaitSignal());
          assert.ok(err instanceof JobError, String(err));
          assert.equal(err.result, 'canceled');
          assert.equal(err.unit, 'slow.service');
          assert.equal(err.jobPath, job.path);
          assert.equal(err.message, 'Job for slow.service canceled.');
          assert.equal(await job.cancel(), false);
          assert.equal(await job.state(), 'gone');
        } finally {
          job.bus.close();
        }
        // the canceled start job left the process running: stop it
        await stopOneshot('slow.service');
      });
    });
  });
}
