/**
 * A line gets only the global options it names (src/cli/global-options.ts): the verb must see
 * the same options object, the same arguments and the same error either way. Every line here is
 * parsed twice, by the program start-up builds for it and by one with every global option, with
 * each verb's action replaced by one that records what it was given.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Command } from 'commander';

import { normalizeArgv } from '../../../src/cli/context.ts';
import { VALUE_OPTIONS, withDefaultVerb } from '../../../src/cli/early-ssh.ts';
import { verbOf } from '../../../src/cli/fleet.ts';
import { flagNames, GLOBAL_OPTIONS, globalOptionsFor } from '../../../src/cli/global-options.ts';
import { buildProgram, REGISTRAR_VERBS } from '../../../src/cli/main.ts';
import { memoryIO } from '../../../src/output/io.ts';

interface Parsed {
  verb?: string;
  opts?: Record<string, unknown>;
  args?: string[];
  error?: string;
  stdout: string;
  stderr: string;
}

/** Replace every action (verbs and their subverbs) with one that records what it got. */
function record(c: Command, into: { got?: { verb: string; opts: Record<string, unknown>; args: string[] } }): void {
  for (const sub of c.commands) {
    sub.action((...a: unknown[]) => {
      const cmd = a[a.length - 1] as Command;
      into.got = { verb: cmd.name(), opts: cmd.optsWithGlobals(), args: [...cmd.args] };
    });
    record(sub, into);
  }
}

/** Parse `argv` as main.ts's parseLine does, with only the line's options (`lineOnly`) or all. */
async function parse(argv: string[], lineOnly: boolean): Promise<Parsed> {
  const io = memoryIO();
  let line: string[];
  try {
    line = withDefaultVerb(normalizeArgv(argv));
  } catch (e) {
    return { error: String(e), stdout: '', stderr: '' };
  }
  const verb = verbOf(line, VALUE_OPTIONS);
  const program = lineOnly ? buildProgram(io, verb, line) : buildProgram(io, verb);
  const into: Parameters<typeof record>[1] = {};
  record(program, into);
  try {
    await program.parseAsync(line, { from: 'user' });
  } catch (e) {
    return { error: `${(e as { code?: string }).code ?? ''} ${e instanceof Error ? e.message : String(e)}`, stdout: io.stdout(), stderr: io.stderr() };
  }
  return { verb: into.got?.verb, opts: into.got?.opts, args: into.got?.args, stdout: io.stdout(), stderr: io.stderr() };
}

async function same(argv: string[]): Promise<Parsed> {
  const all = await parse(argv, false);
  const some = await parse(argv, true);
  assert.deepEqual(some, all, `sysherd ${argv.join(' ')}`);
  return all;
}

/** A value each value-taking option accepts (its parser or choices would refuse most words). */
const VALUES: Record<string, string> = {
  '--json-mode': 'short',
  '--output': 'json',
  '--type': 'service',
  '--state': 'failed',
  '--property': 'Id',
  '--lines': '3',
  '--job-mode': 'fail',
  '--signal': 'SIGKILL',
  '--kill-whom': 'main',
  '--preset-mode': 'enable-only',
  '--host': 'somewhere',
  '--what': 'cache',
  '--timestamp': 'utc',
  '--check-inhibitors': 'yes',
  '--boot-loader-menu': '5s',
  '--parallel': '2',
};
const valueFor = (flags: string): string => VALUES[flagNames(flags).find((f) => f.startsWith('--')) ?? ''] ?? 'x';

/** Each option spelled every way the line may spell it. */
function spellings(): string[][] {
  const out: string[][] = [];
  for (const [flags] of GLOBAL_OPTIONS) {
    const names = flagNames(flags);
    const valued = flags.includes('<');
    for (const n of names) {
      if (!valued) out.push([n]);
      else {
        const v = valueFor(flags);
        out.push([n, v]);
        out.push(n.startsWith('--') ? [`${n}=${v}`] : [`${n}${v}`]);
      }
    }
  }
  return out;
}

const VERBS = [...new Set([...REGISTRAR_VERBS.values()].flat())];

test('every global option, in every spelling, before and after each verb: the same options, arguments and errors', async () => {
  const verbs = ['is-active', 'list-units', 'status', 'show', 'kill', 'restart', 'enable', 'list-timers', 'herd', 'poweroff'];
  for (const sp of spellings()) {
    for (const verb of verbs) {
      const args = verb === 'herd' ? ['status', 'a'] : ['a.service'];
      await same([...sp, verb, ...args]);
      await same([verb, ...args, ...sp]);
    }
  }
});

test('lines as people type them: clusters, attached values, repeats, --, typos, help, no verb', async () => {
  const lines = [
    [],
    ['--all'],
    ['--user', 'is-active', 'nginx'],
    ['is-active', 'nginx', '--user', '-q'],
    ['-qa', 'list-units'],
    ['-aq', 'list-units', '--no-legend', '--no-pager'],
    ['-tservice', 'list-units'],
    ['-t', 'service,socket', 'list-units', '--state', 'running', '--state=failed'],
    ['-tloaded,socket', 'list-units'],
    ['-p', 'Id', '-pNames', 'show', 'a.service'],
    ['-P', 'Id', 'show'],
    ['-n5', 'status', 'a'],
    ['-lo', 'json', 'list-units'],
    ['-ojson', 'list-units'],
    ['--json=pretty', 'list-units'],
    ['--json=off', 'list-units'],
    ['--json=bogus', 'list-units'],
    ['--legend=no', 'list-units'],
    ['--failed', 'list-units'],
    ['--kill-who=main', 'kill', 'a'],
    ['-H', 'a', '-H', 'b', 'list-units'],
    ['--message', 'one', '--message=two', 'poweroff', '--dry-run'],
    ['--al', 'list-units'],
    ['list-units', '--stat', 'failed'],
    ['-X', 'list-units'],
    ['-qX', 'list-units'],
    ['list-units', '--', '--all'],
    ['is-active', '--', '-weird.service'],
    ['is-active', '-'],
    ['--user', '--system', 'is-active', 'a'],
    ['--no-block', '--wait', 'restart', 'a'],
    ['--wait', 'stop', 'a'],
    ['--marked', 'reload-or-restart'],
    ['--timestamp', 'help', 'show'],
    ['-s', 'help', 'kill'],
    ['-s', 'NOPE', 'list-jobs'],
    ['--what=help', 'clean', 'a'],
    ['--job-mode', 'nope', 'start', 'a'],
    ['--version'],
    ['is-active', '--version'],
    ['sandbox', 'start', '--timeout-boot', '5', '/tmp/x'],
    ['sandbox'],
    ['herd', 'status', 'a', '-n', '2'],
    ['herd', 'bogus'],
    ['restrat', 'a'],
    ['--ask-password', 'start', 'a'],
    ['--no-ask-password', 'start', 'a'],
    ['--no-reload', '--no-wall', '--no-legend', 'enable', 'a'],
    ['--output', 'short-iso', 'status', 'a'],
    ['--output', 'nope', 'status', 'a'],
    ['--parallel', '3', '--hosts', '/nonexistent', 'list-units'],
  ];
  for (const l of lines) await same(l);
});

test('random lines over every verb and option (seeded): the same options, arguments and errors', async () => {
  let seed = 0x5eed;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const sp = spellings();
  for (let i = 0; i < 400; i++) {
    const verb = VERBS[rand(VERBS.length)]!;
    const words: string[][] = [[verb], ['a.service']];
    for (let k = rand(5); k > 0; k--) words.splice(rand(words.length + 1), 0, sp[rand(sp.length)]!);
    await same(words.flat());
  }
});

test('globalOptionsFor reads words as commander does, and wants all options for a word it does not know', () => {
  const names = (s: Set<unknown> | undefined): string[] | undefined =>
    s === undefined ? undefined : GLOBAL_OPTIONS.filter((o) => s.has(o)).map((o) => flagNames(o[0]).join('|'));
  const always = names(globalOptionsFor([]))!;
  // the negatable ones and their positive twins, always: their absence is a default
  assert.deepEqual(always, ['--ask-password', '--no-ask-password', '--no-legend', '--no-pager', '--no-block', '--no-reload', '--no-wall']);
  const extra = (line: string[]): string[] | undefined => names(globalOptionsFor(line))?.filter((n) => !always.includes(n));
  assert.deepEqual(extra(['-qa', 'list-units']), ['-a|--all', '-q|--quiet']);
  // an attached value is not read as options: -tservice is -t with "service"
  assert.deepEqual(extra(['-tservice', 'list-units']), ['-t|--type']);
  assert.deepEqual(extra(['-t', '-q', 'list-units']), ['-t|--type']); // -q is -t's value here
  assert.deepEqual(extra(['--type=-q', 'list-units']), ['-t|--type']);
  assert.deepEqual(extra(['--user', 'is-active', '--', '-q']), ['--user']);
  assert.equal(extra(['--al', 'list-units']), undefined);
  assert.equal(extra(['-qX', 'list-units']), undefined);
  assert.equal(extra(['sandbox', 'start', '--timeout-boot', '5']), undefined);
});
