/**
 * The demo: if the local systemd answers, list what it runs (read-only). Otherwise (as root) boot
 * a system-mode sandbox with a few demo units, start them through the library, show a failing
 * job's error, then run the CLI itself inside the sandbox (status with its journal lines, a stop
 * that takes its dependents down as one JSON document, herd's view, list-units), and stop the
 * sandbox again whatever happens.
 */
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConnectOptions } from '../../core/bus.js';
import { PermissionError, SystemdError } from '../../core/errors.js';
import { withConnection } from '../../core/api.js';
import { colors } from '../../output/color.js';
import type { IO } from '../../output/io.js';
import { execInSandbox, startSandbox, stopSandbox } from '../../sandbox/sandbox.js';
import { onInterrupt } from '../interrupt.js';
import { reportError } from '../report-error.js';
import { runListUnits, type ListUnitsOptions } from './list-units.js';

const DEMO_UNITS: Record<string, string> = {
  'demo-web.service':
    '[Unit]\nDescription=Demo web server (sleeps)\nRequires=demo-db.service\nAfter=demo-db.service\n\n[Service]\nExecStartPre=/bin/echo web: warming up\nExecStart=/bin/sleep infinity\n',
  'demo-db.service': '[Unit]\nDescription=Demo database (sleeps)\n\n[Service]\nExecStart=/bin/sleep infinity\n',
  'demo-migrate.service': '[Unit]\nDescription=Demo one-shot migration\n\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n',
  'demo-broken.service': '[Unit]\nDescription=Demo service that fails\n\n[Service]\nType=oneshot\nExecStart=/bin/false\n',
};

/** This very CLI (bin/sysherd.js and the package around it), to run it inside the sandbox too. */
function selfCommand(): { bin: string; root: string } | undefined {
  const bin = process.argv[1];
  if (!bin || !/sysherd(\.js)?$/.test(bin)) return undefined;
  // a global install runs it through a symlink (…/bin/sysherd → …/lib/node_modules/sysherd/bin/sysherd.js)
  const abs = realpathSync(bin);
  return { bin: abs, root: path.resolve(path.dirname(abs), '..') };
}

function listOpts(connect: ConnectOptions, over: Partial<ListUnitsOptions>): ListUnitsOptions {
  return { patterns: [], all: false, states: [], types: [], legend: false, plain: false, full: false, json: null, connect, ...over };
}

/** Does a systemd answer on this scope? Returns its version, or `undefined`. */
async function localSystemd(): Promise<{ version: string; address: string } | undefined> {
  try {
    return await withConnection({ bus: 'system', timeout: 2000 }, async (m) => ({
      version: String(await m.getProperty('Version')),
      address: m.bus.address,
    }));
  } catch {
    return undefined;
  }
}

export async function runDemo(opts: { forceSandbox: boolean }, io: IO): Promise<void> {
  const c = colors(io.color);
  const say = (s: string): void => {
    io.out.write(`\n${c.bold.cyan(s)}\n`);
  };
  const local = opts.forceSandbox ? undefined : await localSystemd();
  if (local) {
    say(`systemd ${local.version} answers on ${local.address}: a read-only look at it.`);
    say('$ sysherd list-units --type=service');
    await runListUnits(listOpts({}, { types: ['service'], legend: true }), io);
    say('$ sysherd list-units --state=failed');
    await runListUnits(listOpts({}, { states: ['failed'], legend: true }), io);
    say('$ sysherd list-units --type=target --json');
    await runListUnits(listOpts({}, { types: ['target'], json: 'pretty' }), io);
    return;
  }
  if (process.getuid?.() !== 0) {
    throw new PermissionError('no systemd answers on this machine, and the demo sandbox needs root', {
      hint: 'run the demo as root (sudo), or on a machine booted with systemd',
    });
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'sysherd-demo-'));
  say(`No systemd answers here: booting a real one in a sandbox (${dir}).`);
  const removeSandbox = async (): Promise<void> => {
    await stopSandbox(dir);
    rmSync(dir, { recursive: true, force: true });
  };
  const offInterrupt = onInterrupt(removeSandbox, 'the demo sandbox is being stopped and removed');
  try {
    const t0 = performance.now();
    const self = selfCommand();
    const info = await startSandbox({
      mode: 'system',
      dir,
      binds: self ? [self.root] : [],
      beforeBoot: (unitDir) => {
        for (const [name, text] of Object.entries(DEMO_UNITS)) writeFileSync(path.join(unitDir, name), text);
      },
    });
    io.out.write(`systemd is up in ${Math.round(performance.now() - t0)} ms; its bus is ${info.busAddress}\n`);
    const connect: ConnectOptions = { address: info.busAddress };
    await withConnection(connect, async (manager) => {
      say('Starting demo-web, demo-db and demo-migrate at once (subscribe, enqueue, await JobRemoved):');
      const t1 = performance.now();
      const jobs = await Promise.all(['demo-web.service', 'demo-db.service', 'demo-migrate.service'].map((u) => manager.startUnit(u)));
      for (const r of await Promise.all(jobs.map((j) => j.awaitSignal()))) {
        io.out.write(`  ${c.green('✓')} ${r.unit}: job ${r.id} ${r.result}\n`);
      }
      io.out.write(`  all three in ${Math.round(performance.now() - t1)} ms\n`);
    });
    if (self) {
      // the CLI as a user types it, inside the sandbox: the journal and /proc are the sandbox's
      const inside = async (args: string[]): Promise<void> => {
        say(`# sysherd ${args.join(' ')}`);
        const r = await execInSandbox(dir, [process.execPath, self.bin, ...args]);
        io.out.write(r.stdout + r.stderr);
        if (r.code !== 0) io.out.write(`  (exit code ${String(r.code)}, as systemctl)\n`);
      };
      await inside(['start', 'demo-broken']);
      await inside(['status', 'demo-web', '--no-pager', '-n', '3']);
      await inside(['stop', 'demo-db', '--json=pretty']);
      await inside(['herd', 'status', 'demo-db', '-n', '3']);
      await inside(['list-units', 'demo-*', '--all']);
      await inside(['list-units', '--state=failed', '--json=pretty']);
    } else {
      await withConnection(connect, async (manager) => {
        say('Starting demo-broken (its ExecStart fails):');
        try {
          await (await manager.startUnit('demo-broken.service')).awaitSignal();
        } catch (e) {
          if (!(e instanceof SystemdError)) throw e;
          const code = reportError(e, { ...io, err: io.out, errColor: io.color });
          io.out.write(`  (exit code ${code}, as systemctl)\n`);
        }
      });
      say(`$ sysherd --address ${info.busAddress} list-units 'demo-*' --all`);
      await runListUnits(listOpts(connect, { patterns: ['demo-*'], all: true, legend: true }), { ...io, err: io.out, errColor: io.color });
      say(`$ sysherd --address ${info.busAddress} list-units --state=failed --json`);
      await runListUnits(listOpts(connect, { states: ['failed'], json: 'pretty' }), io);
    }
  } finally {
    offInterrupt();
    await removeSandbox();
    say('Sandbox stopped and removed.');
  }
}
