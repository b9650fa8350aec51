/**
 * The pager, end to end: the built CLI in a pseudo-terminal (util-linux `script`), against a
 * system-mode sandbox's bus. A recording pager (a tiny script that writes its argv and
 * environment, then reads everything) shows that it starts, with what, and that the CLI waits for
 * it; a real `less` is quit with `q`; a piped run never starts a pager; secure mode (root
 * without a login session of its own, or SYSTEMD_PAGERSECURE=1) runs only less, with
 * LESSSECURE=1, and ignores $PAGER. Needs root (the sandbox).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { pagerSecurity, sessionOwnerUid } from '../../src/output/pager.js';
import { type BootedSandbox, bootSandbox } from '../helpers/sandbox.js';
import { BIN, cliEnv, ensureBuilt, projectRoot, runCli, show } from './helpers.js';

let sb: BootedSandbox;
let dir: string;

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Run the CLI in a pty; `input` is typed once `typeWhen` matches the output so far. */
function runInPty(
  args: string[],
  opts: { env: Record<string, string>; input?: string; typeWhen?: RegExp; timeoutMs?: number },
): Promise<{ code: number | null; output: string; killed: boolean }> {
  const cmd = `stty cols 100 rows 20 && exec ${[process.execPath, BIN, ...args].map(shellQuote).join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', cmd, '/dev/null'], {
      cwd: projectRoot,
      env: cliEnv({ TERM: 'xterm-256color', ...opts.env }),
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    let typed = false;
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, opts.timeoutMs ?? 30_000);
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      if (opts.input !== undefined && !typed && (opts.typeWhen ?? /./).test(out)) {
        typed = true;
        child.stdin.write(opts.input);
      }
    });
    child.stderr.on('data', () => undefined);
    child.stdin.on('error', () => undefined);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: out, killed });
    });
  });
}

/** A pager that records its argv and pager-related environment in FILE, then reads all input. */
function recorder(name: string): { bin: string; record: string } {
  const record = path.join(dir, `${name}.record`);
  const bin = path.join(dir, name);
  fs.writeFileSync(
    bin,
    `#!/bin/sh\n{ for a in "$0" "$@"; do echo "arg:$a"; done; echo "LESS=$LESS"; echo "LESSSECURE=\${LESSSECURE-unset}"; echo "LESSCHARSET=\${LESSCHARSET-unset}"; } > '${record}'\n/bin/cat > '${record}.input'\necho PAGER-DONE\n`,
  );
  fs.chmodSync(bin, 0o755);
  return { bin, record };
}

function readRecord(file: string): string[] {
  return fs.readFileSync(file, 'utf8').trim().split('\n');
}

before(async () => {
  ensureBuilt();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sysherd-pager-'));
  sb = await bootSandbox('system', { units: { 'long.service': '[Service]\nExecStart=/bin/sleep infinity\n' } });
});
after(async () => {
  await sb?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('pager', () => {
  test('on a terminal, show goes through $SYSTEMD_PAGER (argument array, LESS, LESSCHARSET) and the CLI waits for it', async () => {
    const { bin, record } = recorder('recpager');
    const r = await runInPty(['--address', sb.busAddress, 'show', 'long.service'], {
      env: { SYSTEMD_PAGER: `${bin} -x  --two`, SYSTEMD_PAGERSECURE: '0', LANG: 'C.UTF-8' },
    });
    assert.equal(r.code, 0, r.output);
    assert.equal(r.killed, false);
    assert.deepEqual(readRecord(record), [`arg:${bin}`, 'arg:-x', 'arg:--two', 'LESS=FRSXMK', 'LESSSECURE=unset', 'LESSCHARSET=utf-8']);
    const input = fs.readFileSync(`${record}.input`, 'utf8');
    assert.match(input, /^Id=long\.service$/m);
    assert.match(r.output, /PAGER-DONE/);
    assert.doesNotMatch(r.output, /^Id=long\.service/m, 'the output went to the pager, not the terminal');
  });

  test('$PAGER when $SYSTEMD_PAGER is unset; SYSTEMD_LESS; cat or empty turns it off', async () => {
    const { bin, record } = recorder('recpager2');
    const r = await runInPty(['--address', sb.busAddress, 'list-dependencies'], { env: { PAGER: bin, SYSTEMD_PAGERSECURE: 'no', SYSTEMD_LESS: 'R' } });
    assert.equal(r.code, 0, r.output);
    assert.ok(readRecord(record).includes('LESS=R'));
    for (const off of [{ SYSTEMD_PAGER: 'cat', PAGER: bin }, { SYSTEMD_PAGER: '', PAGER: bin }]) {
      fs.rmSync(record, { force: true });
      const o = await runInPty(['--address', sb.busAddress, 'show', '-p', 'Id', 'long.service'], { env: { ...off, SYSTEMD_PAGERSECURE: '0' } });
      assert.equal(o.code, 0, o.output);
      assert.match(o.output, /Id=long\.service/);
      assert.equal(fs.existsSync(record), false, `no pager with ${JSON.stringify(off)}`);
    }
    const np = await runInPty(['--address', sb.busAddress, '--no-pager', 'show', '-p', 'Id', 'long.service'], { env: { PAGER: bin, SYSTEMD_PAGERSECURE: '0' } });
    assert.match(np.output, /Id=long\.service/);
    assert.equal(fs.existsSync(record), false, 'no pager with --no-pager');
  });

  test('piped: never a pager', async () => {
    const { bin, record } = recorder('recpager3');
    const r = await runCli(['--address', sb.busAddress, 'show', 'long.service'], { env: { SYSTEMD_PAGER: bin, SYSTEMD_PAGERSECURE: '0', TERM: 'xterm' } });
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^Id=long\.service$/m);
    assert.equal(fs.existsSync(record), false);
  });

  test('secure mode: only less, with LESSSECURE=1; $PAGER and $SYSTEMD_PAGER ignored', async () => {
    const fake = path.join(dir, 'bin');
    fs.mkdirSync(fake, { recursive: true });
    const less = recorder('less');
    fs.renameSync(less.bin, path.join(fake, 'less'));
    const other = recorder('otherpager');
    const PATH = `${fake}:${process.env.PATH ?? '/usr/bin:/bin'}`;
    // explicit: SYSTEMD_PAGERSECURE=1 trusts the environment's pager but gives it LESSSECURE=1
    const explicit = await runInPty(['--address', sb.busAddress, 'show', 'long.service'], { env: { PATH, PAGER: other.bin, SYSTEMD_PAGERSECURE: '1' } });
    assert.equal(explicit.code, 0, explicit.output);
    assert.ok(readRecord(other.record).includes('LESSSECURE=1'));
    fs.rmSync(other.record);
    // automatic: as systemd decides it for this process (root without a session of its own → secure)
    const auto = pagerSecurity({}, { uid: process.getuid!(), euid: process.geteuid!(), owner: sessionOwnerUid() });
    const r = await runInPty(['--address', sb.busAddress, 'show', 'long.service'], { env: { PATH, PAGER: other.bin, SYSTEMD_PAGER: other.bin } });
    assert.equal(r.code, 0, r.output);
    if (auto.secure) {
      assert.equal(fs.existsSync(other.record), false, '$PAGER must not run in secure mode');
      // $0 of a script is the path it was found at: `less` from PATH, with no arguments
      assert.deepEqual(readRecord(less.record), [`arg:${path.join(fake, 'less')}`, 'LESS=FRSXMK', 'LESSSECURE=1', 'LESSCHARSET=utf-8']);
    } else {
      assert.ok(readRecord(other.record).includes('LESSSECURE=unset'));
    }
    // a value that is not a boolean: secure, and the environment's pager is not trusted
    fs.rmSync(less.record, { force: true });
    fs.rmSync(other.record, { force: true });
    const bad = await runInPty(['--address', sb.busAddress, 'show', 'long.service'], { env: { PATH, PAGER: other.bin, SYSTEMD_PAGERSECURE: 'maybe' } });
    assert.equal(bad.code, 0, bad.output);
    assert.equal(fs.existsSync(other.record), false);
    assert.ok(readRecord(less.record).includes('LESSSECURE=1'));
  });

  test('a real less: quit early with q, exit 0, quietly', async () => {
    const r = await runInPty(['--address', sb.busAddress, 'show', '--all', 'long.service'], {
      env: { SYSTEMD_PAGERSECURE: '1' },
      input: 'q',
      typeWhen: /Id=long\.service|Type=simple/,
    });
    assert.equal(r.killed, false, r.output.slice(-500));
    assert.equal(r.code, 0, r.output.slice(-500));
    assert.doesNotMatch(r.output, /sysherd:|EPIPE|Error/);
    // less's long prompt (LESS=…M): it paged and waited for the q
    assert.match(r.output, /lines \d+-\d+/);
  });
});
