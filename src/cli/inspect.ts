/**
 * Verb family `inspect`: `show`, `cat`, `help`, `show-environment`. Parses only; the work is in
 * run/show.ts, run/cat.ts, run/help.ts, run/show-environment.ts. Flags are global (context.ts).
 */
import type { Command } from 'commander';
import type { IO } from '../output/io.js';
import { connectOptions, jsonFormat, timestampStyle, withDependencies, type GlobalOptions } from './context.js';

export function registerInspect(program: Command, io: IO): void {
  program
    .command('show')
    .description('Show properties of units, jobs or the manager')
    .argument('[unit-or-job...]', 'unit names, patterns or job ids (none: the manager)')
    .addHelpText('after', "\nExamples:\n  sysherd show nginx -p MainPID,ActiveState\n  sysherd show nginx -P MainPID\n  sysherd show nginx --json | jq '.[0].ExecMainStartTimestamp'\n")
    .action(async (args: string[], _flags: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { runShow } = await import('./run/show.js');
      const properties = [...(g.property ?? [])];
      if (g.P !== undefined) properties.push(g.P);
      await runShow(
        {
          args,
          properties,
          propertiesGiven: g.property !== undefined,
          value: g.value === true || g.P !== undefined,
          all: g.all ?? false,
          quiet: g.quiet ?? false,
          types: g.type ?? [],
          json: jsonFormat(g, io),
          pager: g.pager !== false,
          connect: connectOptions(g),
          timestampStyle: timestampStyle(g),
          dependencies: withDependencies(g),
        },
        io,
      );
    });

  program
    .command('cat')
    .description('Show the unit files and drop-ins of units')
    .argument('<unit...>', 'unit names or patterns')
    .addHelpText('after', "\nExamples:\n  sysherd cat nginx\n  sysherd cat nginx --json | jq -r '.[0].dropIns[].path'\n")
    .action(async (units: string[], _flags: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { runCat } = await import('./run/cat.js');
      await runCat(
        { units, quiet: g.quiet ?? false, json: jsonFormat(g, io), pager: g.pager !== false, connect: connectOptions(g), dependencies: withDependencies(g) },
        io,
      );
    });

  program
    .command('help')
    .description("Show the man pages of units' Documentation=")
    .argument('[unit-or-pid...]', 'unit names, patterns or PIDs')
    .action(async (units: string[], _flags: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { runHelp } = await import('./run/help.js');
      await runHelp({ units, quiet: g.quiet ?? false, json: jsonFormat(g, io), connect: connectOptions(g) }, io);
    });
  program
    .command('show-environment')
    .description("Show the manager's environment")
    .action(async (_flags: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { runShowEnvironment } = await import('./run/show-environment.js');
      await runShowEnvironment({ json: jsonFormat(g, io), pager: g.pager !== false, connect: connectOptions(g) }, io);
    });
}
