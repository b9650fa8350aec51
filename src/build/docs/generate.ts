/** Every generated file, as text, from the current program. */
import { readFileSync } from 'node:fs';
import { readManual } from './manual.ts';
import { bashCompletion } from './bash.ts';
import { fishCompletion } from './fish.ts';
import { manPage } from './man.ts';
import { type CommandModel, programModel } from './model.ts';
import { zshCompletion } from './zsh.ts';

export const GENERATED = ['completions/sysherd.bash', 'completions/_sysherd', 'completions/sysherd.fish', 'man/sysherd.1'] as const;

/** The date on the man page: SOURCE_DATE_EPOCH (reproducible builds), else today. */
function manDate(): string {
  const epoch = Number(process.env.SOURCE_DATE_EPOCH);
  const d = Number.isFinite(epoch) && epoch > 0 ? new Date(epoch * 1000) : new Date();
  return d.toISOString().slice(0, 10);
}

export function generateAll(model: CommandModel = programModel()): Record<(typeof GENERATED)[number], string> {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return {
    'completions/sysherd.bash': bashCompletion(model),
    'completions/_sysherd': zshCompletion(model),
    'completions/sysherd.fish': fishCompletion(model),
    'man/sysherd.1': manPage(model, { version: pkg.version, date: manDate(), manual: readManual() }),
  };
}
