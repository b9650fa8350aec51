/**
 * The single place where an error becomes a message and an exit code (systemctl's, for systemd's
 * errors). Used by the CLI's main and by verbs that report an error and go on (the demo).
 */
import { CommanderError } from 'commander';
import { ExitCode, SystemdError } from '../core/errors.js';
import { ANSI, colors } from '../output/color.js';
import { escapeTerminal } from '../output/escape.js';
import type { IO } from '../output/io.js';
import { wasInterrupted } from './interrupt.js';

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
    if (err.code === 'commander.unknownCommand') {
      io.err.write(`${c.red('sysherd:')} ${escapeTerminal(unknownVerbMessage(err.message))}\n`);
      return ExitCode.FAILURE;
    }
    // commander puts its suggestion on a line of its own: keep the error one line
    const msg = escapeTerminal(err.message.replace(/^error: /, '').replace(/\n\(Did you mean (.+)\?\)$/, '; did you mean $1?'));
    io.err.write(`${c.red('sysherd:')} ${msg}; see 'sysherd --help'\n`);
    return ExitCode.FAILURE;
  }
  if (err instanceof SystemdError) {
    // messages can carry systemd's own text: escaped, so the error stays one line
    const hint = err.hint ? `; ${escapeTerminal(err.hint)}` : '';
    // systemctl's own failure text, as systemctl prints it: no prefix, its period kept, each line
    // escaped, in systemd's red on a terminal (log_error)
    if (err.verbatim) {
      const red = (l: string): string => (io.errColor ? `${ANSI.red}${l}${ANSI.normal}` : l);
      io.err.write(`${err.message.split('\n').map((l) => red(escapeTerminal(l))).join('\n')}\n${err.hint ? `${escapeTerminal(err.hint)}\n` : ''}`);
      return err.exitCode;
    }
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

/**
 * An unknown verb in systemd's words (its verbs.c since v254: `Unknown command verb 'restrat'.`;
 * 252 leaves out the quotes), with commander's suggestion as systemd words one:
 * `Unknown command verb 'restrat', did you mean 'restart'?`.
 */
export function unknownVerbMessage(commanderMessage: string): string {
  const verb = /unknown command '([^']*)'/.exec(commanderMessage)?.[1] ?? '';
  const guess = /\(Did you mean ([^)]+)\?\)/.exec(commanderMessage)?.[1];
  return guess ? `Unknown command verb '${verb}', did you mean '${guess}'?` : `Unknown command verb '${verb}'.`;
}

