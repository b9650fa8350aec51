/**
 * Verb family `unit-verbs`: systemctl 252's other unit and manager verbs — `isolate`, `clean`,
 * `freeze`, `thaw`, `set-property`, `bind`, `mount-image`, `service-log-level`,
 * `service-log-target`, `set-environment`, `unset-environment`,
 * `import-environment`, `log-level`, `log-target`, `service-watchdogs`. Parses only; the work is
 * in run/unit-verbs.ts, run/manager-verbs.ts and (isolate) run/lifecycle.ts. Flags are global (main.ts), as in systemctl.
 */
import type { Command } from 'commander';
import type { IO } from '../output/io.js';
import { connectOptions, jsonFormat, polkit, type GlobalOptions } from './context.js';
import { lifecycleOptions } from './lifecycle.js';
import { CLEAN_OR_FREEZE, ENVIRONMENT_VERBS, SETTINGS } from './unit-verb-table.js';

export function registerUnitVerbs(program: Command, io: IO): void {
  program
    .command('isolate')
    .description('Start a target and stop every unit it does not pull in (job mode isolate; AllowIsolate=yes needed)')
    .argument('[target...]', 'one target (rescue → rescue.target)')
    .addHelpText('after', '\nExamples:\n  sysherd isolate multi-user.target\n  sysherd isolate rescue --json\n')
    .action(async (args: string[], _flags: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { checkArgCount } = await import('./run/manage.js');
      if (args.length > 0) checkArgCount(args, 1, 1);
      const { runLifecycle } = await import('./run/lifecycle.js');
      // systemctl's isolate: StartUnit in job mode isolate, bare names are targets
      await runLifecycle(lifecycleOptions(g, io, { verb: 'isolate', jobType: 'start', stop: false, args, mode: 'isolate', suffix: 'target' }), io);
    });

  for (const { verb, description } of CLEAN_OR_FREEZE) {
    program
      .command(verb)
      .description(description)
      .argument('[unit...]', 'unit names or patterns (globs match loaded units)')
      .action(async (units: string[], _flags: unknown, cmd: Command) => {
        const g = cmd.optsWithGlobals<GlobalOptions>();
        const { runCleanOrFreeze } = await import('./run/unit-verbs.js');
        await runCleanOrFreeze(
          { verb, units, what: g.what ?? [], block: g.block !== false, quiet: g.quiet ?? false, json: jsonFormat(g, io), connect: connectOptions(g), polkit: polkit(g) },
          io,
        );
      });
  }

  program
    .command('set-property')
    .description("Change properties of a running unit (cgroup limits, accounting, …); --runtime: until reboot")
    .argument('[unit-and-assignments...]', 'UNIT NAME=VALUE…')
    .addHelpText('after', '\nExamples:\n  sysherd set-property nginx CPUWeight=200 MemoryMax=1G\n  sysherd set-property --runtime user.slice TasksMax=50%\n')
    .action(async (args: string[], _flags: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { runSetProperty } = await import('./run/unit-verbs.js');
      await runSetProperty({ args, runtime: g.runtime ?? false, quiet: g.quiet ?? false, json: jsonFormat(g, io), connect: connectOptions(g), polkit: polkit(g) }, io);
    });

  for (const verb of ['bind', 'mount-image'] as const) {
    program
      .command(verb)
      .description(verb === 'bind' ? "Bind-mount a host path into a unit's mount namespace (--read-only, --mkdir)" : "Mount an image into a unit's mount namespace (--read-only, --mkdir)")
      .argument('[args...]', verb === 'bind' ? 'UNIT SOURCE [DESTINATION]' : 'UNIT IMAGE DESTINATION [[PARTITION:]OPTIONS]')
      .action(async (args: string[], _flags: unknown, cmd: Command) => {
        const g = cmd.optsWithGlobals<GlobalOptions>();
        const { runMount } = await import('./run/unit-verbs.js');
        await runMount(
          { verb, args, readOnly: g.readOnly ?? false, mkdir: g.mkdir ?? false, quiet: g.quiet ?? false, json: jsonFormat(g, io), connect: connectOptions(g), polkit: polkit(g) },
          io,
        );
      });
  }

  // the get/set verbs and the environment verbs take the same arguments: one registration
  for (const { verb, usage, description } of [...SETTINGS, ...ENVIRONMENT_VERBS]) {
    program
      .command(verb)
      .description(description)
      .argument('[args...]', usage)
      .action(async (args: string[], _flags: unknown, cmd: Command) => {
        const g = cmd.optsWithGlobals<GlobalOptions>();
        const { runManagerVerb } = await import('./run/manager-verbs.js');
        await runManagerVerb({ verb, args, quiet: g.quiet ?? false, json: jsonFormat(g, io, { outputMeansJson: false }), connect: connectOptions(g), polkit: polkit(g) }, io);
      });
  }
}
