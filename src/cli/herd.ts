/**
 * Verb family `herd`: `sysherd herd ACTION [SERVICE [ARG…]]`, GNU Shepherd's herd on systemd.
 * One command; the ACTION and its words are positional, every flag is global (anywhere on the
 * line). Parses only: the work is `runHerd` (run/herd.ts).
 */
import type { Command } from 'commander';

import { InvalidArgumentError } from '../core/errors.js';
import type { JobMode, KillWhom } from '../core/types.js';
import type { JournalSource } from '../herd/history.js';
import type { IO } from '../output/io.js';
import { connectOptions, jsonFormat, type GlobalOptions } from './context.js';

function historySize(g: GlobalOptions): { n: number; given: boolean } {
  const raw = g.logHistory ?? g.lines;
  if (raw === undefined) return { n: 5, given: false };
  if (!/^\d+$/.test(raw)) throw new InvalidArgumentError(`invalid --log-history value '${raw}'`, { hint: 'give a whole number of entries, e.g. -n 10' });
  return { n: Number(raw), given: true };
}

export function registerHerd(program: Command, io: IO): void {
  program
    .command('herd')
    .description("GNU Shepherd's herd: start, stop, status, log, graph, doc and the actions of services")
    .argument('[words...]', 'ACTION [SERVICE [ARG...]]')
    .addHelpText(
      'after',
      `
Actions:
  start SERVICE...            start with dependencies, print the running value (--background: return at once)
  stop SERVICE...             stop with every dependent
  status [SERVICE...]         overview, or one service's status and history (-n N entries)
  detailed-status [SERVICE...]
  log [SERVICE...]            the event log
  graph [SERVICE...]          a Graphviz graph of services and their requirements
  doc SERVICE [list-actions | action ACTION]
  running? | stopped? | enabled? SERVICE
  restart | reload | enable | disable | kill [SIGNAL] | clean [WHAT...] | freeze | thaw | reset-failed SERVICE

Examples:
  sysherd herd status sshd -n 10
  sysherd herd stop nginx --json | jq -r '.[].stopped[]'
  sysherd herd graph | dot -Tsvg > services.svg
`,
    )
    .action(async (words: string[], _flags: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { n, given } = historySize(g);
      const [{ runHerd }, { localJournalMissing }] = await Promise.all([import('./run/herd.js'), import('../herd/history.js')]);
      const connect = connectOptions(g);
      // the journal of the manager's machine: here, over ssh with -H, none reachable with --address
      let journal: JournalSource;
      if (g.address) journal = { scope: g.user ? 'user' : 'system', unavailable: `the manager at ${g.address} may not be this machine's` };
      else if (connect.host) {
        const { sshJournalRunner } = await import('../core/transport.js');
        journal = { scope: g.user ? 'user' : 'system', unavailable: null, run: { runner: sshJournalRunner(connect.host) } };
      } else journal = { scope: g.user ? 'user' : 'system', unavailable: localJournalMissing() };
      await runHerd(
        {
          words,
          n,
          nGiven: given,
          types: g.type ?? [],
          background: g.background ?? false,
          jobMode: (g.jobMode ?? 'replace') as JobMode,
          signal: g.signal,
          killWhom: (g.killWhom ?? 'all') as KillWhom,
          runtime: g.runtime ?? false,
          force: g.force ?? false,
          quiet: g.quiet ?? false,
          json: jsonFormat(g, io),
          connect,
          local: !g.address && !connect.host,
          journal,
          pager: g.pager !== false,
          all: g.all ?? false,
        },
        io,
      );
    });
}
