/**
 * Verb family `unit-files`: `enable`, `disable`, `reenable`, `mask`, `unmask`, `preset`, `link`,
 * `revert` (one table: with `--now`, `--runtime`, `-f/--force`, `-q`, `--no-reload`,
 * `--preset-mode`), `add-wants`/`add-requires`, `preset-all`, `get-default`, `set-default`
 * (run/install.ts), `edit` (run/edit.ts) and `list-unit-files [PATTERN…]` (`--state`, `--type`).
 * Parses only; the work is in run/. Flags are global (context.ts), as in systemctl.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from '../core/errors.js';
import { PRESET_MODES, type PresetMode } from '../core/presets.js';
import type { JobMode } from '../core/types.js';
import type { IO } from '../output/io.js';
import { connectOptions, jsonFormat, remoteManager, withDependencies, type GlobalOptions } from './context.js';

const VERBS = [
  ['enable', 'Enable unit files (create the symlinks of their [Install] section); --now also starts them'],
  ['disable', 'Disable unit files (remove their symlinks); --now also stops them'],
  ['reenable', 'Disable, then enable unit files again'],
  ['mask', 'Mask unit files (link them to /dev/null); --now also stops them'],
  ['unmask', 'Unmask unit files'],
  ['preset', 'Enable or disable unit files as the preset policy says (--preset-mode=full|enable-only|disable-only)'],
  ['link', 'Link unit files from outside the search path into it (absolute or ./relative paths)'],
  ['revert', 'Revert unit files to their vendor versions (remove drop-ins and overriding copies, unmask)'],
] as const;

/**
 * `--root=`, `--image=`, `--global`: systemctl then changes the files itself, without a manager.
 * sysherd works through the manager only: one clear line, exit 1, nothing changed.
 */
export function refuseOffline(g: GlobalOptions): void {
  const opt = g.root !== undefined ? '--root=' : g.image !== undefined ? '--image=' : g.global ? '--global' : null;
  if (opt === null) return;
  throw new InvalidArgumentError(`${opt} is not supported: sysherd changes unit files through the service manager, not offline`, {
    hint: `use systemctl ${opt === '--global' ? '--global' : `${opt}PATH`} for this`,
  });
}

/** `--preset-mode` as given (default full); `help` lists the modes, as systemctl. */
function presetMode(g: GlobalOptions, io: IO): PresetMode | null {
  if (g.presetMode === 'help') {
    io.out.write(`${PRESET_MODES.join('\n')}\n`);
    return null;
  }
  return (g.presetMode ?? 'full') as PresetMode;
}

/** What every verb that changes unit files takes from the global flags. */
function changeOptions(g: GlobalOptions, io: IO) {
  return {
    quiet: g.quiet ?? false,
    json: jsonFormat(g, io, { outputMeansJson: false }),
    connect: connectOptions(g),
    noReload: g.reload === false,
    polkitAgent: {
      askPassword: g.askPassword !== false,
      localSystem: !g.user && !remoteManager(g),
    },
  };
}

export function registerUnitFiles(program: Command, io: IO): void {
  for (const [verb, description] of VERBS) {
    program
      .command(verb)
      .description(description)
      .argument('[unit...]', 'unit names (nginx → nginx.service) or, for enable, paths of unit files')
      .action(async (args: string[], _flags: unknown, cmd: Command) => {
        const g = cmd.optsWithGlobals<GlobalOptions>();
        refuseOffline(g);
        const mode = presetMode(g, io);
        if (mode === null) return;
        const { runUnitFileVerb } = await import('./run/unit-files.js');
        await runUnitFileVerb(
          {
            ...changeOptions(g, io),
            verb,
            args,
            runtime: g.runtime ?? false,
            force: g.force ?? false,
            now: g.now ?? false,
            presetMode: mode,
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
                  remote: remoteManager(g),
                },
                vio,
              );
            },
          },
          io,
        );
      });
  }

  for (const [verb, dep] of [['add-wants', 'Wants'], ['add-requires', 'Requires']] as const) {
    program
      .command(verb)
      .description(`Add ${dep}= dependencies of a target on units (a symlink in TARGET.${dep.toLowerCase()}/)`)
      .argument('[target]', 'the target (multi-user → multi-user.target)')
      .argument('[unit...]', 'the units it should want/require (nginx → nginx.service)')
      .action(async (target: string | undefined, units: string[], _flags: unknown, cmd: Command) => {
        const g = cmd.optsWithGlobals<GlobalOptions>();
        refuseOffline(g);
        const { runAddDependency } = await import('./run/install.js');
        await runAddDependency({ ...changeOptions(g, io), verb, args: target === undefined ? [] : [target, ...units], runtime: g.runtime ?? false, force: g.force ?? false }, io);
      });
  }

  program
    .command('preset-all')
    .description('Enable or disable every unit file as the preset policy says (--preset-mode=full|enable-only|disable-only)')
    .argument('[extra...]', 'takes no arguments (any is an error, as in systemctl)')
    .action(async (args: string[], _flags: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      refuseOffline(g);
      const mode = presetMode(g, io);
      if (mode === null) return;
      const { runPresetAll } = await import('./run/install.js');
      await runPresetAll({ ...changeOptions(g, io), args, presetMode: mode, runtime: g.runtime ?? false, force: g.force ?? false }, io);
    });

  program
    .command('get-default')
    .description('Print the default target (the one default.target links to)')
    .argument('[extra...]', 'takes no arguments (any is an error, as in systemctl)')
    .action(async (args: string[], _flags: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      refuseOffline(g);
      const { runGetDefault } = await import('./run/install.js');
      await runGetDefault({ ...changeOptions(g, io), json: jsonFormat(g, io), args }, io);
    });

  program
    .command('set-default')
    .description('Set the default target (link default.target to it)')
    .argument('[target...]', 'the target (graphical → graphical.target)')
    .action(async (args: string[], _flags: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      refuseOffline(g);
      const { runSetDefault } = await import('./run/install.js');
      await runSetDefault({ ...changeOptions(g, io), args }, io);
    });

  program
    .command('edit')
    .description('Edit a drop-in (or with --full the whole unit file) in $SYSTEMD_EDITOR/$EDITOR/$VISUAL; checked with systemd-analyze verify before it is installed')
    .argument('[unit...]', 'unit names (nginx → nginx.service)')
    .addHelpText('after', '\nExamples:\n  sysherd edit nginx\n  sysherd edit --full --force new.service\n')
    .action(async (args: string[], _flags: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      refuseOffline(g);
      const { runEdit } = await import('./run/edit.js');
      await runEdit({ ...changeOptions(g, io), args, full: g.full ?? false, runtime: g.runtime ?? false, force: g.force ?? false, user: g.user ?? false }, io);
    });

  program
    .command('list-unit-files')
    .description('List installed unit files, their enablement state and preset')
    .argument('[pattern...]', 'shell-style patterns on unit file names (ssh*, *.socket)')
    .addHelpText('after', "\nExamples:\n  sysherd list-unit-files --state=enabled\n  sysherd list-unit-files '*.timer' --json | jq -r '.[].unit_file'\n")
    .action(async (patterns: string[], _flags: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      refuseOffline(g);
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
