/**
 * `sysherd sandbox start [--user|--system] DIR [HOSTPATH…]`, `sysherd sandbox stop DIR`,
 * `sysherd sandbox exec DIR -- CMD…`: a disposable real systemd. Parses only.
 */
import type { Command } from 'commander';
import type { IO } from '../output/io.js';
import type { GlobalOptions } from './context.js';

export function registerSandbox(program: Command, io: IO): void {
  const sandbox = program
    .command('sandbox')
    .description('Run a real, disposable systemd (needs root): start, stop, exec')
    .addHelpText(
      'after',
      '\nExamples:\n  sysherd sandbox start --system /tmp/sb\n  sysherd sandbox exec /tmp/sb -- systemctl status\n  sysherd --address unix:path=/tmp/sb/run-dbus/system_bus_socket list-units\n  sysherd sandbox stop /tmp/sb\n',
    );

  sandbox
    .command('start')
    .description('boot a sandboxed systemd in DIR and return once its bus answers (--system by default, or --user)')
    .argument('<dir>', 'directory for the sandbox (created if missing)')
    .argument('[hostpath...]', 'system mode: host paths to bind read-only at the same path inside')
    .option('--timeout-boot <seconds>', 'how long to wait for the bus', '20')
    .action(async (dir: string, hostpaths: string[], flags: { timeoutBoot: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { runSandboxStart } = await import('./run/sandbox.js');
      await runSandboxStart(
        { dir, binds: hostpaths, mode: g.user ? 'user' : 'system', bootSeconds: flags.timeoutBoot, json: g.json ?? false, bothScopes: Boolean(g.user && g.system) },
        io,
      );
    });

  sandbox
    .command('stop')
    .description('stop the sandbox in DIR: kill everything it started and remove its cgroup')
    .argument('<dir>', 'the sandbox directory')
    .action(async (dir: string, _flags: unknown, cmd: Command) => {
      const { runSandboxStop } = await import('./run/sandbox.js');
      await runSandboxStop({ dir, json: cmd.optsWithGlobals<GlobalOptions>().json ?? false }, io);
    });

  sandbox
    .command('exec')
    .description('run CMD inside the sandbox (system: in its namespaces; user: with its bus variables)')
    .argument('<dir>', 'the sandbox directory')
    .argument('<command...>', 'the command and its arguments (put -- before it)')
    .option('--uid <uid>', 'run as this numeric uid (e.g. 65534)')
    .action(async (dir: string, command: string[], flags: { uid?: string }) => {
      const { runSandboxExec } = await import('./run/sandbox.js');
      io.exitCode = await runSandboxExec({ dir, command, uid: flags.uid }, io);
    });
}
