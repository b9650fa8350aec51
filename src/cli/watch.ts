/**
 * `sysherd watch [PATTERN…] [--type=…] [--json] [--user] [-H HOST[,HOST…] | --hosts FILE]`:
 * a live stream of the manager's events (run/watch.ts). Parses only. Ctrl-C ends it: the watch
 * closes its connections, then dies of SIGINT as `journalctl -f` does (a shell loop stops).
 */
import type { Command } from 'commander';
import type { IO } from '../output/io.js';
import { InvalidArgumentError } from '../core/errors.js';
import { isUnitType, UNIT_TYPES } from '../core/names.js';
import { connectOptions, jsonFormat, type GlobalOptions } from './context.js';
import { hostList } from './fleet.js';

export function registerWatch(program: Command, io: IO): void {
  program
    .command('watch')
    .description("Stream the manager's events (jobs, unit states, reloads) as they happen, on one host or a fleet")
    .argument('[pattern...]', 'shell-style patterns on unit names (nginx*, *.socket)')
    .addHelpText(
      'after',
      "\nExamples:\n  sysherd watch 'nginx*'\n  sysherd -H web1,web2 watch --type=service --json | jq -c 'select(.event==\"JobRemoved\")'\n",
    )
    .action(async (patterns: string[], _flags: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const types = g.type ?? [];
      const bad = types.find((t) => !isUnitType(t));
      if (bad !== undefined) throw new InvalidArgumentError(`unknown --type value '${bad}'`, { hint: `valid types: ${UNIT_TYPES.join(', ')}` });
      const hosts = hostList(g);
      const base = connectOptions({ ...g, host: undefined, hosts: undefined });
      const targets = hosts.length === 0 ? [{ host: null, connect: base }] : hosts.map((host) => ({ host, connect: { ...base, host } }));
      const { runWatch } = await import('./run/watch.js');
      if (hosts.length > 1) (await import('../core/transport.js')).setBatchAlways(true);
      // Ctrl-C ends a watch as it is meant to end: close cleanly, then die of the signal (a second
      // Ctrl-C exits at once)
      const ac = new AbortController();
      const saved = process.listeners('SIGINT');
      process.removeAllListeners('SIGINT');
      process.once('SIGINT', () => {
        for (const l of saved) process.on('SIGINT', l);
        ac.abort();
      });
      try {
        await runWatch({ patterns, types, json: jsonFormat(g, io) !== null, targets, signal: ac.signal }, io);
      } finally {
        process.removeAllListeners('SIGINT');
        for (const l of saved) if (!process.listeners('SIGINT').includes(l)) process.on('SIGINT', l);
      }
      if (ac.signal.aborted) (await import('./interrupt.js')).dieOfSignal('SIGINT');
    });
}
