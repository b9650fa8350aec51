/** Verb family `herd`: registered by main.ts; parses only (the work is in run/). Being written. */
import type { Command } from 'commander';
import type { IO } from '../output/io.js';

export function registerHerd(_program: Command, _io: IO): void {
  // filled in by the issue that adds these verbs
}
