/**
 * Verb family `queries`: `is-active`, `is-failed`, `is-enabled` and `is-system-running`, with
 * `-q/--quiet` and `--json`. Parses only; the work is in run/queries.ts.
 */
import type { Command } from 'commander';
import type { IO } from '../output/io.js';
import { connectOptions, jsonFormat, type GlobalOptions } from './context.js';
import { refuseOffline } from './unit-files.js';

const QUERY_VERBS = [
  ['is-active', 'Say whether units are active (exit 0 if any is, else 3)'],
  ['is-failed', 'Say whether units have failed (exit 0 if any has, else 1)'],
  ['is-enabled', 'Say whether unit files are enabled (exit 0 if any is enabled, static, alias, indirect or generated); --full lists the symlinks'],
] as const;

export function registerQueries(program: Command, io: IO): void {
  for (const [verb, description] of QUERY_VERBS) {
    program
      .command(verb)
      .description(description)
      .argument('[unit...]', 'unit names (nginx → nginx.service); is-active/is-failed also take globs over loaded units')
      .action(async (args: string[], _flags: unknown, cmd: Command) => {
        const g = cmd.optsWithGlobals<GlobalOptions>();
        if (verb === 'is-enabled') refuseOffline(g); // --root/--image/--global: unit files offline
        const { runQuery } = await import('./run/queries.js');
        await runQuery(
          {
            verb,
            args,
            quiet: g.quiet ?? false,
            full: g.full ?? false,
            runtime: g.runtime ?? false,
            json: jsonFormat(g, io, { outputMeansJson: false }),
            connect: connectOptions(g),
          },
          io,
        );
      });
  }
  program
    .command('is-system-running')
    .description("Print the system's state (running, degraded, starting, …); exit 0 only when running")
    .argument('[extra...]')
    .action(async (args: string[], _flags: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { runIsSystemRunning } = await import('./run/queries.js');
      await runIsSystemRunning({ args, quiet: g.quiet ?? false, json: jsonFormat(g, io, { outputMeansJson: false }), connect: connectOptions(g), wait: g.wait ?? false }, io);
    });
}
