/**
 * Verb family `system-state`: systemctl's special verbs (halt, poweroff, reboot, kexec, suspend,
 * hibernate, hybrid-sleep, suspend-then-hibernate, default, rescue, emergency, exit), one per row
 * of `SYSTEM_ACTIONS`, plus `switch-root` and `list-machines`. Parses only; the work is in
 * run/system-state.ts and run/list-machines.ts.
 */
import type { Command, Option } from 'commander';
import { SYSTEM_ACTIONS } from '../core/power.js';
import type { IO } from '../output/io.js';
import { connectOptions, jsonFormat, remoteManager, type GlobalOptions } from './context.js';

/**
 * How many times `-f`/`--force` is on the line (`-ff`, `-f -f`, `--force --force`, `-qf`): commander
 * keeps a boolean, systemctl counts. Short groups stop at an option that takes a value (`-pf`).
 */
export function countForce(argv: readonly string[], valueShorts: ReadonlySet<string>): number {
  let n = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === '--force') n++;
    else if (/^-[^-]/.test(a)) {
      for (const ch of a.slice(1)) {
        if (ch === 'f') n++;
        else if (valueShorts.has(ch)) {
          if (a.endsWith(ch)) i++; // its value is the next word
          break;
        }
      }
    }
  }
  return n;
}

/** The short options of the program that take a value (`p`, `t`, `n`, …). */
function valueShortsOf(program: Command): Set<string> {
  const set = new Set<string>();
  for (const o of program.options as Option[]) {
    if (o.short && (o.required || o.optional)) set.add(o.short.slice(1));
  }
  return set;
}


function programOf(c: Command): Command {
  let p = c;
  while (p.parent) p = p.parent;
  return p;
}

export function registerSystemState(program: Command, io: IO): void {
  for (const action of SYSTEM_ACTIONS) {
    const cmd = program.command(action.verb).description(action.description).allowExcessArguments(true);
    if (action.verb === 'reboot') cmd.argument('[arg]', 'the reboot argument (deprecated: use --reboot-argument=)');
    if (action.verb === 'exit') cmd.argument('[code]', 'the exit code of the manager (0-255)');
    cmd.action(async (...params: unknown[]) => {
        const c = params[params.length - 1] as Command;
        const args = c.args;
        const g = c.optsWithGlobals<GlobalOptions>();
        const root = programOf(c);
        const { runSystemAction } = await import('./run/system-state.js');
        await runSystemAction(
          {
            verb: action.verb,
            args,
            force: countForce((root as unknown as { rawArgs: string[] }).rawArgs, valueShortsOf(root)),
            dryRun: g.dryRun ?? false,
            block: g.block !== false,
            quiet: g.quiet ?? false,
            wall: g.message ?? [],
            noWall: g.wall === false,
            checkInhibitors: g.ignoreInhibitors ? 'no' : (g.checkInhibitors ?? 'auto'),
            firmwareSetup: g.firmwareSetup ?? false,
            bootLoaderMenu: g.bootLoaderMenu,
            bootLoaderEntry: g.bootLoaderEntry,
            rebootArgument: g.rebootArgument,
            user: g.user ?? false,
            local: !remoteManager(g),
            askPassword: g.askPassword !== false,
            json: jsonFormat(g, io),
            connect: connectOptions(g),
          },
          io,
        );
      });
    cmd.addHelpText('after', `\nExamples:\n  sysherd ${action.verb}\n  sysherd ${action.verb} --dry-run --json\n`);
  }

  program
    .command('switch-root')
    .description('Change to a different root file system (from the initrd)')
    .argument('[root-and-init...]', 'the new root, and optionally the init to run there')
    .addHelpText('after', '\nExamples:\n  sysherd switch-root /sysroot\n  sysherd switch-root /sysroot /sbin/init\n')
    .action(async (args: string[], _flags: unknown, c: Command) => {
      const g = c.optsWithGlobals<GlobalOptions>();
      const { runSwitchRoot } = await import('./run/system-state.js');
      await runSwitchRoot(
        {
          args,
          dryRun: g.dryRun ?? false,
          local: !remoteManager(g),
          json: jsonFormat(g, io),
          connect: connectOptions(g),
        },
        io,
      );
    });

  program
    .command('list-machines')
    .description('List the host and its local containers')
    .argument('[pattern...]', 'shell-style patterns on machine names')
    .addHelpText('after', '\nExamples:\n  sysherd list-machines\n  sysherd list-machines --json\n')
    .action(async (patterns: string[], _flags: unknown, c: Command) => {
      const g = c.optsWithGlobals<GlobalOptions>();
      const { runListMachines } = await import('./run/list-machines.js');
      await runListMachines(
        {
          patterns,
          legend: g.legend !== false,
          plain: g.plain ?? false,
          json: jsonFormat(g, io),
          connect: connectOptions(g),
        },
        io,
      );
    });
}
