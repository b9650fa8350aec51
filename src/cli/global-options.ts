/**
 * The global options: systemctl's flags, which a line may give anywhere (before or after the verb),
 * as data, built into commander `Option`s only when a line needs them.
 *
 * Building all ~60 costs ~2.3 ms of every start (commander parses each one's flags and registers
 * a listener for it, all in code that runs once and cold), more than anything else sysherd does
 * before its first D-Bus call. A line that names only global options gets just those, plus the
 * negatable ones (`--no-pager`…), whose absence commander reports as a default (`pager: true`):
 * the options object the verb sees is the same either way (test/unit/cli/global-options.test.ts
 * parses lines both ways). A word that is no global option (a typo, which wants commander's
 * suggestions among all of them, or a verb's own option) gets all of them, as help does.
 */
import { Option, type Command } from 'commander';
import { InvalidArgumentError } from '../core/errors.js';
import { parseSec, signalFromString } from '../core/kill-signal.js';
import { parsePresetMode } from '../core/presets.js';
import { parseBoolean } from '../core/values.js';
import { collectList, collectProperties, collectRepeat, collectWhat } from './context.js';
import { checkTimestampStyle } from './option-checks.js';

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

/** One global option: commander's flags and description, and what else it needs (choices, a parser). */
export type GlobalOptionSpec = readonly [flags: string, description: string, more?: (o: Option) => Option];

/** Every global option, in `sysherd --help`'s order. */
export const GLOBAL_OPTIONS: readonly GlobalOptionSpec[] = [
  ['--user', "talk to the calling user's service manager"],
  ['--system', 'talk to the system service manager (the default)'],
  ['--json', 'print JSON on stdout (pretty on a terminal, one line when piped); also --json=pretty|short|off'],
  ['--json-mode <mode>', '', (o) => o.choices(['pretty', 'short']).hideHelp()],
  ['-o, --output <mode>', 'json or json-pretty: JSON from list verbs; a journal mode (short, short-iso, short-precise, cat, json, verbose) for status', (o) => o.choices(OUTPUT_MODES)],
  ['--address <address>', 'connect to this D-Bus address (e.g. unix:path=/run/dbus/system_bus_socket)'],
  ['--timeout <span>', 'timeout of each D-Bus call (default 25s)'],
  ['--ask-password', 'let polkit ask for a password when needed (the default)'],
  ['--no-ask-password', 'never let polkit ask for a password'],
  ['-a, --all', 'show all units/properties, inactive ones too'],
  ['-t, --type <types>', 'unit types to show (comma-separated; "help" lists them)', (o) => o.argParser(collectList)],
  ['--state <states>', 'unit states to show (comma-separated; "help" lists them)', (o) => o.argParser(collectList)],
  ['-p, --property <names>', 'show only these properties (comma-separated, repeatable)', (o) => o.argParser(collectProperties)],
  ['-P <name>', 'show only this property, its value alone (-p NAME --value)'],
  ['--value', 'show only property values, without NAME='],
  ['-l, --full', 'do not ellipsize output to the terminal width'],
  ['--plain', 'no ● markers; list-dependencies as a flat list'],
  ['--no-legend', 'print neither column headers nor the legend (also --legend=no)'],
  ['-q, --quiet', 'print less: no output from is-* queries, no warnings'],
  ['--no-pager', 'do not pipe output into a pager'],
  ['-n, --lines <n>', 'journal lines to show (status; default 10); herd: history entries (default 5)'],
  ['--log-history <n>', 'herd: history entries to show (default 5)'],
  ['--reverse', 'list-dependencies: show reverse dependencies'],
  ['--after', 'list-dependencies: show units ordered before'],
  ['--before', 'list-dependencies: show units ordered after'],
  ['--no-block', 'do not wait for jobs to finish'],
  ['-T, --show-transaction', 'print every job a lifecycle verb enqueued'],
  ['--job-mode <mode>', 'how to queue jobs', (o) => o.choices(JOB_MODES)],
  ['-s, --signal <signal>', 'kill: the signal to send (default SIGTERM; "help" lists them)', (o) => o.argParser(checkSignal)],
  ['--kill-whom <whom>', 'kill: main, control or all processes (also --kill-who)', (o) => o.choices(['main', 'control', 'all'])],
  ['--now', 'enable/disable/mask: also start or stop the units'],
  ['--runtime', 'unit-file changes only until the next reboot (/run)'],
  ['-f, --force', 'enable/preset/link/add-wants/…: overwrite conflicting symlinks; edit: create a unit that does not exist; halt/poweroff/reboot/kexec/exit: the manager does it at once, no unit started (-ff: see the manual)'],
  ['--no-reload', 'enable/disable/preset/edit/…: do not reload the manager afterwards'],
  ['--preset-mode <mode>', 'preset, preset-all: full, enable-only or disable-only ("help" lists them)', (o) => o.argParser(parsePresetMode)],
  ['--root <path>', 'unit-file verbs on a directory tree offline (not supported: says so)'],
  ['--image <path>', 'unit-file verbs on a disk image offline (not supported: says so)'],
  ['--global', 'unit-file verbs on the user unit files of all users (not supported: says so)'],
  ['--background', 'herd start: enqueue and return at once'],
  ['-H, --host <[user@]host[:port]>', 'run on a remote host over ssh (repeatable, comma-separated for a fleet)', (o) => o.argParser(collectRepeat)],
  ['--hosts <file>', 'run on every host listed in FILE (one a line, # comments)'],
  ['--parallel <n>', 'hosts to reach at once (default 16)'],
  ['--what <types>', 'clean: which directories (runtime, state, cache, logs, configuration, all; comma-separated; "help" lists them)', (o) => o.argParser(collectWhat)],
  ['--mkdir', 'bind, mount-image: create the destination directory first'],
  ['--read-only', 'bind, mount-image: mount read-only'],
  ['--wait', 'start, restart: after the jobs, wait until the units stop again; is-system-running: until boot is done'],
  ['--with-dependencies', 'list-units, list-unit-files, status, show, cat: the units and their dependencies (--reverse, --after, --before choose which)'],
  ['--timestamp <format>', 'how show and status print timestamps: pretty, unix, us, utc, us+utc ("help" lists them)', (o) => o.argParser(checkTimestampStyle)],
  ['--show-types', 'list-sockets: show the socket type of each address'],
  ['--marked', 'reload-or-restart: the units marked needs-reload or needs-restart'],
  ['-M, --machine <container>', "operate on a local container (its bus through systemd-stdio-bridge -M)"],
  ['-r, --recursive', 'list-machines/list-units: include the units of local containers', (o) => o.argParser(checkRecursive)],
  ['--dry-run', 'halt/poweroff/reboot & co: only say what would be done; change nothing'],
  ['--message <text>', 'poweroff/reboot/halt: the wall message logind sends (repeatable)', (o) => o.argParser(collectRepeat)],
  ['--no-wall', "poweroff/reboot/halt: send no wall message"],
  ['--check-inhibitors <mode>', 'poweroff/reboot/suspend & co: check inhibitor locks first: auto, yes or no', (o) => o.argParser(checkInhibitorsMode)],
  ['-i, --ignore-inhibitors', 'the same as --check-inhibitors=no'],
  ['--firmware-setup', 'halt/poweroff/reboot: ask the firmware to show its setup on the next boot'],
  ['--boot-loader-menu <time>', 'halt/poweroff/reboot: ask the boot loader to show its menu for TIME on the next boot', (o) => o.argParser(checkBootLoaderMenu)],
  ['--boot-loader-entry <name>', 'halt/poweroff/reboot: boot this boot loader entry next ("help" lists them)'],
  ['--reboot-argument <arg>', "reboot: the argument to the reboot(2) system call"],
];

/** An option's flags as the line spells them: `'-o, --output <mode>'` → `['-o', '--output']`. */
export function flagNames(flags: string): string[] {
  return flags.split(/[ ,|]+/).filter((f) => f.startsWith('-'));
}

/** Whether an option takes a value (the next word, or `=VALUE`, or the rest of `-tVALUE`). */
function takesValue(spec: GlobalOptionSpec): boolean {
  return spec[0].includes('<');
}

/** Every option by each of its flags, and the negatable options with their positive twins (see the top). */
let index: { byName: Map<string, GlobalOptionSpec>; always: GlobalOptionSpec[] } | undefined;

function optionIndex(): NonNullable<typeof index> {
  if (index !== undefined) return index;
  const byName = new Map<string, GlobalOptionSpec>();
  for (const o of GLOBAL_OPTIONS) for (const n of flagNames(o[0])) byName.set(n, o);
  const always = GLOBAL_OPTIONS.filter((o) => flagNames(o[0]).some((n) => n.startsWith('--no-') || byName.has(`--no-${n.slice(2)}`)));
  return (index = { byName, always });
}

/**
 * The global options `line` (normalized, help-free) names, and the negatable ones; `undefined` when a word
 * starting with `-` before `--` is no global option (then every option is wanted). Words are
 * read as commander reads them: `--name=VALUE`, `--name VALUE`, clustered shorts `-qa`, and a
 * short option's attached value `-tservice`.
 */
export function globalOptionsFor(line: readonly string[]): Set<GlobalOptionSpec> | undefined {
  const { byName, always } = optionIndex();
  const wanted = new Set(always);
  for (let i = 0; i < line.length; i++) {
    const a = line[i]!;
    if (a === '--') break;
    if (a.length < 2 || a[0] !== '-') continue;
    if (a[1] === '-') {
      const eq = a.indexOf('=');
      const o = byName.get(eq < 0 ? a : a.slice(0, eq));
      if (o === undefined) return undefined;
      wanted.add(o);
      if (eq < 0 && takesValue(o)) i++;
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const o = byName.get(`-${a[j]}`);
      if (o === undefined) return undefined;
      wanted.add(o);
      if (takesValue(o)) {
        if (j === a.length - 1) i++; // its value is the next word; else the rest of this one
        break;
      }
    }
  }
  return wanted;
}

/** Add the global options to the program: those `line` needs (globalOptionsFor), or all. */
export function addGlobalOptions(program: Command, line?: readonly string[]): void {
  const wanted = line === undefined ? undefined : globalOptionsFor(line);
  for (const spec of GLOBAL_OPTIONS) {
    if (wanted !== undefined && !wanted.has(spec)) continue;
    const o = new Option(spec[0], spec[1]);
    program.addOption(spec[2] ? spec[2](o) : o);
  }
}
