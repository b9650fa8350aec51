/**
 * Test harness: boot a real systemd sandbox (see src/sandbox/sandbox.ts) for one test file.
 *
 *   let sb: BootedSandbox | undefined;
 *   before(async () => { sb = await bootSandbox('user', { units: { 'x.service': '…' } }); });
 *   after(() => sb?.stop());
 *
 * Every sandbox booted here is also stopped when the process exits (normally, by an uncaught
 * error, or on SIGINT/SIGTERM), so a crashed or failing test leaves nothing running. Only
 * SIGKILL of the test process can leak one; `stopSandbox(DIR)` (or stop.sh) clears it.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  type SandboxInfo,
  type SandboxMode,
  startSandbox,
  stopSandbox,
  stopSandboxSync,
} from '../../src/sandbox/sandbox.js';

export type BootedSandbox = SandboxInfo & { stop(): Promise<void> };

export interface BootOptions {
  /** Unit files to write into the unit directory before boot: relative path → content. */
  units?: Record<string, string>;
  /** Called with the unit directory after `units` are written, before boot. */
  setup?: (unitDir: string) => void | Promise<void>;
  /** System mode: more host directories to bind read-only (the project root always is). */
  binds?: string[];
  /** How long to wait for the sandbox to boot (default 20000 ms). */
  timeoutMs?: number;
}

/** The root of this checkout: bound into system-mode sandboxes (CI may clone it under /tmp). */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const live = new Set<string>();
let hooked = false;

function cleanupAllSync(): void {
  for (const dir of live) {
    try {
      stopSandboxSync(dir);
    } catch (err) {
      process.stderr.write(`sysherd test harness: could not stop the sandbox in ${dir}: ${(err as Error).message}\n`);
    }
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // a busy mount point: leave the directory
    }
  }
  live.clear();
}

function installExitHooks(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', cleanupAllSync);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      cleanupAllSync();
      // nobody else handles it: die of the signal as we would have without this hook
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    });
  }
}

/** Write `units` (relative path → content) under unitDir. */
async function writeUnits(unitDir: string, units: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(units)) {
    const target = path.resolve(unitDir, name);
    if (path.isAbsolute(name) || !target.startsWith(unitDir + path.sep)) {
      throw new Error(`unit file name ${JSON.stringify(name)} must be a relative path inside the unit directory`);
    }
    await fsp.mkdir(path.dirname(target), { recursive: true });
    await fsp.writeFile(target, content);
  }
}

/**
 * Boot a sandbox in a fresh directory under the OS temp dir and wait until systemd has finished
 * booting. `stop()` stops it and removes the directory; calling it twice is fine.
 */
export async function bootSandbox(mode: SandboxMode, opts: BootOptions = {}): Promise<BootedSandbox> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), `sysherd-test-${mode}-`));
  // sysherd leaves the mode of a DIR it did not create alone: clients as other uids need 0755
  await fsp.chmod(dir, 0o755);
  installExitHooks();
  live.add(dir);
  const stop = async (): Promise<void> => {
    try {
      await stopSandbox(dir);
    } finally {
      live.delete(dir);
      await fsp.rm(dir, { recursive: true, force: true }).catch(() => {
        // a busy mount point: leave the directory
      });
    }
  };
  try {
    const binds = mode === 'system' ? [...new Set([projectRoot, ...(opts.binds ?? [])])] : (opts.binds ?? []);
    const info = await startSandbox({
      mode,
      dir,
      binds,
      waitForBoot: true,
      ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
      beforeBoot: async (unitDir) => {
        await writeUnits(unitDir, opts.units ?? {});
        await opts.setup?.(unitDir);
      },
    });
    return { ...info, stop };
  } catch (err) {
    await stop().catch(() => {
      // report the boot failure
    });
    throw err;
  }
}
