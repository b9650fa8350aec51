/**
 * `-H HOST`: the shim (bin/sysherd.js) starts ssh before it reads the bundle, and the bus takes
 * that ssh (dist/cli/early-ssh.js → src/core/ssh-ahead.ts → transport.ts startBridgeEarly).
 *
 * Observed from outside: `ssh` on PATH is a script that logs each start (its pid and argv) and
 * then runs the hosts' ssh (test/helpers/ssh-hosts.ts); and the CLI runs from a copy of the
 * package whose dist/cli/bin.js is a FIFO, so the bundle cannot be read until the test writes it.
 * An ssh logged while the bundle is still unread was started by the shim; one ssh in all for a
 * run that worked means the bus took it instead of starting its own.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { bootSandbox, type BootedSandbox } from '../helpers/sandbox.js';
import { startSshHosts, type SshHosts } from '../helpers/ssh-hosts.js';
import { BIN, ensureBuilt, projectRoot, runCli, show, type CliResult } from './helpers.js';

let sb: BootedSandbox | undefined;
let hosts: SshHosts | undefined;
let tmp = '';
/** The package copy whose bundle is a FIFO, and the log of the logging ssh. */
let held = '';
let log = '';
/** PATH with the logging ssh first, then the hosts' ssh. */
let sshPath = '';

/** Run `file args` with the logging ssh first on PATH (stdin not a terminal: batch mode). */
function start(file: string, args: string[]): { result: Promise<CliResult> } {
  const command: [string, ...string[]] = file === 'systemctl' ? [file] : [process.execPath, file];
  // the held copy without a code cache: its bundle's size (a FIFO's, 0) must not name a cache of the user's
  const env: Record<string, string> = file.startsWith(held) ? { PATH: sshPath, SYSHERD_CODE_CACHE: '0' } : { PATH: sshPath };
  return { result: runCli(args, { env, command, timeoutMs: 60_000 }) };
}

/** The ssh starts logged so far: pid and argv. */
function sshStarts(): { pid: number; argv: string }[] {
  if (!fs.existsSync(log)) return [];
  return fs
    .readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => ({ pid: Number(l.slice(0, l.indexOf(' '))), argv: l.slice(l.indexOf(' ') + 1) }));
}

async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Let the held copy read its bundle (write it into the FIFO). */
function releaseBundle(): Promise<void> {
  return fs.promises.writeFile(path.join(held, 'dist', 'cli', 'bin.js'), fs.readFileSync(path.join(projectRoot, 'dist', 'cli', 'bin.js')));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const BRIDGE_ARGV = '-xT -o BatchMode=yes -o ConnectTimeout=15 -o ServerAliveInterval=15 -o ServerAliveCountMax=3 -- h systemd-stdio-bridge';

describe('-H: ssh started by the shim, before the bundle is read', () => {
  before(async () => {
    ensureBuilt();
    sb = await bootSandbox('system');
    hosts = await startSshHosts({ h: sb.pid1! });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sysherd-early-ssh-'));
    log = path.join(tmp, 'ssh.log');
    // the logging ssh: `exec` keeps its pid, so the pid logged is ssh's own
    fs.mkdirSync(path.join(tmp, 'bin'));
    fs.writeFileSync(path.join(tmp, 'bin', 'ssh'), `#!/bin/sh\necho "$$ $*" >> '${log}'\nexec '${hosts.dir}/bin/ssh' "$@"\n`, { mode: 0o755 });
    sshPath = `${path.join(tmp, 'bin')}:${hosts.env.PATH}`;
    // the package copy: the shim, package.json, dist/cli with a FIFO for bin.js
    held = path.join(tmp, 'pkg');
    fs.mkdirSync(path.join(held, 'bin'), { recursive: true });
    fs.mkdirSync(path.join(held, 'dist', 'cli'), { recursive: true });
    for (const f of ['sysherd.js', 'package.json']) fs.copyFileSync(path.join(projectRoot, 'bin', f), path.join(held, 'bin', f));
    fs.copyFileSync(path.join(projectRoot, 'package.json'), path.join(held, 'package.json'));
    for (const f of fs.readdirSync(path.join(projectRoot, 'dist', 'cli'))) {
      if (f !== 'bin.js') fs.copyFileSync(path.join(projectRoot, 'dist', 'cli', f), path.join(held, 'dist', 'cli', f));
    }
    execFileSync('mkfifo', [path.join(held, 'dist', 'cli', 'bin.js')]);
  });
  after(async () => {
    await hosts?.stop();
    await sb?.stop();
    if (tmp !== '') fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('starts ssh before the bundle is read, and the bus speaks over that ssh', async () => {
    fs.rmSync(log, { force: true });
    const run = start(path.join(held, 'bin', 'sysherd.js'), ['-H', 'h', 'list-units']);
    // the bundle is not readable yet: an ssh now is the shim's
    await waitFor(() => sshStarts().length > 0, 30_000, 'ssh to start before the bundle is read');
    assert.deepEqual(sshStarts().map((s) => s.argv), [BRIDGE_ARGV]);
    await releaseBundle();
    const ours = await run.result;
    assert.equal(ours.code, 0, show(ours));
    assert.equal(ours.stderr, '', show(ours));
    assert.match(ours.stdout, /^ +UNIT +LOAD +ACTIVE +SUB +DESCRIPTION/);
    assert.match(ours.stdout, /\n\d+ loaded units listed\./);
    // one ssh in all: the bus took the shim's instead of starting one of its own
    assert.equal(sshStarts().length, 1, JSON.stringify(sshStarts()));
  });

  it('prints what systemctl -H prints, byte for byte, through the installed shim, with one ssh', async () => {
    for (const args of [['list-units'], ['list-units', '--all', '--type=service'], ['is-system-running']]) {
      fs.rmSync(log, { force: true });
      const ours = await start(BIN, ['-H', 'h', ...args]).result;
      assert.deepEqual(sshStarts().map((s) => s.argv), [BRIDGE_ARGV], args.join(' '));
      const theirs = await start('systemctl', ['--no-pager', '-H', 'h', ...args]).result;
      assert.equal(ours.code, theirs.code, show(ours));
      assert.equal(ours.stdout, theirs.stdout, args.join(' '));
      assert.equal(ours.stderr.replace(/\bsysherd\b/g, 'systemctl'), theirs.stderr, args.join(' '));
    }
  });

  it('starts none early for a --timeout line: the bus starts its own once the bundle runs', async () => {
    fs.rmSync(log, { force: true });
    const run = start(path.join(held, 'bin', 'sysherd.js'), ['--timeout', '30s', '-H', 'h', 'list-units']);
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(sshStarts(), [], 'no ssh while the bundle is unread');
    await releaseBundle();
    const ours = await run.result;
    assert.equal(ours.code, 0, show(ours));
    assert.equal(sshStarts().length, 1, JSON.stringify(sshStarts()));
  });

  it('ends an early ssh that the line does not use, and does not report its failure', async () => {
    for (const host of ['h', 'no-such-host']) {
      fs.rmSync(log, { force: true });
      const ours = await start(BIN, ['-H', host, 'frobnicate']).result;
      // the shim started one (the verb is not known before the bundle runs)
      const starts = sshStarts();
      assert.deepEqual(starts.map((s) => s.argv), [BRIDGE_ARGV.replace(/ h /, ` ${host} `)]);
      // what the line says without -H, and only that
      const plain = await start(BIN, ['frobnicate']).result;
      assert.equal(ours.code, plain.code, show(ours));
      assert.equal(ours.stdout, '');
      assert.equal(ours.stderr, plain.stderr, show(ours));
      assert.match(ours.stderr, /^sysherd: Unknown command verb 'frobnicate'\.\n$/);
      // and it is gone
      const ourSsh = starts[0]!;
      await waitFor(() => !alive(ourSsh.pid), 10_000, `the early ssh (pid ${ourSsh.pid}) to end`);
    }
  });

  it('a host that cannot be reached fails as before: one line, the reason from ssh', async () => {
    fs.rmSync(log, { force: true });
    const ours = await start(BIN, ['-H', 'no-such-host', 'list-units']).result;
    assert.equal(ours.code, 1, show(ours));
    assert.equal(ours.stdout, '');
    assert.match(ours.stderr, /^sysherd: cannot reach no-such-host over ssh: .*resolve hostname.*\n$/, show(ours));
    assert.equal(sshStarts().length, 1, 'the early ssh, taken: its failure is the reason');
  });
});
