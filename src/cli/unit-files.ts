/**
 * Verb family `unit-files`: `enable`, `disable`, `reenable`, `mask`, `unmask` (with `--now`,
 * `--runtime`, `-f/--force`, `-q`) and `list-unit-files [PATTERN…]` (`--state`, `--type`).
 * Parses only; the work is in run/unit-files.ts. Flags are global (context.ts), as in systemctl.
 */
import type { Command } from 'commander';
import type { JobMode } from '../core/types.js';
import type { IO } from '../output/io.js';
import { connectOptions, jsonFormat, withDependencies, type GlobalOptions } from './context.js';

const VERBS = [
  ['enable', 'Enable unit files (create the symlinks of their [Install] section); --now also starts them'],
  ['disable', 'Disable unit files (remove their symlinks); --now also stops them'],
  ['reenable', 'Disable, then enable unit files again'],
  ['mask', 'Mask unit files (link them to /dev/null); --now also stops them'],
  ['unmask', 'Unmask unit files'],
] as const;

export function registerUnitFiles(program: Command, io: IO): void {
  for (const [verb, description] of VERBS) {
    program
      .command(verb)
      .description(description)
      .argument('[unit...]', 'unit names (nginx → nginx.service) or, for enable, paths of unit files')
      .action(async (args: string[], _flags: unknown, cmd: Command) => {
        const g = cmd.optsWithGlobals<GlobalOptions>();
        const { runUnitFileVerb } = await import('./run/unit-files.js');
        await runUnitFileVerb(
          {
            verb,
            args,
            runtime: g.runtime ?? false,
            force: g.force ?? false,
            now: g.now ?? false,
            quiet: g.quiet ?? false,
            json: jsonFormat(g, io, { outputMeansJson: false }),
            connect: connectOptions(g),
            polkitAgent: {
              askPassword: g.askPassword !== false,
              localSystem: !g.user && g.address === undefined && (g.host?.length ?? 0) === 0 && g.hosts === undefined,
            },
            startStop: async (action, units, vio) => {
              const { runNow } = await import('./run/unit-files-now.js');
              return runNow(
                action,
                units,
                {
                  mode: (g.jobMode ?? 'replace') as JobMode,
                  block: g.block !== false,
                  showTransaction: g.showTransaction ?? false,
                  quiet: g.quiet ?? false,
                  all: false,
                  states: [],
                  types: [],
                  json: jsonFormat(g, io, { outputMeansJson: false }),
                  connect: connectOptions(g),
                  askPassword: g.askPassword !== false,
                  user: g.user ?? false,
                  remote: g.address !== undefined || (g.host?.length ?? 0) > 0 || g.hosts !== undefined,
                },
                vio,
              );
            },
          },
          io,
        );
      });
  }

  program
    .command('list-unit-files')
    .description('List installed unit files, their enablement state and preset')
    .argument('[pattern...]', 'shell-style patterns on unit file names (ssh*, *.socket)')
    .addHelpText('after', "\nExamples:\n  sysherd list-unit-files --state=enabled\n  sysherd list-unit-files '*.timer' --json | jq -r '.[].unit_file'\n")
    .action(async (patterns: string[], _flags: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { runListUnitFiles } = await import('./run/unit-files.js');
      await runListUnitFiles(
        {
          patterns,
          states: g.state ?? [],
          types: g.type ?? [],
          // -q drops the header and legend, as systemctl's
          legend: g.legend !== false && !(g.quiet ?? false),
          full: g.full ?? false,
          json: jsonFormat(g, io),
          systemdLayout: g.output === 'json-pretty',
          connect: connectOptions(g),
          presetScope: g.user ? 'user' : 'system',
          dependencies: withDependencies(g),
          pager: g.pager !== false,
        },
        io,
      );
    });
}
