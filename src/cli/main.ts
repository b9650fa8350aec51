/**
 * The commander program: global flags, the verb families, and running a line; every error goes
 * through the single error → exit-code switch (`reportError`, report-error.ts).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import type { IO } from '../output/io.js';
import { reportError, unknownVerbMessage } from './report-error.js';
import { collectList, collectProperties, collectRepeat, collectWhat, normalizeArgv, parseBoolean } from './context.js';
import { InvalidArgumentError } from '../core/errors.js';
import { registerSystemState } from './system-state.js';
import { parseSec, signalFromString } from '../core/kill-signal.js';
import { parsePresetMode } from '../core/presets.js';
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
import { checkParsedOptions, checkTimestampStyle } from './option-checks.js';

export { reportError, unknownVerbMessage, withDefaultVerb };

/** systemctl checks -s whatever the verb (`systemctl -s FOO list-jobs` fails): so do we. */
function checkSignal(value: string): string {
  if (value !== 'help') signalFromString(value);
  return value;
}

/** systemctl parses --check-inhibitors whatever the verb: auto, or a boolean. */
function checkInhibitorsMode(value: string): string {
  if (value === 'auto') return value;
  const b = parseBoolean(value);
  if (b === undefined) throw new InvalidArgumentError(`Failed to parse --check-inhibitors= argument: ${value}`);
  return b ? 'yes' : 'no';
}

/** systemctl parses --boot-loader-menu whatever the verb: a time span. */
function checkBootLoaderMenu(value: string): string {
  if (!parseSec(value).ok) throw new InvalidArgumentError(`Failed to parse --boot-loader-menu= argument '${value}': Invalid argument`);
  return value;
}

/** systemctl refuses -r unless root, whatever the verb (it reads every container's bus). */
function checkRecursive(): boolean {
  if ((process.geteuid?.() ?? 0) !== 0) throw new InvalidArgumentError('--recursive requires root privileges.');
  return true;
}

/** systemctl's --job-mode values. */
export const JOB_MODES = ['fail', 'replace', 'replace-irreversibly', 'isolate', 'ignore-dependencies', 'ignore-requirements', 'flush', 'triggering', 'restart-dependencies'];
/** systemctl's -o/--output values (journal output modes). */
export const OUTPUT_MODES = ['short', 'short-full', 'short-iso', 'short-iso-precise', 'short-precise', 'short-monotonic', 'short-unix', 'short-delta', 'verbose', 'export', 'json', 'json-pretty', 'json-sse', 'json-seq', 'cat', 'with-unit'];

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
 * it, every verb.
 */
export function buildProgram(io: IO, verb?: string): Command {
  const only = registrarOf(verb);
  // a registrar outside the table runs for every line; one in it only for its own verbs
  const add = (register: Registrar): void => {
    if (only === undefined || register === only || !REGISTRAR_VERBS.has(register)) register(program, io);
  };
  const program = new Command('sysherd');
  program
    .description("Manage systemd over D-Bus: systemctl's verbs and Shepherd's herd verbs, with --json on every verb")
    .version(version(), '--version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .addOption(new Option('--user', "talk to the calling user's service manager"))
    .addOption(new Option('--system', 'talk to the system service manager (the default)'))
    .addOption(new Option('--json', 'print JSON on stdout (pretty on a terminal, one line when piped); also --json=pretty|short|off'))
    .addOption(new Option('--json-mode <mode>').choices(['pretty', 'short']).hideHelp())
    .addOption(new Option('-o, --output <mode>', 'json or json-pretty: JSON from list verbs; a journal mode (short, short-iso, short-precise, cat, json, verbose) for status').choices(OUTPUT_MODES))
    .addOption(new Option('--address <address>', 'connect to this D-Bus address (e.g. unix:path=/run/dbus/system_bus_socket)'))
    .addOption(new Option('--timeout <span>', 'timeout of each D-Bus call (default 25s)'))
    .addOption(new Option('--ask-password', 'let polkit ask for a password when needed (the default)'))
    .addOption(new Option('--no-ask-password', 'never let polkit ask for a password'))
    .addOption(new Option('-a, --all', 'show all units/properties, inactive ones too'))
    .addOption(new Option('-t, --type <types>', 'unit types to show (comma-separated; "help" lists them)').argParser(collectList))
    .addOption(new Option('--state <states>', 'unit states to show (comma-separated; "help" lists them)').argParser(collectList))
    .addOption(new Option('-p, --property <names>', 'show only these properties (comma-separated, repeatable)').argParser(collectProperties))
    .addOption(new Option('-P <name>', 'show only this property, its value alone (-p NAME --value)'))
    .addOption(new Option('--value', 'show only property values, without NAME='))
    .addOption(new Option('-l, --full', 'do not ellipsize output to the terminal width'))
    .addOption(new Option('--plain', 'no ● markers; list-dependencies as a flat list'))
    .addOption(new Option('--no-legend', 'print neither column headers nor the legend (also --legend=no)'))
    .addOption(new Option('-q, --quiet', 'print less: no output from is-* queries, no warnings'))
    .addOption(new Option('--no-pager', 'do not pipe output into a pager'))
    .addOption(new Option('-n, --lines <n>', 'journal lines to show (status; default 10); herd: history entries (default 5)'))
    .addOption(new Option('--log-history <n>', 'herd: history entries to show (default 5)'))
    .addOption(new Option('--reverse', 'list-dependencies: show reverse dependencies'))
    .addOption(new Option('--after', 'list-dependencies: show units ordered before'))
    .addOption(new Option('--before', 'list-dependencies: show units ordered after'))
    .addOption(new Option('--no-block', 'do not wait for jobs to finish'))
    .addOption(new Option('-T, --show-transaction', 'print every job a lifecycle verb enqueued'))
    .addOption(new Option('--job-mode <mode>', 'how to queue jobs').choices(JOB_MODES))
    .addOption(new Option('-s, --signal <signal>', 'kill: the signal to send (default SIGTERM; "help" lists them)').argParser(checkSignal))
    .addOption(new Option('--kill-whom <whom>', 'kill: main, control or all processes (also --kill-who)').choices(['main', 'control', 'all']))
    .addOption(new Option('--now', 'enable/disable/mask: also start or stop the units'))
    .addOption(new Option('--runtime', 'unit-file changes only until the next reboot (/run)'))
    .addOption(new Option('-f, --force', 'enable/preset/link/add-wants/…: overwrite conflicting symlinks; edit: create a unit that does not exist; halt/poweroff/reboot/kexec/exit: the manager does it at once, no unit started (-ff: see the manual)'))
    .addOption(new Option('--no-reload', 'enable/disable/preset/edit/…: do not reload the manager afterwards'))
    .addOption(new Option('--preset-mode <mode>', 'preset, preset-all: full, enable-only or disable-only ("help" lists them)').argParser(parsePresetMode))
    .addOption(new Option('--root <path>', 'unit-file verbs on a directory tree offline (not supported: says so)'))
    .addOption(new Option('--image <path>', 'unit-file verbs on a disk image offline (not supported: says so)'))
    .addOption(new Option('--global', 'unit-file verbs on the user unit files of all users (not supported: says so)'))
    .addOption(new Option('--background', 'herd start: enqueue and return at once'))
    .addOption(new Option('-H, --host <[user@]host[:port]>', 'run on a remote host over ssh (repeatable, comma-separated for a fleet)').argParser(collectRepeat))
    .addOption(new Option('--hosts <file>', 'run on every host listed in FILE (one a line, # comments)'))
    .addOption(new Option('--parallel <n>', 'hosts to reach at once (default 16)'))
    .addOption(new Option('--what <types>', 'clean: which directories (runtime, state, cache, logs, configuration, all; comma-separated; "help" lists them)').argParser(collectWhat))
    .addOption(new Option('--mkdir', 'bind, mount-image: create the destination directory first'))
    .addOption(new Option('--read-only', 'bind, mount-image: mount read-only'))
    .addOption(new Option('--wait', 'start, restart: after the jobs, wait until the units stop again; is-system-running: until boot is done'))
    .addOption(new Option('--with-dependencies', 'list-units, list-unit-files, status, show, cat: the units and their dependencies (--reverse, --after, --before choose which)'))
    .addOption(new Option('--timestamp <format>', 'how show and status print timestamps: pretty, unix, us, utc, us+utc ("help" lists them)').argParser(checkTimestampStyle))
    .addOption(new Option('--show-types', 'list-sockets: show the socket type of each address'))
    .addOption(new Option('--marked', 'reload-or-restart: the units marked needs-reload or needs-restart'))
    .addOption(new Option('-M, --machine <container>', "operate on a local container (its bus through systemd-stdio-bridge -M)"))
    .addOption(new Option('-r, --recursive', 'list-machines/list-units: include the units of local containers').argParser(checkRecursive))
    .addOption(new Option('--dry-run', 'halt/poweroff/reboot & co: only say what would be done; change nothing'))
    .addOption(new Option('--message <text>', 'poweroff/reboot/halt: the wall message logind sends (repeatable)').argParser(collectRepeat))
    .addOption(new Option('--no-wall', "poweroff/reboot/halt: send no wall message"))
    .addOption(new Option('--check-inhibitors <mode>', 'poweroff/reboot/suspend & co: check inhibitor locks first: auto, yes or no').argParser(checkInhibitorsMode))
    .addOption(new Option('-i, --ignore-inhibitors', 'the same as --check-inhibitors=no'))
    .addOption(new Option('--firmware-setup', 'halt/poweroff/reboot: ask the firmware to show its setup on the next boot'))
    .addOption(new Option('--boot-loader-menu <time>', 'halt/poweroff/reboot: ask the boot loader to show its menu for TIME on the next boot').argParser(checkBootLoaderMenu))
    .addOption(new Option('--boot-loader-entry <name>', 'halt/poweroff/reboot: boot this boot loader entry next ("help" lists them)'))
    .addOption(new Option('--reboot-argument <arg>', "reboot: the argument to the reboot(2) system call"))
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => io.out.write(s),
      writeErr: (s) => io.err.write(s),
      outputError: () => undefined, // reported by reportError, in one line
    })
    .exitOverride();
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
  const program = buildProgram(io, help ? undefined : verbOf(line, VALUE_OPTIONS));
  try {
    await program.parseAsync(line, { from: 'user' });
    return { code: io.exitCode ?? 0 };
  } catch (err) {
    return { code: reportError(err, report ? io : { ...io, err: DISCARD }), error: err };
  }
}

const DISCARD = { write: () => true } as unknown as NodeJS.WritableStream;
