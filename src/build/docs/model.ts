/**
 * The command tree as data, read from the commander program itself (`buildProgram`), so the
 * completions and the man page are generated from what the program really accepts and can
 * never lag it: a verb another file registers tomorrow is in the next build's completions.
 */
import { verbOptions } from '../../cli/verb-options.js';
import type { Command, Option } from 'commander';
import { UNIT_TYPES } from '../../core/names.ts';
import { allUnitStates } from '../../core/states.ts';
import { TIMESTAMP_STYLES } from '../../output/time.ts';
import { buildProgram } from '../../cli/main.ts';
import { memoryIO } from '../../output/io.ts';

/** How the value of an option or a positional argument is completed. */
export type ValueKind =
  | { kind: 'none' }
  | { kind: 'words'; words: string[] }
  /** asked of `sysherd __complete` at TAB time (unit names, properties, signals). */
  | { kind: 'live' }
  | { kind: 'dirs' }
  | { kind: 'files' }
  | { kind: 'hosts' }
  | { kind: 'commands' }
  /** the program's own verbs (`sysherd help VERB`). */
  | { kind: 'verbs' };

export interface OptionModel {
  short?: string;
  long?: string;
  /** the value's name (`<types>` → `TYPES`), undefined for a flag. */
  valueName?: string;
  optionalValue: boolean;
  description: string;
  value: ValueKind;
}

export interface ArgModel {
  name: string;
  required: boolean;
  variadic: boolean;
  description: string;
  value: ValueKind;
}

export interface CommandModel {
  /** the words from the program to this command (`['sandbox', 'start']`); `[]` for the program. */
  path: string[];
  name: string;
  aliases: string[];
  description: string;
  usage: string;
  options: OptionModel[];
  args: ArgModel[];
  commands: CommandModel[];
  /** the "Examples:" lines of its `--help` (commands only). */
  examples: string[];
  /** the "Actions:" lines of its `--help` (herd's actions), if any. */
  actions: string[];
  /** the global options the verb reads (src/cli/verb-options.ts), as `-T, --show-transaction`. */
  reads: string[];
}

/** Values known when the program is built. */
export const JSON_VALUES = ['pretty', 'short', 'off'];
export const STATE_VALUES = [...allUnitStates(), 'help'];
export const TYPE_VALUES = [...UNIT_TYPES, 'help'];

function optionValue(o: Option): ValueKind {
  if (o.argChoices && o.argChoices.length > 0) return { kind: 'words', words: [...o.argChoices] };
  switch (o.long) {
    case '--state':
      return { kind: 'words', words: STATE_VALUES };
    case '--type':
      return { kind: 'words', words: TYPE_VALUES };
    case '--timestamp':
      return { kind: 'words', words: [...TIMESTAMP_STYLES, 'help'] };
    case '--property':
    case '--signal':
      return { kind: 'live' };
    case undefined:
      return o.short === '-P' ? { kind: 'live' } : { kind: 'none' };
    case '--host':
      return { kind: 'hosts' };
    case '--hosts':
      return { kind: 'files' };
    default:
      return { kind: 'none' };
  }
}

function argValue(cmd: Command, name: string, choices: readonly string[] | undefined): ValueKind {
  if (choices && choices.length > 0) return { kind: 'words', words: [...choices] };
  if (cmd.name() === 'help' && /^command/.test(name)) return { kind: 'verbs' }; // commander's own `help [command]`
  if (/dir|hostpath/i.test(name)) return { kind: 'dirs' };
  if (/^(command|cmd|program)/i.test(name)) return { kind: 'commands' };
  if (/file|path/i.test(name)) return { kind: 'files' };
  if (/unit|pattern|service|name|action|target|job|propert|signal/i.test(name)) return { kind: 'live' };
  return { kind: 'none' };
}

/** The `Examples:` block that `.addHelpText('after', …)` appends to a command's help. */
export function helpExamples(cmd: Command): string[] {
  return helpBlock(cmd, 'Examples?');
}

/** The indented lines under `TITLE:` in the text appended to a command's help. */
export function helpBlock(cmd: Command, title: string): string[] {
  let text = '';
  const write = (s: string): void => {
    text += s;
  };
  // commander keeps help text as listeners of its help events (Command is an EventEmitter)
  const emit = (c: Command, event: string): boolean => (c as unknown as NodeJS.EventEmitter).emit(event, { error: false, command: cmd, write });
  emit(cmd, 'afterHelp');
  for (let p: Command | null = cmd; p; p = p.parent) emit(p, 'afterAllHelp');
  const m = new RegExp(`(?:^|\\n)${title}:\\n((?:[ \\t]+\\S.*(?:\\n|$))+)`).exec(text);
  if (!m) return [];
  return m[1]!
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

function modelOf(cmd: Command, path: string[]): CommandModel {
  const help = cmd.createHelp();
  const options: OptionModel[] = help.visibleOptions(cmd).map((o) => {
    const valueName = o.required || o.optional ? /[<[]([^>\]]+)[>\]]/.exec(o.flags)?.[1] : undefined;
    const m: OptionModel = {
      optionalValue: o.optional,
      description: o.description,
      value: valueName ? optionValue(o) : { kind: 'none' },
    };
    if (o.short) m.short = o.short;
    if (o.long) m.long = o.long;
    if (valueName) m.valueName = valueName.replace(/\.\.\.$/, '');
    return m;
  });
  // systemctl's --json=MODE: a flag that takes its mode after '=' (see context.ts normalizeArgv)
  const json = options.find((o) => o.long === '--json');
  if (json) json.value = { kind: 'words', words: JSON_VALUES };
  const args: ArgModel[] = help.visibleArguments(cmd).map((a) => ({
    name: a.name(),
    required: a.required,
    variadic: a.variadic,
    description: a.description,
    value: argValue(cmd, a.name(), a.argChoices),
  }));
  // visibleArguments lists only described arguments: take the rest from the command itself
  for (const a of cmd.registeredArguments) {
    if (!args.some((x) => x.name === a.name())) {
      args.push({ name: a.name(), required: a.required, variadic: a.variadic, description: a.description, value: argValue(cmd, a.name(), a.argChoices) });
    }
  }
  // `herd ACTION [SERVICE…]`: the actions are listed in its help (an "Actions:" block)
  const actions = helpBlock(cmd, 'Actions');
  if (actions.length > 0 && args.length === 1 && args[0]!.variadic) {
    const words = [...new Set(actions.flatMap((l) => l.split(/\s{2,}/)[0]!.replace(/\[[^\]]*\]/g, '').split(/\s*\|\s*/).map((w) => w.split(/\s+/)[0]!)))].filter((w) => /^[a-z][\w?-]*$/.test(w));
    args.splice(0, 1, { name: 'action', required: false, variadic: false, description: 'the action', value: { kind: 'words', words } }, { name: 'service', required: false, variadic: true, description: 'services and arguments', value: { kind: 'live' } });
  }
  const commands = help.visibleCommands(cmd).map((c) => modelOf(c, [...path, c.name()]));
  return {
    path,
    name: cmd.name(),
    aliases: cmd.aliases(),
    description: cmd.description(),
    usage: cmd.usage(),
    options,
    args,
    commands,
    examples: path.length > 0 ? helpExamples(cmd) : [],
    actions,
    reads: path.length === 1 && cmd.parent ? verbOptions(cmd.parent, cmd.name()).map((o) => o.flags.replace(/ <.*$/, '')) : [],
  };
}

/** The program's tree; `program` defaults to the real one. */
export function programModel(program: Command = buildProgram(memoryIO())): CommandModel {
  const root = modelOf(program, []);
  // `help [command]` completes its siblings: the verbs of the command it is under
  const fill = (parent: CommandModel): void => {
    for (const c of parent.commands) {
      for (const a of c.args) if (a.value.kind === 'verbs') a.value = { kind: 'words', words: parent.commands.filter((s) => s !== c).map((s) => s.name) };
      fill(c);
    }
  };
  fill(root);
  return root;
}

/** Every command below the program, depth first. */
export function allCommands(m: CommandModel): CommandModel[] {
  return m.commands.flatMap((c) => [c, ...allCommands(c)]);
}

/** Every option's spellings (`-t`, `--type`) anywhere in the tree. */
export function allOptionNames(m: CommandModel): string[] {
  const out = new Set<string>();
  for (const c of [m, ...allCommands(m)]) for (const o of c.options) for (const n of [o.short, o.long]) if (n) out.add(n);
  return [...out];
}
