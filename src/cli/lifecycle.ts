/**
 * Verb family `lifecycle`: start, stop, reload, restart, try-restart, reload-or-restart,
 * try-reload-or-restart and systemctl's aliases (condstop, condrestart, reload-or-try-restart,
 * condreload, force-reload), one per row of `UNIT_ACTIONS`. Parses only; the work is
 * `runLifecycle` (run/lifecycle.ts).
 */
import type { Command } from 'commander';
import { UNIT_ACTIONS } from '../core/manager.js';
import type { JobMode } from '../core/types.js';
import type { LifecycleOptions } from './run/lifecycle.js';
import type { IO } from '../output/io.js';
import { connectOptions, jsonFormat, remoteManager, type GlobalOptions } from './context.js';

const DESCRIPTIONS: Record<string, string> = {
  start: 'Start (activate) one or more units',
  stop: 'Stop (deactivate) one or more units',
  reload: 'Reload one or more units',
  restart: 'Start or restart one or more units',
  'try-restart': 'Restart one or more units if active',
  'reload-or-restart': 'Reload one or more units if possible, otherwise start or restart',
  'try-reload-or-restart': 'If active, reload one or more units if supported, otherwise restart',
};

export function registerLifecycle(program: Command, io: IO): void {
  for (const action of UNIT_ACTIONS) {
    const alias = 'aliasOf' in action ? action.aliasOf : undefined;
    const cmd = program
      .command(action.verb, alias ? { hidden: true } : {})
      .description(alias ? `the same as ${alias}` : DESCRIPTIONS[action.verb] ?? action.verb)
      .argument('[unit...]', 'units (nginx → nginx.service, /dev/sda → dev-sda.device) or globs over loaded units')
      .action(async (units: string[], _flags: unknown, c: Command) => {
        const g = c.optsWithGlobals<GlobalOptions>();
        const { runLifecycle } = await import('./run/lifecycle.js');
        await runLifecycle(lifecycleOptions(g, io, { verb: action.verb, jobType: action.jobType, stop: action.method === 'StopUnit', args: units }), io);
      });
    if (!alias) {
      cmd.addHelpText(
        'after',
        `\nExamples:\n  sysherd ${action.verb} nginx\n  sysherd ${action.verb} -T --json a.service b.service\n`,
      );
    }
  }
}

/** The options of a lifecycle run from the global flags (`what`: the verb, its job and arguments). */
export function lifecycleOptions(
  g: GlobalOptions,
  io: IO,
  what: Pick<LifecycleOptions, 'verb' | 'jobType' | 'stop' | 'args'> & Partial<Pick<LifecycleOptions, 'mode' | 'suffix'>>,
): LifecycleOptions {
  return {
    mode: (g.jobMode ?? 'replace') as JobMode,
    block: g.block !== false,
    showTransaction: g.showTransaction ?? false,
    quiet: g.quiet ?? false,
    all: g.all ?? false,
    states: g.state ?? [],
    types: g.type ?? [],
    json: jsonFormat(g, io),
    connect: connectOptions(g),
    askPassword: g.askPassword !== false,
    user: g.user ?? false,
    remote: remoteManager(g),
    wait: g.wait ?? false,
    marked: g.marked ?? false,
    ...what,
  };
}
