/**
 * What systemctl 252's `parse_argv` checks about its options before any verb runs, whatever the
 * verb: `--timestamp=` values (checked as the value is parsed; `help` lists them), then the
 * combinations (`--wait` with `--no-block`, `--marked` anywhere but `reload-or-restart`, …).
 * Bad input → `InvalidArgumentError` with systemctl's text (one line, exit 1, nothing done).
 */
import { InvalidArgumentError } from '../core/errors.js';
import type { IO } from '../output/io.js';
import { parseTimestampStyle, TIMESTAMP_STYLES } from '../output/time.js';
import { signalHelp } from '../core/kill-signal.js';
import { CLEAN_WHAT } from './unit-verb-table.js';
import { UNIT_ACTIONS } from '../core/manager.js';

/**
 * The verbs systemctl runs through `verb_start` with units (its `--wait` check is there, after
 * the argument count): the lifecycle verbs and their aliases, and `isolate` (one unit).
 */
const START_VERBS = new Set<string>([...UNIT_ACTIONS.map((a) => a.verb), 'isolate']);
import type { GlobalOptions } from './context.js';

/** commander's argParser for `--timestamp`: a known style or `help`, else systemctl's error. */
export function checkTimestampStyle(value: string): string {
  if (value !== 'help' && parseTimestampStyle(value) === undefined) throw new InvalidArgumentError(`Invalid value: ${value}.`, { verbatim: true });
  return value;
}

/**
 * The checks of `parse_argv` after the options are read, for the verb about to run (`verb`: the
 * top-level word, `args`: its arguments). Returns `false` when it printed what was asked
 * (`--timestamp=help`) and the verb must not run.
 */
export function checkParsedOptions(verb: string, args: readonly string[], g: GlobalOptions, io: IO): boolean {
  if (g.timestamp === 'help') {
    io.out.write(`${TIMESTAMP_STYLES.join('\n')}\n`);
    return false;
  }
  // `-s help` lists the signals whatever the verb (systemctl's parse_signal_argument)
  if (g.signal === 'help') {
    io.out.write(signalHelp());
    return false;
  }
  // `--what=help` lists clean's resource types, likewise
  if (g.what?.includes('help')) {
    io.out.write(`${CLEAN_WHAT.join('\n')}\n`);
    return false;
  }
  if (g.wait && g.block === false) throw new InvalidArgumentError('--wait may not be combined with --no-block.', { verbatim: true });
  // (a wrong number of units is reported first, by the verb: "Too few arguments.")
  const countOk = verb === 'isolate' ? args.length === 1 : args.length > 0;
  if (g.wait && START_VERBS.has(verb) && verb !== 'start' && verb !== 'restart' && countOk && !g.marked) {
    throw new InvalidArgumentError("--wait may only be used with the 'start' or 'restart' commands.", { verbatim: true });
  }
  if (g.marked) {
    if (verb !== 'reload-or-restart') throw new InvalidArgumentError("--marked may only be used with 'reload-or-restart'.", { verbatim: true });
    if (args.length > 0) throw new InvalidArgumentError("No additional arguments allowed with 'reload-or-restart --marked'.", { verbatim: true });
    if (g.wait) throw new InvalidArgumentError('--marked --wait is not supported.', { verbatim: true });
    if (g.showTransaction) throw new InvalidArgumentError('--marked --show-transaction is not supported.', { verbatim: true });
  } else if (verb === 'reload-or-restart' && args.length === 0) {
    throw new InvalidArgumentError('List of units to restart/reload is required.', { verbatim: true });
  }
  return true;
}
