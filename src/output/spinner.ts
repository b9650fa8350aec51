/**
 * Progress on stderr while something runs: an ora spinner on a terminal (ora is loaded only
 * then), nothing at all otherwise — so pipes and logs stay clean.
 */
import type { IO } from './io.js';

export interface Progress {
  /** Change the text. */
  update(text: string): void;
  /** Stop and leave a final line (`✔ text` / `✖ text`), or nothing when `text` is omitted. */
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

const SILENT: Progress = { update() {}, succeed() {}, fail() {}, stop() {} };

/** Start a spinner with `text` when stderr is a terminal; a silent stand-in otherwise. */
export async function startProgress(io: IO, text: string): Promise<Progress> {
  // ora needs a real width: a pty with 0 columns makes it clear lines for ever
  const columns = (io.err as NodeJS.WriteStream).columns;
  if (!io.errIsTTY || !columns) return SILENT;
  const { default: ora } = await import('ora');
  // we decided it is a terminal; ora's own guess would print a static line when $CI is set
  const spinner = ora({ text, stream: io.err as NodeJS.WritableStream & { isTTY?: boolean }, color: 'cyan', discardStdin: false, isEnabled: true }).start();
  return {
    update: (t) => {
      spinner.text = t;
    },
    succeed: (t) => (t === undefined ? spinner.stop() : spinner.succeed(t)),
    fail: (t) => (t === undefined ? spinner.stop() : spinner.fail(t)),
    stop: () => spinner.stop(),
  };
}
