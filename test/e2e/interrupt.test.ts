/**
 * Ctrl-C while a verb is working: whatever the verb started is cleaned up, the user is told,
 * and the process dies of SIGINT (a shell sees 130 and stops a loop) — no stack, no sandbox left
 * behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { BIN, cliEnv, ensureBuilt, projectRoot, sandboxCgroups } from './helpers.ts';

/** Start the CLI, send SIGINT once `ready` matches its output, collect the rest. */
function interruptWhen(args: string[], ready: RegExp): Promise<{ code: number | 'SIGINT' | null; pid: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: projectRoot, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    const check = (): void => {
      if (!sent && ready.test(stdout + stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      check();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      check();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no exit within 20 s\n${stdout}\n${stderr}`));
    }, 20_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      assert.ok(sent, `never saw ${ready} in the output:\n${stdout}\n${stderr}`);
      resolve({ code: code ?? (signal === 'SIGINT' ? 'SIGINT' : null), pid: child.pid!, stdout, stderr });
    });
  });
}

/** Sandbox cgroups are named after the pid that made them: those of one CLI run. */
function ownCgroups(pid: number): string[] {
  return sandboxCgroups().filter((c) => path.basename(c).startsWith('sandbox-') && path.basename(c).includes(`-${pid}-`));
}

describe('Ctrl-C', () => {
  before(() => ensureBuilt());

  test('during the demo: the sandbox is stopped and removed, death by SIGINT', { timeout: 30_000 }, async () => {
    const r = await interruptWhen(['demo', '--sandbox'], /booting a real one in a sandbox \((\/[^)]+)\)/);
    const dir = /sandbox \((\/[^)]+)\)/.exec(r.stdout)![1]!;
    assert.equal(r.code, 'SIGINT', r.stderr);
    assert.match(r.stderr, /^sysherd: interrupted; the demo sandbox is being stopped and removed$/m);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
    assert.equal(fs.existsSync(dir), false, `${dir} left behind`);
    assert.deepEqual(ownCgroups(r.pid), [], 'a sandbox cgroup was left behind');
  });

  test('while `sandbox start` waits for the bus: the half-started sandbox is stopped', { timeout: 30_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sysherd-e2e-int-'));
    try {
      const r = await new Promise<{ code: number | 'SIGINT' | null; pid: number; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, 'sandbox', 'start', '--system', dir], { cwd: projectRoot, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        // DIR/cgroup is written as the launcher starts, well before systemd answers: interrupt then
        const poll = setInterval(() => {
          if (fs.existsSync(path.join(dir, 'cgroup'))) {
            clearInterval(poll);
            child.kill('SIGINT');
          }
        }, 2);
        child.on('close', (code, signal) => {
          clearInterval(poll);
          resolve({ code: code ?? (signal === 'SIGINT' ? 'SIGINT' : null), pid: child.pid!, stderr });
        });
      });
      if (r.code === 0) {
        // systemd answered before the signal landed: nothing was interrupted; stop it normally
        const { stopSandbox } = await import('../../src/sandbox/sandbox.ts');
        await stopSandbox(dir);
        assert.fail('the sandbox came up before SIGINT arrived; the test could not interrupt it');
      }
      assert.equal(r.code, 'SIGINT', r.stderr);
      assert.match(r.stderr, /interrupted; the half-started sandbox in .* is being stopped/);
      assert.deepEqual(ownCgroups(r.pid), [], 'a sandbox cgroup was left behind');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
