/**
 * Which hosts a command runs on: `-H a,b,c` (repeatable) and `--hosts FILE` (one host a line,
 * `#` comments). One host is plain `-H` (connectOptions); more than one — or any `--hosts` — is a
 * fleet: main.ts runs the verb once per host (run/fleet.ts) and merges the output.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../core/errors.js';
import { DEFAULT_PARALLEL } from '../core/fleet.js';

export interface HostFlags {
  host?: string[] | undefined;
  hosts?: string | undefined;
  parallel?: string | undefined;
}

/** The hosts of a `--hosts` file: one a line (or several, separated by blanks or commas), `#` comments. */
export function parseHostsFile(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    out.push(...line.split(/[\s,]+/).filter((s) => s !== ''));
  }
  return out;
}

/** Every host named by `-H` (comma lists, repeatable) and `--hosts FILE`, in order, once each. */
export function hostList(g: HostFlags): string[] {
  const list: string[] = [];
  for (const v of g.host ?? []) {
    const named = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
    // `-H ""` (an unset $HOST) must not fall back to this machine: systemctl fails on it too
    if (named.length === 0) throw new InvalidArgumentError(`-H '${v}' names no host`, { hint: 'give -H [USER@]HOST' });
    list.push(...named);
  }
  if (g.hosts !== undefined) {
    let text: string;
    try {
      text = g.hosts === '-' ? readFileSync(0, 'utf8') : readFileSync(g.hosts, 'utf8');
    } catch (e) {
      throw new InvalidArgumentError(`cannot read the hosts file ${g.hosts}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const fromFile = parseHostsFile(text);
    if (fromFile.length === 0) throw new InvalidArgumentError(`the hosts file ${g.hosts} names no host`);
    list.push(...fromFile);
  }
  return [...new Set(list)];
}

/** Is this a fleet (several hosts, or a `--hosts` file)? */
export function isFleet(g: HostFlags, hosts: string[]): boolean {
  return hosts.length > 1 || g.hosts !== undefined;
}

/** `--parallel N` (default 16). */
export function parallelOf(g: HostFlags): number {
  if (g.parallel === undefined) return DEFAULT_PARALLEL;
  const n = Number(g.parallel);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`invalid --parallel value '${g.parallel}'`, { hint: 'use a whole number of hosts, 1 or more' });
  return n;
}

/** The host flags of an argv, and the argv without them (what each host of a fleet runs). */
export function splitHostFlags(argv: string[], valueOptions: ReadonlySet<string>): { flags: HostFlags; rest: string[] } {
  const flags: HostFlags = {};
  const rest: string[] = [];
  const take = (name: string, value: string | undefined): void => {
    if (value === undefined) return; // commander reports the missing value
    if (name === '-H' || name === '--host') (flags.host ??= []).push(value);
    else if (name === '--hosts') flags.hosts = value;
    else flags.parallel = value;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === '-H' || a === '--host' || a === '--hosts' || a === '--parallel') {
      if (i + 1 >= argv.length) {
        rest.push(a); // let commander say it lacks its value
        continue;
      }
      take(a, argv[++i]);
      continue;
    }
    const eq = /^(--host|--hosts|--parallel)=(.*)$/.exec(a);
    if (eq) {
      take(eq[1]!, eq[2]!);
      continue;
    }
    if (a.startsWith('-H') && a.length > 2 && !a.startsWith('--')) {
      take('-H', a.slice(2));
      continue;
    }
    rest.push(a);
    if (valueOptions.has(a) && i + 1 < argv.length) rest.push(argv[++i]!);
  }
  return { flags, rest };
}

/** The verb of an argv (its first word that is neither an option nor an option's value). */
export function verbOf(argv: string[], valueOptions: ReadonlySet<string>): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return argv[i + 1];
    if (!a.startsWith('-')) return a;
    if (valueOptions.has(a)) i++;
  }
  return undefined;
}
