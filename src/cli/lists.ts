/**
 * Verb family `lists`: `list-dependencies`, `list-timers`, `list-sockets`, `list-automounts`. Parses only; the
 * work is in run/list-dependencies.ts, run/list-timers.ts, run/list-sockets.ts, run/list-automounts.ts.
 */
import type { Command } from 'commander';
import type { IO } from '../output/io.js';
import { connectOptions, dependencyKind, jsonFormat, type GlobalOptions } from './context.js';

export function registerLists(program: Command, io: IO): void {
  program
    .command('list-dependencies')
    .description('Show the dependency tree of units (default.target when none)')
    .argument('[unit...]', 'unit names or patterns')
    .addHelpText('after', '\nExamples:\n  sysherd list-dependencies multi-user.target\n  sysherd list-dependencies --reverse nginx --json\n')
    .action(async (units: string[], _flags: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { runListDependencies } = await import('./run/list-dependencies.js');
      await runListDependencies(
        {
          units,
          kind: dependencyKind(g),
          all: g.all ?? false,
          plain: g.plain ?? false,
          full: g.full ?? false,
          quiet: g.quiet ?? false,
          json: jsonFormat(g, io),
          pager: g.pager !== false,
          connect: connectOptions(g),
        },
        io,
      );
    });
  // list-timers, list-sockets and list-automounts take the same options: one registration for all
  const tables = [
    { verb: 'list-timers', description: 'List timer units, by when they elapse next', load: async () => (await import('./run/list-timers.js')).runListTimers },
    { verb: 'list-sockets', description: 'List socket units, by listen address', load: async () => (await import('./run/list-sockets.js')).runListSockets },
    { verb: 'list-automounts', description: 'List automount units, by mount point', load: async () => (await import('./run/list-automounts.js')).runListAutomounts },
  ];
  for (const t of tables) {
    program
      .command(t.verb)
      .description(t.description)
      .argument('[pattern...]', 'shell-style patterns on unit names')
      .action(async (patterns: string[], _flags: unknown, cmd: Command) => {
        const g = cmd.optsWithGlobals<GlobalOptions>();
        const run = await t.load();
        await run(
          {
            patterns,
            all: g.all ?? false,
            states: g.state ?? [],
            legend: g.legend !== false,
            full: g.full ?? false,
            json: jsonFormat(g, io),
            pager: g.pager !== false,
            connect: connectOptions(g),
            showTypes: g.showTypes ?? false,
          },
          io,
        );
      });
  }
}
