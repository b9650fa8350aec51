/**
 * `sysherd list-units [PATTERN…] [--all] [--state=…] [--type=…] [--no-legend] [--plain] [--full]`
 * Parses only; the work is `runListUnits`.
 */
import type { Command } from 'commander';
import type { IO } from '../output/io.js';
import { collectList, connectOptions, type GlobalOptions } from './context.js';

interface Flags {
  all?: boolean;
  state?: string[];
  type?: string[];
  legend?: boolean;
  plain?: boolean;
  full?: boolean;
}

export function registerListUnits(program: Command, io: IO): void {
  program
    .command('list-units')
    .description('List units that systemd has in memory')
    .argument('[pattern...]', 'shell-style patterns on unit names (ssh*, *.socket)')
    .option('-a, --all', 'show inactive units too, and units that follow others')
    .option('--state <states>', 'keep units in these load/active/sub states (comma-separated; "help" lists them)', collectList)
    .option('-t, --type <types>', 'keep units of these types (comma-separated; "help" lists them)', collectList)
    .option('--no-legend', 'print neither the column headers nor the legend')
    .option('--plain', 'no ● markers')
    .option('-l, --full', 'do not cut descriptions to the terminal width')
    .action(async (patterns: string[], flags: Flags, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { runListUnits } = await import('./run/list-units.js');
      await runListUnits(
        {
          patterns,
          all: flags.all ?? false,
          states: flags.state ?? [],
          types: flags.type ?? [],
          legend: flags.legend !== false,
          plain: flags.plain ?? false,
          full: flags.full ?? false,
          json: g.json ?? false,
          connect: connectOptions(g),
        },
        io,
      );
    });
}
