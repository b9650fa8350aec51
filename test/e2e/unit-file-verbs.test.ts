/**
 * The unit-file verbs added for issue 12 (preset, preset-all, link, revert, add-wants,
 * add-requires, get-default, set-default, edit, --no-reload, --preset-mode, the offline options)
 * and systemctl's own failure texts, run through the BUILT CLI inside one system-mode sandbox
 * side by side with systemctl 252: stdout, stderr (program name swapped), exit code, and the
 * unit directories afterwards (every file and link under /etc/systemd and /run/systemd/system,
 * with its target or content). Each comparison replays the same set-up before each of the two
 * runs. `edit` runs on a pseudo-terminal (252 refuses without one) with fake editors.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { execInSandbox } from '../../src/sandbox/sandbox.js';
import { type BootedSandbox, bootSandbox } from '../helpers/sandbox.js';
import { comparableStderr } from '../helpers/compare.js';
import { BIN, cliEnv, ensureBuilt, projectRoot, runInSandboxPty, shellQuote } from './helpers.js';

const UNITS: Record<string, string> = {
  'uf-a.service': '[Unit]\nDescription=A\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n',
  'uf-b.service': '[Unit]\nDescription=B\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n',
  'uf-static.service': '[Unit]\nDescription=Static\n[Service]\nExecStart=/bin/sleep 1000\n',
  'uf-spec@.service': '[Unit]\nDescription=Bad specifier\n[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=user-%i@%J.service\n',
  'uf-t.target': '[Unit]\nDescription=T\n',
};

/** Files written into the sandbox after boot (outside /etc/systemd/system). */
const SETUP = [
  // a vendor unit, so that revert has something to go back to, and a unit to mask
  "printf '[Unit]\\nDescription=Vendor\\n[Service]\\nType=oneshot\\nExecStart=/bin/true\\n[Install]\\nWantedBy=multi-user.target\\n' > /usr/lib/systemd/system/uf-vendor.service",
  "printf '[Unit]\\nDescription=Masked\\n[Service]\\nExecStart=/bin/true\\n' > /usr/lib/systemd/system/uf-masked.service",
  // a unit file outside the search path, to link
  "mkdir -p /opt/uf && printf '[Unit]\\nDescription=Linked\\n[Service]\\nType=oneshot\\nExecStart=/bin/true\\n[Install]\\nWantedBy=multi-user.target\\n' > /opt/uf/uf-linked.service",
  // the preset policy: uf-a disabled, uf-b enabled (the rest: enabled, the default)
  "mkdir -p /etc/systemd/system-preset && printf 'disable uf-a.service\\nenable uf-b.service\\n' > /etc/systemd/system-preset/10-uf.preset",
  // fake editors: insert /tmp/uf-content after the start marker; overwrite with /tmp/uf-content;
  // leave the file alone; the Nth call writes /tmp/uf-content-N
  "printf '#!/bin/sh\\nsed -i \"/^### Anything between/r /tmp/uf-content\" \"$1\"\\n' > /usr/local/bin/uf-insert",
  "printf '#!/bin/sh\\ncat /tmp/uf-content > \"$1\"\\n' > /usr/local/bin/uf-write",
  "printf '#!/bin/sh\\nn=$(cat /tmp/uf-n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /tmp/uf-n; cat /tmp/uf-content-$n > \"$1\"\\n' > /usr/local/bin/uf-seq",
  "printf '#!/bin/sh\\nexit 3\\n' > /usr/local/bin/uf-fail",
  'chmod +x /usr/local/bin/uf-insert /usr/local/bin/uf-write /usr/local/bin/uf-seq /usr/local/bin/uf-fail',
  'systemctl daemon-reload',
].join(' && ');

/** Every file and link of the unit directories: path, type, link target, content. */
const STATE =
  'find /etc/systemd/system /run/systemd/system -mindepth 1 2>/dev/null | sort | while read -r f; do ' +
  'if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"; elif [ -d "$f" ]; then echo "$f/"; else echo "$f:"; cat "$f"; echo "<EOF>"; fi; done; ' +
  'systemctl show -P FragmentPath default.target';

let sb: BootedSandbox | undefined;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function sh(script: string): Promise<Run> {
  return execInSandbox(sb!.dir, ['sh', '-c', script]);
}

async function systemctl(...args: string[]): Promise<Run> {
  return execInSandbox(sb!.dir, ['systemctl', ...args]);
}

async function sysherd(...args: string[]): Promise<Run> {
  return execInSandbox(sb!.dir, [process.execPath, BIN, ...args]);
}

/** Put the files back: set-up steps are shell lines run quietly in the sandbox (then a reload). */
async function setUp(steps: string[]): Promise<void> {
  const r = await sh(`${[...steps, 'systemctl daemon-reload'].join(' && ')} >/dev/null 2>&1`);
  assert.equal(r.code, 0, `set-up failed: ${steps.join(' && ')}`);
}

/** The starting state most tests want: nothing enabled, masked or overridden; the default graphical. */
const CLEAN = [
  'systemctl -q disable uf-a uf-b uf-vendor uf-linked 2>/dev/null; true',
  'systemctl -q unmask uf-masked uf-a; systemctl -q unmask --runtime uf-masked; true',
  'rm -rf /etc/systemd/system/uf-*.d /run/systemd/system/uf-*.d /etc/systemd/system/uf-vendor.service /etc/systemd/system/uf-linked.service /etc/systemd/system/uf-new*.service* /run/systemd/system/uf-*.service* /etc/systemd/system/uf-t.target.* /run/systemd/system/uf-t.target.*',
  'rm -f /etc/systemd/system/*.wants/uf-* /etc/systemd/system/*.requires/uf-*',
  'ln -sf /lib/systemd/system/graphical.target /etc/systemd/system/default.target',
];

/** Run `args` through systemctl and sysherd from the same starting state; compare outputs and files. */
async function same(args: string[], steps: string[] = []): Promise<Run> {
  await setUp([...CLEAN, ...steps]);
  const ref = await systemctl(...args);
  const refState = await sh(STATE);
  await setUp([...CLEAN, ...steps]);
  const ours = await sysherd(...args);
  const ourState = await sh(STATE);
  const what = `${args.join(' ')}\n--- systemctl (exit ${String(ref.code)}) ---\n${ref.stdout}${ref.stderr}\n--- sysherd (exit ${String(ours.code)}) ---\n${ours.stdout}${ours.stderr}`;
  assert.equal(ours.code, ref.code, `exit code: ${what}`);
  assert.equal(ours.stdout, ref.stdout, `stdout: ${what}`);
  const c = comparableStderr(ours.stderr, ref.stderr);
  assert.equal(c.ours, c.ref, `stderr: ${what}`);
  assert.equal(ourState.stdout, refState.stdout, `files afterwards: ${what}`);
  return ours;
}

/** Temporary file names carry 16 random hex digits; the program name is ours. */
function comparablePty(s: string): string {
  return s.replace(/(\.#[^/\s]+?)[0-9a-f]{16}\b/g, '$1XXXXXXXXXXXXXXXX').replace(/(["'])sysherd /g, '$1systemctl ');
}

/** `edit` on a pseudo-terminal: `env VAR=… systemctl …` against the same with sysherd. */
async function samePty(env: string[], args: string[], steps: string[] = []): Promise<{ code: number | null; output: string }> {
  await setUp([...CLEAN, ...steps]);
  const ref = await runInSandboxPty(sb!.dir, ['env', ...env, '/usr/bin/systemctl', ...args], 0);
  const refState = await sh(STATE);
  await setUp([...CLEAN, ...steps]);
  const ours = await runInSandboxPty(sb!.dir, ['env', ...env, process.execPath, BIN, ...args], 0);
  const ourState = await sh(STATE);
  const what = `${env.join(' ')} ${args.join(' ')}\n--- systemctl (exit ${String(ref.code)}) ---\n${ref.output}\n--- sysherd (exit ${String(ours.code)}) ---\n${ours.output}`;
  assert.equal(ours.code, ref.code, `exit code: ${what}`);
  assert.equal(comparablePty(ours.output), comparablePty(ref.output), `output: ${what}`);
  assert.equal(ourState.stdout, refState.stdout, `files afterwards: ${what}`);
  return ours;
}

describe('unit-file verbs of systemctl 252, side by side in a system sandbox', { timeout: 600_000 }, () => {
  before(async () => {
    ensureBuilt();
    sb = await bootSandbox('system', { units: UNITS });
    const r = await sh(SETUP);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await sb?.stop();
  });

  describe('preset, preset-all', () => {
    test('preset follows the policy; --preset-mode=enable-only/disable-only; -q; a unit without [Install]', async () => {
      const r = await same(['preset', 'uf-b']);
      assert.match(r.stderr, /^Created symlink \/etc\/systemd\/system\/multi-user\.target\.wants\/uf-b\.service → /m);
      await same(['preset', 'uf-a'], ['systemctl -q enable uf-a']);
      await same(['preset', '--preset-mode=enable-only', 'uf-a'], ['systemctl -q enable uf-a']);
      await same(['preset', '--preset-mode=disable-only', 'uf-a'], ['systemctl -q enable uf-a']);
      await same(['preset', '--preset-mode=disable-only', 'uf-b']);
      await same(['preset', '--preset-mode=full', 'uf-a', 'uf-b'], ['systemctl -q enable uf-a']);
      await same(['-q', 'preset', 'uf-b']);
      await same(['preset', 'uf-static']);
    });

    test('preset-all --preset-mode=enable-only (a full preset-all would touch the whole sandbox)', async () => {
      await same(['preset-all', '--preset-mode=disable-only'], ['systemctl -q enable uf-a']);
    });

    test('bad input: unknown mode, help, no unit, arguments to preset-all, a unit that does not exist', async () => {
      await same(['preset', '--preset-mode=bogus', 'uf-b']);
      await same(['preset-all', '--preset-mode=nope']);
      await same(['--preset-mode=help', 'preset']);
      await same(['preset']);
      await same(['preset-all', 'uf-a']);
      await same(['preset', 'uf-nope']);
    });
  });

  describe('link, revert', () => {
    test('link a file outside the search path; a bare name is refused; a missing file', async () => {
      const r = await same(['link', '/opt/uf/uf-linked.service']);
      assert.match(r.stderr, /^Created symlink \/etc\/systemd\/system\/uf-linked\.service → \/opt\/uf\/uf-linked\.service\.$/m);
      await same(['link', 'uf-linked.service']);
      await same(['link', '/opt/uf/nope.service']);
      await same(['link']);
    });

    test('revert: drop-ins, an overriding copy in /etc, a mask; nothing to revert', async () => {
      await same(['revert', 'uf-vendor'], [
        'mkdir -p /etc/systemd/system/uf-vendor.service.d',
        "printf '[Service]\\nEnvironment=X=1\\n' > /etc/systemd/system/uf-vendor.service.d/override.conf",
        'cp /usr/lib/systemd/system/uf-vendor.service /etc/systemd/system/uf-vendor.service',
      ]);
      await same(['revert', 'uf-masked'], ['systemctl -q mask uf-masked']);
      await same(['revert', 'uf-vendor']);
      await same(['revert']);
    });
  });

  describe('add-wants, add-requires', () => {
    test('a target wants/requires units; -q; --runtime; errors', async () => {
      const r = await same(['add-wants', 'uf-t', 'uf-a', 'uf-b']);
      assert.match(r.stderr, /^Created symlink \/etc\/systemd\/system\/uf-t\.target\.wants\/uf-a\.service → /m);
      await same(['add-requires', 'uf-t.target', 'uf-a']);
      await same(['-q', 'add-wants', 'uf-t', 'uf-a']);
      await same(['add-wants', '--runtime', 'uf-t', 'uf-b']);
      await same(['add-wants', 'uf-t', 'uf-nope']);
      await same(['add-wants', 'uf-t']);
      await same(['add-requires']);
    });
  });

  describe('get-default, set-default', () => {
    test('get-default; set-default with and without the suffix; the same again; errors', async () => {
      await same(['get-default']);
      const r = await same(['set-default', 'multi-user']);
      assert.match(r.stderr, /^Created symlink \/etc\/systemd\/system\/default\.target → \/lib\/systemd\/system\/multi-user\.target\.$/m);
      await same(['set-default', 'graphical.target']);
      await same(['set-default', 'uf-nope.target']);
      await same(['set-default']);
      await same(['set-default', 'a.target', 'b.target']);
      await same(['get-default', 'x']);
    });
  });

  describe('--no-reload, and systemctl\'s own failure texts', () => {
    test('--no-reload: the files change, the manager does not reload (NeedDaemonReload stays)', async () => {
      await same(['enable', '--no-reload', 'uf-a']);
      await setUp([...CLEAN, 'systemctl start uf-a']);
      await sh("printf '[Unit]\\nDescription=A changed\\n[Service]\\nType=oneshot\\nExecStart=/bin/true\\n[Install]\\nWantedBy=multi-user.target\\n' > /tmp/uf-a && cp /etc/systemd/system/uf-a.service /tmp/uf-a.orig && cp /tmp/uf-a /etc/systemd/system/uf-a.service");
      try {
        const r = await sysherd('preset', '--no-reload', 'uf-a');
        assert.equal(r.code, 0, r.stderr);
        assert.equal((await systemctl('show', '-P', 'NeedDaemonReload', 'uf-a')).stdout, 'yes\n');
        await sysherd('preset', 'uf-a');
        assert.equal((await systemctl('show', '-P', 'NeedDaemonReload', 'uf-a')).stdout, 'no\n');
      } finally {
        await sh('cp /tmp/uf-a.orig /etc/systemd/system/uf-a.service && systemctl daemon-reload && systemctl stop uf-a');
      }
    });

    test('an invalid specifier in WantedBy=, a mask over a file in /etc: stderr is exactly systemctl\'s', async () => {
      const r = await same(['enable', 'uf-spec@x']);
      assert.equal(r.stderr, 'Failed to enable unit: Invalid specifier in user-%i@%J.service.\n');
      const m = await same(['mask', 'uf-a']);
      assert.equal(m.stderr, 'Failed to mask unit: File /etc/systemd/system/uf-a.service already exists.\n');
      const e = await same(['enable', 'uf-nope']);
      assert.equal(e.stderr, 'Failed to enable unit: Unit file uf-nope.service does not exist.\n');
    });
  });

  describe('--json: what changed, what was read', () => {
    test('preset, add-wants, set-default list their changes; get-default the target', async () => {
      await setUp(CLEAN);
      const p = await sysherd('--json', 'preset', 'uf-b');
      assert.equal(p.code, 0, p.stderr);
      assert.equal(p.stderr, '');
      const pj = JSON.parse(p.stdout) as { verb: string; units: string[]; carriesInstallInfo: boolean; changes: { type: string; file: string; destination: string }[] };
      assert.equal(pj.verb, 'preset');
      assert.deepEqual(pj.units, ['uf-b.service']);
      assert.equal(pj.carriesInstallInfo, true);
      assert.deepEqual(pj.changes, [{ type: 'symlink', file: '/etc/systemd/system/multi-user.target.wants/uf-b.service', destination: '/etc/systemd/system/uf-b.service' }]);

      const a = await sysherd('--json', 'add-requires', 'uf-t', 'uf-a');
      const aj = JSON.parse(a.stdout) as { target: string; mode: string; changes: unknown[] };
      assert.equal(aj.target, 'uf-t.target');
      assert.equal(aj.mode, 'Requires');
      assert.deepEqual(aj.changes, [{ type: 'symlink', file: '/etc/systemd/system/uf-t.target.requires/uf-a.service', destination: '/etc/systemd/system/uf-a.service' }]);

      const s = await sysherd('--json', 'set-default', 'multi-user');
      const sj = JSON.parse(s.stdout) as { target: string; changes: { type: string }[] };
      assert.equal(sj.target, 'multi-user.target');
      assert.deepEqual(sj.changes.map((c) => c.type), ['unlink', 'symlink']);

      const g = await sysherd('get-default', '--json');
      assert.deepEqual(JSON.parse(g.stdout), { defaultTarget: 'multi-user.target' });

      // nothing to change: an empty list, still valid JSON
      const again = await sysherd('--json', 'set-default', 'multi-user');
      assert.deepEqual((JSON.parse(again.stdout) as { changes: unknown[] }).changes, []);
    });
  });

  describe('--root, --image, --global: one line, exit 1, nothing changed', () => {
    test('each option is named in the error', async () => {
      await setUp(CLEAN);
      const before = await sh(STATE);
      for (const args of [['--root=/tmp', 'enable', 'uf-a'], ['--image=/tmp/x.raw', 'preset', 'uf-b'], ['--global', 'enable', 'uf-a'], ['--root', '/', 'list-unit-files'], ['--global', 'edit', 'uf-a'], ['--root=/', 'is-enabled', 'uf-a']]) {
        const r = await sysherd(...args);
        assert.equal(r.code, 1, args.join(' '));
        assert.equal(r.stdout, '');
        const opt = args[0]!.replace(/=.*/, '=').replace(/^--root$/, '--root=');
        assert.match(r.stderr, new RegExp(`^sysherd: ${opt.replace(/-/g, '\\-')} is not supported[^\\n]*\\n$`), r.stderr);
      }
      assert.equal((await sh(STATE)).stdout, before.stdout);
    });
  });

  describe('edit (on a terminal, with fake editors)', () => {
    const content = (text: string): string => `printf '${text}' > /tmp/uf-content`;

    test('a drop-in: the temporary file has 252\'s header and the unit commented out; installed, reloaded', async () => {
      const r = await samePty(['EDITOR=uf-insert'], ['edit', 'uf-a'], [content('[Service]\\nEnvironment=A=1\\n')]);
      assert.equal(r.code, 0);
      const seen = await sh('cat /etc/systemd/system/uf-a.service.d/override.conf');
      assert.equal(seen.stdout, '[Service]\nEnvironment=A=1');
    });

    test('an existing drop-in is the text between the markers; the other drop-ins are shown', async () => {
      await samePty(['SYSTEMD_EDITOR=uf-insert', 'EDITOR=uf-fail'], ['edit', 'uf-a'], [
        content('[Service]\\nEnvironment=B=2\\n'),
        'mkdir -p /etc/systemd/system/uf-a.service.d',
        "printf '[Service]\\nEnvironment=A=1\\n' > /etc/systemd/system/uf-a.service.d/override.conf",
        "printf '[Unit]\\nDescription=other\\n' > /etc/systemd/system/uf-a.service.d/other.conf",
      ]);
    });

    test('--full, --runtime, --force (a new drop-in, a new unit), --no-reload', async () => {
      await samePty(['VISUAL=uf-write'], ['edit', '--full', 'uf-b'], [content('[Unit]\\nDescription=B full\\n[Service]\\nType=oneshot\\nExecStart=/bin/true\\n')]);
      await samePty(['EDITOR=uf-insert'], ['edit', '--runtime', 'uf-a'], [content('[Service]\\nEnvironment=R=1\\n')]);
      await samePty(['EDITOR=uf-insert'], ['edit', '--runtime', '--full', 'uf-a'], [content('x\\n')]);
      await samePty(['EDITOR=uf-write'], ['edit', '--force', '--full', 'uf-new1.service'], [content('[Service]\\nExecStart=/bin/true\\n')]);
      await samePty(['EDITOR=uf-write'], ['edit', '--force', 'uf-new2.service'], [content('[Unit]\\nDescription=x\\n')]);
      await samePty(['EDITOR=uf-insert'], ['edit', '--no-reload', 'uf-a'], [content('[Service]\\nEnvironment=N=1\\n')]);
    });

    test('nothing written: canceled; an editor that fails; no editor at all', async () => {
      const r = await samePty(['EDITOR=true'], ['edit', 'uf-a']);
      assert.match(r.output, /Editing "\/etc\/systemd\/system\/uf-a\.service\.d\/override\.conf" canceled: temporary file is empty\./);
      await samePty(['EDITOR=uf-fail'], ['edit', 'uf-a']);
      await samePty(['EDITOR=uf-fail'], ['edit', '--full', 'uf-a']);
      const n = await samePty(['PATH=/nonexistent'], ['edit', 'uf-a']);
      assert.match(n.output, /Cannot edit units, no editor available\. Please set either \$SYSTEMD_EDITOR, \$EDITOR or \$VISUAL\./);
    });

    test('bad input: a unit that does not exist, a masked unit, no unit, --runtime under a file in /etc', async () => {
      const r = await samePty(['EDITOR=uf-insert'], ['edit', 'uf-nope']);
      assert.equal(r.code, 1);
      assert.match(r.output, /^No files found for uf-nope\.service\.\nRun 'sysherd edit --force --full uf-nope\.service' to create a new unit\.\n$/);
      await samePty(['EDITOR=uf-insert'], ['edit', 'uf-masked'], ['systemctl -q mask --runtime uf-masked']);
      await samePty(['EDITOR=uf-insert'], ['edit']);
      await samePty(['EDITOR=uf-insert'], ['edit', '--runtime', '--full', 'uf-a']);
      await samePty(['EDITOR=uf-insert'], ['edit', 'uf-templ@']);
    });

    test('beyond 252: an edit that changes nothing installs nothing (systemctl copies the vendor unit to /etc); --json says so', async () => {
      await setUp(CLEAN);
      const ref = await runInSandboxPty(sb!.dir, ['env', 'EDITOR=true', '/usr/bin/systemctl', 'edit', '--full', 'uf-vendor'], 0);
      assert.equal(ref.code, 0, ref.output);
      assert.equal((await sh('test -e /etc/systemd/system/uf-vendor.service')).code, 0, 'systemctl 252 installs the unchanged copy');
      await setUp(CLEAN);
      const ours = await runInSandboxPty(sb!.dir, ['env', 'EDITOR=true', process.execPath, BIN, '--json', 'edit', '--full', 'uf-vendor'], 0);
      assert.equal(ours.code, 0, ours.output);
      assert.deepEqual(JSON.parse(ours.output), [{ unit: 'uf-vendor.service', path: '/etc/systemd/system/uf-vendor.service', result: 'unchanged' }]);
      assert.equal((await sh('test -e /etc/systemd/system/uf-vendor.service')).code, 1, 'no copy in /etc');
      assert.equal((await sh('ls -A /etc/systemd/system | grep "^\\.#"')).stdout, '', 'no temporary file left');
    });

    test('not on a terminal: refused as systemctl refuses', async () => {
      await same(['edit', 'uf-a']);
    });

    test('★ a drop-in systemd cannot load is not installed: discarded without a terminal on stdin, installed with --force', async () => {
      const bad = content('[Service]\\nType=bogus\\nExecStart=\\n');
      await setUp([...CLEAN, bad]);
      const inner = `env EDITOR=uf-insert ${shellQuote(process.execPath)} ${shellQuote(BIN)} edit uf-a </dev/null`;
      const r = await runInSandboxPty(sb!.dir, ['sh', '-c', inner], 0);
      assert.equal(r.code, 1, r.output);
      assert.match(r.output, /systemd cannot load uf-a\.service with the new "\/etc\/systemd\/system\/uf-a\.service\.d\/override\.conf":\n/);
      assert.match(r.output, /\/etc\/systemd\/system\/uf-a\.service\.d\/override\.conf:2: Failed to parse service type, ignoring: bogus/);
      assert.match(r.output, /Editing "\/etc\/systemd\/system\/uf-a\.service\.d\/override\.conf" discarded/);
      assert.equal((await sh('ls -A /etc/systemd/system/uf-a.service.d 2>&1')).code, 2, 'the drop-in (and its directory) stays absent');

      const forced = await runInSandboxPty(sb!.dir, ['env', 'EDITOR=uf-insert', process.execPath, BIN, 'edit', '--force', 'uf-a'], 0);
      assert.equal(forced.code, 0, forced.output);
      assert.equal((await sh('cat /etc/systemd/system/uf-a.service.d/override.conf')).stdout, '[Service]\nType=bogus\nExecStart=');
    });

    test('★ on a terminal: "edit again" opens the editor once more, and the fixed text is installed', async () => {
      await setUp([...CLEAN, 'rm -f /tmp/uf-n', "printf '[Service]\\nType=bogus\\n' > /tmp/uf-content-1", "printf '[Service]\\nEnvironment=OK=1\\n' > /tmp/uf-content-2"]);
      const inner = ['env', 'TERM=dumb', process.execPath, BIN, 'sandbox', 'exec', sb!.dir, '--', 'env', 'EDITOR=uf-seq', process.execPath, BIN, 'edit', 'uf-a'].map(shellQuote).join(' ');
      const out = await new Promise<string>((resolve, reject) => {
        const child = spawn('script', ['-qec', `${inner}; echo "exit=$?"`, '/dev/null'], { cwd: projectRoot, env: cliEnv({ TERM: 'dumb' }), stdio: ['pipe', 'pipe', 'pipe'] });
        let text = '';
        // a key that is no answer first, then "e": one key each, no Enter (systemd's ask_char)
        const answers = ['x', 'e'];
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        child.stdout.on('data', (b: Buffer) => {
          text += b.toString('utf8');
          const prompts = text.split('[(e)dit, (d)iscard]').length - 1;
          if (prompts > 2 - answers.length) child.stdin.write(answers.shift()!);
        });
        child.once('error', reject);
        child.once('close', () => {
          clearTimeout(timer);
          resolve(text.replace(/\r/g, ''));
        });
      });
      // the key is echoed by sysherd; when the test types it before sysherd turned the terminal's
      // echo off, the terminal echoes it too (x or xx)
      assert.match(out, /Edit again or discard the change\? \[\(e\)dit, \(d\)iscard\] x{1,2}\nRead unexpected character, please try again\.\nEdit again or discard the change\? \[\(e\)dit, \(d\)iscard\] e{1,2}\n/);
      assert.match(out, /exit=0\n?$/, out);
      assert.equal((await sh('cat /etc/systemd/system/uf-a.service.d/override.conf')).stdout, '[Service]\nEnvironment=OK=1');
      assert.equal((await sh('cat /tmp/uf-n')).stdout, '2\n');
    });
  });
});

describe('unit-file verbs with --user, side by side in a user sandbox', { timeout: 300_000 }, () => {
  let ub: BootedSandbox | undefined;
  const run = (argv: string[]): Promise<Run> => execInSandbox(ub!.dir, ['env', 'SYSTEMCTL_FORCE_BUS=1', ...argv]);
  const state = async (): Promise<string> =>
    (await execInSandbox(ub!.dir, ['sh', '-c', `cd ${shellQuote(ub!.unitDir)} && find . -mindepth 1 | sort | while read -r f; do if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"; elif [ -d "$f" ]; then echo "$f/"; else echo "$f:"; cat "$f"; echo "<EOF>"; fi; done`])).stdout;
  const reset = async (): Promise<void> => {
    const r = await execInSandbox(ub!.dir, ['sh', '-c', `cd ${shellQuote(ub!.unitDir)} && rm -rf u-a.service.d u-t.target.wants u-t.target.requires default.target default.target.wants && systemctl --user daemon-reload`]); 
    assert.equal(r.code, 0, r.stderr);
  };

  before(async () => {
    ensureBuilt();
    ub = await bootSandbox('user', {
      units: {
        'u-a.service': '[Unit]\nDescription=UA\n[Service]\nType=oneshot\nExecStart=/bin/true\n[Install]\nWantedBy=default.target\n',
        'u-t.target': '[Unit]\nDescription=UT\n',
      },
    });
  });
  after(async () => {
    await ub?.stop();
  });

  test('add-wants, add-requires, set-default, get-default, preset: the same lines, the same files', async () => {
    for (const args of [['add-wants', 'u-t', 'u-a'], ['add-requires', 'u-t.target', 'u-a'], ['set-default', 'u-t'], ['get-default'], ['preset', 'u-a'], ['set-default']]) {
      await reset();
      const ref = await run(['systemctl', '--user', ...args]);
      const refState = await state();
      await reset();
      const ours = await run([process.execPath, BIN, '--user', ...args]);
      const ourState = await state();
      const what = `--user ${args.join(' ')}\n--- systemctl (exit ${String(ref.code)}) ---\n${ref.stdout}${ref.stderr}\n--- sysherd (exit ${String(ours.code)}) ---\n${ours.stdout}${ours.stderr}`;
      assert.equal(ours.code, ref.code, what);
      assert.equal(ours.stdout, ref.stdout, what);
      assert.equal(ours.stderr, ref.stderr, what);
      assert.equal(ourState, refState, what);
    }
  });

  test('edit --user: the drop-in goes under $XDG_CONFIG_HOME/systemd/user, as systemctl puts it', async () => {
    await reset();
    const editor = `${ub!.dir}/uf-edit`;
    writeFileSync(editor, '#!/bin/sh\nprintf "[Service]\\nEnvironment=U=1\\n" > "$1"\n', { mode: 0o755 });
    const ref = await runInSandboxPty(ub!.dir, ['env', 'SYSTEMCTL_FORCE_BUS=1', `EDITOR=${editor}`, '/usr/bin/systemctl', '--user', 'edit', 'u-a'], 0);
    const refState = await state();
    await reset();
    const ours = await runInSandboxPty(ub!.dir, ['env', `EDITOR=${editor}`, process.execPath, BIN, '--user', 'edit', 'u-a'], 0);
    const ourState = await state();
    assert.equal(ours.code, ref.code, `${ref.output}\n---\n${ours.output}`);
    assert.equal(comparablePty(ours.output), comparablePty(ref.output));
    assert.equal(ourState, refState);
    assert.match(ourState, /^\.\/u-a\.service\.d\/override\.conf:\n\[Service\]\nEnvironment=U=1<EOF>$/m);
  });
});
