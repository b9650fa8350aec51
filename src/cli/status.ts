/**
 * `sysherd status [PATTERN…|PID…]`: systemctl's status, section for section; with no unit the
 * manager's overview. Parses only; the work is `runStatus`. Its flags are global (context.ts):
 * -n/--lines, -o/--output (journal modes), -l/--full, -a/--all, --state, --type, --no-pager, --json.
 */
import type { Command } from 'commander';
import type { IO } from '../output/io.js';
import { connectOptions, jsonFormat, timestampStyle, withDependencies, type GlobalOptions } from './context.js';

export function registerStatus(program: Command, io: IO): void {
  program
    .command('status')
    .description('Show the runtime status of units (with their last journal lines), or of the manager')
    .argument('[unit...]', 'unit names, shell-style patterns on loaded units, or PIDs')
    .addHelpText('after', '\nExamples:\n  sysherd status nginx.service\n  sysherd status -n 50 -o short-iso sshd\n  sysherd status 1234            # the unit of PID 1234\n  sysherd status --json nginx | jq .[0].mainPid\n')
    .action(async (args: string[], _flags: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { runStatus, parseLines, parseOutputMode } = await import('./run/status.js');
      const connect = connectOptions(g);
      const { journalRunOptionsFor } = await import('../core/transport.js');
      const { machineJournalRunner } = await import('../core/journal.js');
      await runStatus(
        {
          args,
          lines: parseLines(g.lines),
          output: parseOutputMode(g.output),
          full: g.full ?? false,
          all: g.all ?? false,
          quiet: g.quiet ?? false,
          states: g.state ?? [],
          types: g.type ?? [],
          // -o json selects the journal's JSON lines here, as systemctl status -o json does
          json: jsonFormat(g, io, { outputMeansJson: false }),
          connect,
          pager: g.pager !== false,
          // with -H, journalctl runs on the host over ssh (systemctl -H shows no journal lines)
          // a container's own journal (-M)
          journal: connect.machine !== undefined ? { runner: machineJournalRunner(connect.machine) } : journalRunOptionsFor(connect),
          timestampStyle: timestampStyle(g),
          dependencies: withDependencies(g),
        },
        io,
      );
    });
}
