/** `sysherd demo`: a short tour, against the local systemd or inside a sandbox. Parses only. */
import type { Command } from 'commander';
import type { IO } from '../output/io.js';

export function registerDemo(program: Command, io: IO): void {
  program
    .command('demo')
    .description('a short tour: against the local systemd if it answers (read-only), else inside a throwaway sandbox (root)')
    .option('--sandbox', 'use a sandbox even when the local systemd answers')
    .action(async (flags: { sandbox?: boolean }) => {
      const { runDemo } = await import('./run/demo.js');
      await runDemo({ forceSandbox: flags.sandbox ?? false }, io);
    });
}
