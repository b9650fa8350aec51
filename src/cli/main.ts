/**
 * The commander program: global flags, the verb families, and running a line; every error goes
 * through the single error → exit-code switch (`reportError`, report-error.ts).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import type { IO } from '../output/io.js';
import { reportError, unknownVerbMessage } from './report-error.js';
import { normalizeArgv } from './context.js';
import { addGlobalOptions } from './global-options.js';
import { registerSystemState } from './system-state.js';
import { hostList, isFleet, parallelOf, splitHostFlags, verbOf } from './fleet.js';
import { NOT_FANNED_OUT, VALUE_OPTIONS, earlyBridge, withDefaultVerb } from './early-ssh.js';
import { endSpawnedAhead } from '../core/ssh-ahead.js';
import { registerListUnits } from './list-units.js';
import { registerLifecycle } from './lifecycle.js';
import { registerJobs } from './jobs.js';
import { registerUnitFiles } from './unit-files.js';
import { registerQueries } from './queries.js';
import { registerStatus } from './status.js';
import { registerInspect } from './inspect.js';
import { registerLists } from './lists.js';
import { registerHerd } from './herd.js';
import { registerWatch } from './watch.js';
import { registerComplete } from './complete.js';
import { addFallbackExamples } from './examples.js';
import { addVerbOptionHelp } from './verb-options.js';
import { registerSandbox } from './sandbox.js';
import { registerDemo } from './demo.js';
import { registerUnitVerbs } from './unit-verbs.js';
import { checkParsedOptions } from './option-checks.js';

export { reportError, unknownVerbMessage, withDefaultVerb };

/** The version, from our package.json (found upwards from this file: src/cli, dist/cli/chunks). */
export function version(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'sysherd' && pkg.version) return pkg.version;
    } catch {
      /* not there: one level up */
    }
  }
  return 'unknown';
}

/** Adds a verb family to the program. */
export type Registrar = (program: Command, io: IO) => void;

/**
 * The verbs (aliases included) each registrar adds, in help order. Start-up builds only the verb
 * on the line: its registrar, plus every registrar NOT in this table (called for every line, so
 * a new family is correct before it is listed here, only slower). A line whose verb is not here
 * (no verb, `--help`, a typo that wants suggestions, `__complete`) builds every verb, and so do
 * help, completion and docs generation (`buildProgram(io)`).
 * test/unit/cli/lazy-verbs.test.ts checks the table against what each registrar adds.
 */
export const REGISTRAR_VERBS: ReadonlyMap<Registrar, readonly string[]> = new Map<Registrar, readonly string[]>([
  [registerListUnits, ['list-units']],
  [registerLifecycle, ['start', 'stop', 'reload', 'restart', 'try-restart', 'reload-or-restart', 'try-reload-or-restart', 'condstop', 'condrestart', 'reload-or-try-restart', 'condreload', 'force-reload']],
  [registerJobs, ['list-jobs', 'cancel', 'kill', 'reset-failed', 'daemon-reload', 'daemon-reexec']],
  [registerUnitFiles, ['enable', 'disable', 'reenable', 'mask', 'unmask', 'preset', 'link', 'revert', 'add-wants', 'add-requires', 'preset-all', 'get-default', 'set-default', 'edit', 'list-unit-files']],
  [registerQueries, ['is-active', 'is-failed', 'is-enabled', 'is-system-running']],
  [registerStatus, ['status']],
  [registerInspect, ['show', 'cat', 'help', 'show-environment']],
  [registerLists, ['list-dependencies', 'list-timers', 'list-sockets', 'list-automounts']],
  [registerSystemState, ['halt', 'poweroff', 'reboot', 'kexec', 'suspend', 'hibernate', 'hybrid-sleep', 'suspend-then-hibernate', 'default', 'rescue', 'emergency', 'exit', 'switch-root', 'list-machines']],
  [registerUnitVerbs, ['isolate', 'clean', 'freeze', 'thaw', 'set-property', 'bind', 'mount-image', 'log-level', 'log-target', 'service-watchdogs', 'service-log-level', 'service-log-target', 'set-environment', 'unset-environment', 'import-environment']],
  [registerHerd, ['herd']],
  [registerWatch, ['watch']],
  [registerSandbox, ['sandbox']],
  [registerDemo, ['demo']],
]);

/** The registrar of a verb in REGISTRAR_VERBS, `undefined` for any other word. */
function registrarOf(verb: string | undefined): Registrar | undefined {
  if (verb === undefined) return undefined;
  for (const [r, verbs] of REGISTRAR_VERBS) if (verbs.includes(verb)) return r;
  return undefined;
}

/**
 * The program; `verb`: the verb on the line, to build only it (see REGISTRAR_VERBS). Without
 * it, every verb. `line` (with `verb`): the line itself, to add only the global options it needs
 * (global-options.ts); without it, all of them.
 */
export function buildProgram(io: IO, verb?: string, line?: readonly string[]): Command {
  const only = registrarOf(verb);
  // a registrar outside the table runs for every line; one in it only for its own verbs
  const add = (register: Registrar): void => {
    if (only === undefined || register === only || !REGISTRAR_VERBS.has(register)) register(program, io);
  };
  const program = new Command('sysherd');
  program
    .description("Manage systemd over D-Bus: systemctl's verbs and Shepherd's herd verbs, with --json on every verb")
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => io.out.write(s),
      writeErr: (s) => io.err.write(s),
      outputError: () => undefined, // reported by reportError, in one line
    })
    .exitOverride();
  // only the options the line names (global-options.ts); all of them for help and for any line
  // with a word they do not know, which wants commander's suggestions among them
  const lineOnly = only === undefined ? undefined : line;
  if (lineOnly === undefined || lineOnly.includes('--version')) program.version(version(), '--version', 'print the version');
  addGlobalOptions(program, lineOnly);
  // systemctl's checks of option values and combinations, before any verb runs (option-checks.ts)
  program.hook('preAction', (_program, action) => {
    let top = action;
    while (top.parent && top.parent !== program) top = top.parent;
    if (!checkParsedOptions(top.name(), action === top ? action.args : [], action.optsWithGlobals(), io)) {
      throw new CommanderError(0, 'commander.helpDisplayed', '');
    }
  });
  add(registerListUnits);
  add(registerLifecycle);
  add(registerJobs);
  add(registerUnitFiles);
  add(registerQueries);
  add(registerStatus);
  add(registerInspect);
  add(registerLists);
  add(registerHerd);
  add(registerWatch);
  add(registerComplete);
  add(registerSandbox);
  add(registerDemo);
  add(registerUnitVerbs);
  add(registerSystemState);
  addFallbackExamples(program); // one-line examples for verbs whose --help has none (examples.ts)
  addVerbOptionHelp(program); // each verb's --help lists the global options it reads (verb-options.ts)
  for (const cmd of program.commands) {
    cmd.exitOverride();
    cmd.configureOutput(program.configureOutput());
    for (const sub of cmd.commands) {
      sub.exitOverride();
      sub.configureOutput(program.configureOutput());
    }
  }
  return program;
}

/** Run the CLI. Resolves with the exit code; never throws, never calls process.exit. */
export async function main(argv: string[], io: IO): Promise<number> {
  // one remote host: its ssh starts now (or was started by the shim, bin/sysherd.js, before the
  // bundle was read: early-ssh.ts decides for both), while the line is parsed and the verb loaded
  const early = earlyBridge(argv);
  if (early === undefined) {
    endSpawnedAhead(); // none should be there: the shim asked earlyBridge too
    return mainLine(argv, io);
  }
  const { startBridgeEarly, endBridgesAhead } = await import('../core/transport.js');
  startBridgeEarly(early.host, early.kind);
  try {
    return await mainLine(argv, io);
  } finally {
    endBridgesAhead();
  }
}

async function mainLine(argv: string[], io: IO): Promise<number> {
  let line: string[];
  try {
    line = withDefaultVerb(normalizeArgv(argv));
    // a fleet (`-H a,b`, `--hosts FILE`): the verb runs once per host, outputs merged (run/fleet.ts)
    const { flags, rest } = splitHostFlags(line, VALUE_OPTIONS);
    const verb = verbOf(line, VALUE_OPTIONS);
    if (!NOT_FANNED_OUT.has(verb ?? '') && !line.some((a) => a === '-h' || a === '--help' || a === '--version')) {
      const hosts = hostList(flags);
      if (isFleet(flags, hosts)) {
        const parallel = parallelOf(flags);
        const { runFleet } = await import('./run/fleet.js');
        return await runFleet({ hosts, parallel, argv: rest, verb }, io, (hostArgv, hostIO) => runLine(hostArgv, hostIO, false));
      }
    }
  } catch (err) {
    return reportError(err, io);
  }
  return (await runLine(line, io, true)).code;
}

/** Run one parsed command line; `report`: print the error (else only return it with its code). */
async function runLine(line: string[], io: IO, report: boolean): Promise<{ code: number; error?: unknown }> {
  // help goes through the pager on a terminal, as systemctl's --help
  const end = line.indexOf('--');
  const words = end < 0 ? line : line.slice(0, end);
  if (words.includes('-h') || words.includes('--help')) {
    const { withPager } = await import('../output/pager.js');
    return withPager(io, { enabled: !words.includes('--no-pager') }, (pio) => parseLine(line, pio, report));
  }
  return parseLine(line, io, report);
}

async function parseLine(line: string[], io: IO, report: boolean): Promise<{ code: number; error?: unknown }> {
  // only the verb on the line is built; with help asked for anywhere, all (help lists them)
  const help = line.some((a) => a === '-h' || a === '--help');
  const program = buildProgram(io, help ? undefined : verbOf(line, VALUE_OPTIONS), line);
  try {
    await program.parseAsync(line, { from: 'user' });
    return { code: io.exitCode ?? 0 };
  } catch (err) {
    return { code: reportError(err, report ? io : { ...io, err: DISCARD }), error: err };
  }
}

const DISCARD = { write: () => true } as unknown as NodeJS.WritableStream;
