/**
 * Verb family `jobs`: `list-jobs [PATTERN…]`, `cancel [JOB…]`, and the manager operations
 * `kill UNIT…`, `reset-failed [PATTERN…]`, `daemon-reload`, `daemon-reexec`. Parses only; the
 * work is in run/jobs.ts and run/manage.ts. Their flags are global (context.ts), as in systemctl.
 */
import type { Command } from 'commander';
import type { IO } from '../output/io.js';
import { connectOptions, jsonFormat, polkit, type GlobalOptions } from './context.js';

export function registerJobs(program: Command, io: IO): void {
  program
    .command('list-jobs')
    .description('List queued jobs (--after/--before: with the jobs each one blocks or waits for)')
    .argument('[pattern...]', 'shell-style patterns on unit names')
    .addHelpText('after', "\nExamples:\n  sysherd list-jobs\n  sysherd list-jobs --after 'nginx*'\n  sysherd list-jobs --json | jq -r '.[].job'\n")
    .action(async (patterns: string[], _flags: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { runListJobs } = await import('./run/jobs.js');
      await runListJobs(
        {
          patterns,
          after: g.after ?? false,
          before: g.before ?? false,
          legend: g.legend !== false,
          full: g.full ?? false,
          json: jsonFormat(g, io),
          pager: g.pager !== false,
          connect: connectOptions(g),
        },
        io,
      );
    });

  program
    .command('cancel')
    .description('Cancel the jobs with these ids (none: every queued job)')
    .argument('[job...]', 'job ids, as list-jobs shows them')
    .action(async (jobs: string[], _flags: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { runCancel } = await import('./run/jobs.js');
      await runCancel({ jobs, json: jsonFormat(g, io), connect: connectOptions(g), polkit: polkit(g) }, io);
    });

  program
    .command('kill')
    .description('Send a signal to the processes of units (-s SIGNAL, --kill-whom=main|control|all)')
    .argument('[unit...]', 'unit names or patterns (globs match loaded units)')
    .addHelpText('after', '\nExamples:\n  sysherd kill -s HUP nginx\n  sysherd kill --kill-whom=main -s SIGUSR1 my_app\n  sysherd kill -s help\n')
    .action(async (units: string[], _flags: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { runKill } = await import('./run/manage.js');
      await runKill(
        {
          units,
          signal: g.signal,
          whom: g.killWhom,
          jobMode: g.jobMode,
          quiet: g.quiet ?? false,
          json: jsonFormat(g, io),
          connect: connectOptions(g),
          polkit: polkit(g),
        },
        io,
      );
    });

  program
    .command('reset-failed')
    .description('Forget the failed state of units (none: of every unit)')
    .argument('[pattern...]', 'unit names or patterns (globs match loaded units)')
    .action(async (patterns: string[], _flags: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { runResetFailed } = await import('./run/manage.js');
      await runResetFailed({ patterns, quiet: g.quiet ?? false, json: jsonFormat(g, io), connect: connectOptions(g), polkit: polkit(g) }, io);
    });

  program
    .command('daemon-reload')
    .description('Reload the manager configuration: rerun generators, reload unit files')
    .argument('[extra...]')
    .action(async (args: string[], _flags: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { runDaemonReload } = await import('./run/manage.js');
      await runDaemonReload({ args, json: jsonFormat(g, io), connect: connectOptions(g), polkit: polkit(g) }, io);
    });

  program
    .command('daemon-reexec')
    .description('Reexecute the manager (serialize its state, execute itself again)')
    .argument('[extra...]')
    .action(async (args: string[], _flags: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { runDaemonReexec } = await import('./run/manage.js');
      await runDaemonReexec({ args, json: jsonFormat(g, io), connect: connectOptions(g), polkit: polkit(g) }, io);
    });
}
