/**
 * The commander program: global flags, the verb families, and the single place where an error
 * becomes a message and an exit code.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, SystemdError } from '../core/errors.js';
import { colors } from '../output/color.js';
import { escapeTerminal } from '../output/escape.js';
import { wasInterrupted } from './interrupt.js';
import type { IO } from '../output/io.js';
import { collectList, collectRepeat, normalizeArgv } from './context.js';
import { signalFromString } from '../core/kill-signal.js';
import { parsePresetMode } from '../core/presets.js';
import { hostList, isFleet, parallelOf, splitHostFlags, verbOf } from './fleet.js';
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
import { registerSandbox } from './sandbox.js';
import { registerDemo } from './demo.js';

/** systemctl checks -s whatever the verb (`systemctl -s FOO list-jobs` fails): so do we. */
function checkSignal(value: string): string {
  if (value !== 'help') signalFromString(value);
  return value;
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

export function buildProgram(io: IO): Command {
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
    .addOption(new Option('-p, --property <names>', 'show only these properties (comma-separated, repeatable)').argParser(collectList))
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
    .addOption(new Option('-f, --force', 'enable/preset/link/add-wants/…: overwrite conflicting symlinks; edit: create a unit that does not exist'))
    .addOption(new Option('--no-reload', 'enable/disable/preset/edit/…: do not reload the manager afterwards'))
    .addOption(new Option('--preset-mode <mode>', 'preset, preset-all: full, enable-only or disable-only ("help" lists them)').argParser(parsePresetMode))
    .addOption(new Option('--root <path>', 'unit-file verbs on a directory tree offline (not supported: says so)'))
    .addOption(new Option('--image <path>', 'unit-file verbs on a disk image offline (not supported: says so)'))
    .addOption(new Option('--global', 'unit-file verbs on the user unit files of all users (not supported: says so)'))
    .addOption(new Option('--background', 'herd start: enqueue and return at once'))
    .addOption(new Option('-H, --host <[user@]host[:port]>', 'run on a remote host over ssh (repeatable, comma-separated for a fleet)').argParser(collectRepeat))
    .addOption(new Option('--hosts <file>', 'run on every host listed in FILE (one a line, # comments)'))
    .addOption(new Option('--parallel <n>', 'hosts to reach at once (default 16)'))
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => io.out.write(s),
      writeErr: (s) => io.err.write(s),
      outputError: () => undefined, // reported by reportError, in one line
    })
    .exitOverride();
  registerListUnits(program, io);
  registerLifecycle(program, io);
  registerJobs(program, io);
  registerUnitFiles(program, io);
  registerQueries(program, io);
  registerStatus(program, io);
  registerInspect(program, io);
  registerLists(program, io);
  registerHerd(program, io);
  registerWatch(program, io);
  registerComplete(program, io);
  registerSandbox(program, io);
  registerDemo(program, io);
  addFallbackExamples(program); // one-line examples for verbs whose --help has none (examples.ts)
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

/** Commander's help and version: printed already; its exit code says whether it was asked for. */
const COMMANDER_DONE = new Set(['commander.helpDisplayed', 'commander.version', 'commander.help']);

/**
 * The one error → exit-code switch: a `SystemdError` is the user's (or the system's) problem and
 * gets one line and systemctl's exit code; anything else is our bug and says so.
 */
export function reportError(err: unknown, io: IO): number {
  if (wasInterrupted()) return ExitCode.INTERRUPTED; // the interrupt handler speaks and exits
  const c = colors(io.errColor);
  if (err instanceof CommanderError) {
    // `--help` → 0; help shown because a verb is missing (`sysherd sandbox`) → 1
    if (COMMANDER_DONE.has(err.code)) return err.exitCode;
    // commander puts its suggestion on a line of its own: keep the error one line
    const msg = escapeTerminal(err.message.replace(/^error: /, '').replace(/\n\(Did you mean (.+)\?\)$/, '; did you mean $1?'));
    io.err.write(`${c.red('sysherd:')} ${msg}; see 'sysherd --help'\n`);
    return ExitCode.FAILURE;
  }
  if (err instanceof SystemdError && err.verbatim) {
    // systemctl's own failure text, as systemctl prints it (each line escaped; red on a terminal)
    io.err.write(`${err.message.split('\n').map((l) => c.red.bold(escapeTerminal(l))).join('\n')}\n`);
    return err.exitCode;
  }
  if (err instanceof SystemdError) {
    // messages can carry systemd's own text: escaped, so the error stays one line
    const hint = err.hint ? `; ${escapeTerminal(err.hint)}` : '';
    io.err.write(`${c.red('sysherd:')} ${escapeTerminal(err.message).replace(/\.$/, '')}${hint}\n`);
    return err.exitCode;
  }
  const detail = escapeTerminal(err instanceof Error ? err.message : String(err));
  io.err.write(
    `${c.red('sysherd: internal error:')} ${detail}. This is a bug in sysherd; please report it with the command you ran (SYSHERD_DEBUG=1 prints the stack).\n`,
  );
  if (process.env.SYSHERD_DEBUG && err instanceof Error && err.stack) io.err.write(`${err.stack}\n`);
  return 70; // EX_SOFTWARE
}

/** Global options that take a value (their value is not a verb). */
const VALUE_OPTIONS = new Set(['--address', '--timeout', '--json-mode', '-o', '--output', '-t', '--type', '--state', '-p', '--property', '-P', '-n', '--lines', '--log-history', '--job-mode', '-s', '--signal', '--kill-whom', '-H', '--host', '--hosts', '--parallel', '--preset-mode', '--root', '--image']);

/**
 * As `systemctl` alone lists units, so does `sysherd` (also `sysherd --all --user`): with no verb
 * on the line, `list-units` is meant. An unknown word stays an unknown verb.
 */
export function withDefaultVerb(argv: string[]): string[] {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (!a.startsWith('-')) return argv;
    if (a === '-h' || a === '--help' || a === '--version') return argv;
    if (VALUE_OPTIONS.has(a)) i++;
  }
  return ['list-units', ...argv];
}

/** Run the CLI. Resolves with the exit code; never throws, never calls process.exit. */
export async function main(argv: string[], io: IO): Promise<number> {
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

/** Verbs that take a fleet themselves (watch merges live streams) or have no host at all. */
const NOT_FANNED_OUT = new Set(['watch', 'sandbox', 'demo', 'complete', 'completion', 'help']);

/** Run one parsed command line; `report`: print the error (else only return it with its code). */
async function runLine(line: string[], io: IO, report: boolean): Promise<{ code: number; error?: unknown }> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(line, { from: 'user' });
    return { code: io.exitCode ?? 0 };
  } catch (err) {
    return { code: reportError(err, report ? io : { ...io, err: DISCARD }), error: err };
  }
}

const DISCARD = { write: () => true } as unknown as NodeJS.WritableStream;
