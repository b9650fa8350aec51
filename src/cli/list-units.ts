/**
 * `sysherd list-units [PATTERN…] [--all] [--state=…] [--type=…] [--no-legend] [--plain] [--full]`
 * Parses only; the work is `runListUnits`. Its flags are global (context.ts), as in systemctl.
 */
import type { Command } from 'commander';
import type { IO } from '../output/io.js';
import { connectOptions, jsonFormat, withDependencies, type GlobalOptions } from './context.js';

export function registerListUnits(program: Command, io: IO): void {
  program
    .command('list-units')
    .description('List units that systemd has in memory')
    .argument('[pattern...]', 'shell-style patterns on unit names (ssh*, *.socket)')
    .addHelpText('after', '\nExamples:\n  sysherd list-units --all \'ssh*\'\n  sysherd list-units --state=failed --json | jq -r \'.[].unit\'\n')
    .action(async (patterns: string[], _flags: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { runListUnits } = await import('./run/list-units.js');
      await runListUnits(
        {
          patterns,
          all: g.all ?? false,
          states: g.state ?? [],
          types: g.type ?? [],
          // -q drops the header and legend, as systemctl's
          legend: g.legend !== false && !(g.quiet ?? false),
          plain: g.plain ?? false,
          full: g.full ?? false,
          json: jsonFormat(g, io),
          systemdLayout: g.output === 'json-pretty',
          pager: g.pager !== false,
          recursive: g.recursive ?? false,
          connect: connectOptions(g),
          dependencies: withDependencies(g),
        },
        io,
      );
    });
}
