/**
 * Which global options each verb reads. Every option is accepted anywhere on the line (as with
 * systemctl), so commander cannot tell a verb's options from the rest: this table does, for
 * `sysherd VERB --help` ("Options it reads:") and the man page (src/build/docs). The connection
 * options (--user, --system, -H, --hosts, --parallel, --address, --timeout) apply to every verb
 * that talks to a manager and are listed once, in `sysherd --help`.
 *
 * A new verb gets its line in its help from one entry here.
 */
import type { Command, Help, Option } from 'commander';

/** Options of the lifecycle verbs (start, stop, restart, …). */
const LIFECYCLE = ['--no-block', '--show-transaction', '--job-mode', '--quiet', '--json', '--no-ask-password', '--all', '--state', '--type'];
/** Options of the unit-file verbs (enable, disable, mask, …). */
const UNIT_FILES = ['--now', '--runtime', '--force', '--quiet', '--json', '--no-block', '--job-mode', '--no-ask-password'];
/** Options of the timer and socket lists. */
const LISTS = ['--all', '--state', '--full', '--no-legend', '--no-pager', '--json', '--output'];
/** Options of the yes/no queries. */
const QUERIES = ['--quiet', '--json', '--all', '--state', '--type'];

export const VERB_OPTIONS: Record<string, string[]> = {
  'list-units': ['--all', '--type', '--state', '--full', '--plain', '--no-legend', '--quiet', '--no-pager', '--json', '--output'],
  start: LIFECYCLE,
  stop: LIFECYCLE,
  reload: LIFECYCLE,
  restart: LIFECYCLE,
  'try-restart': LIFECYCLE,
  'reload-or-restart': LIFECYCLE,
  'try-reload-or-restart': LIFECYCLE,
  condstop: LIFECYCLE,
  condrestart: LIFECYCLE,
  'reload-or-try-restart': LIFECYCLE,
  condreload: LIFECYCLE,
  'force-reload': LIFECYCLE,
  'list-jobs': ['--after', '--before', '--full', '--no-legend', '--no-pager', '--json'],
  cancel: ['--json', '--no-ask-password'],
  kill: ['--signal', '--kill-whom', '--quiet', '--json', '--no-ask-password'],
  'reset-failed': ['--quiet', '--json', '--no-ask-password'],
  'daemon-reload': ['--quiet', '--json', '--no-ask-password'],
  'daemon-reexec': ['--quiet', '--json', '--no-ask-password'],
  enable: UNIT_FILES,
  disable: UNIT_FILES,
  reenable: UNIT_FILES,
  mask: UNIT_FILES,
  unmask: UNIT_FILES,
  'list-unit-files': ['--type', '--state', '--full', '--no-legend', '--quiet', '--no-pager', '--json', '--output'],
  'is-active': QUERIES,
  'is-failed': QUERIES,
  'is-enabled': ['--quiet', '--json', '--full'],
  'is-system-running': ['--quiet', '--json'],
  status: ['--lines', '--output', '--full', '--all', '--state', '--type', '--quiet', '--no-pager', '--json'],
  show: ['--property', '-P', '--value', '--all', '--type', '--quiet', '--no-pager', '--json'],
  cat: ['--quiet', '--no-pager'],
  help: ['--quiet', '--json'],
  'show-environment': ['--no-pager', '--json'],
  'list-dependencies': ['--reverse', '--after', '--before', '--all', '--full', '--plain', '--no-legend', '--state', '--no-pager', '--json'],
  'list-timers': LISTS,
  'list-sockets': LISTS,
  herd: ['--lines', '--log-history', '--type', '--all', '--background', '--job-mode', '--signal', '--kill-whom', '--runtime', '--force', '--quiet', '--no-pager', '--json'],
  watch: ['--type', '--json'],
};

/** The options a verb reads, as the program spells them (short and long), in the table's order. */
export function verbOptions(program: Command, verb: string): Option[] {
  const names = VERB_OPTIONS[verb] ?? [];
  const out: Option[] = [];
  for (const n of names) {
    const o = program.options.find((x) => x.long === n || x.short === n || (n === '--no-legend' && x.long === '--no-legend'));
    if (o && !out.includes(o)) out.push(o);
  }
  return out;
}

/** The "Options it reads:" block of a verb's help, formatted as commander formats options. */
function readsBlock(program: Command, cmd: Command, helper: Help): string {
  const opts = verbOptions(program, cmd.name());
  if (opts.length === 0) return '';
  const width = Math.max(...opts.map((o) => helper.optionTerm(o).length));
  const lines = opts.map((o) => `  ${helper.optionTerm(o).padEnd(width)}  ${helper.optionDescription(o)}`);
  return `\nOptions it reads (anywhere on the line; the connection options are in 'sysherd --help'):\n${lines.join('\n')}\n`;
}

/**
 * Wire the table into the help: each verb's `--help` lists the options it reads (before its
 * examples), and `sysherd --help` lists the verbs first, the global options after.
 */
export function addVerbOptionHelp(program: Command): void {
  for (const cmd of program.commands) {
    if (!VERB_OPTIONS[cmd.name()]) continue;
    // before the examples, which were added as 'afterHelp' text when the verb was registered
    (cmd as unknown as NodeJS.EventEmitter).prependListener('afterHelp', (context: { write: (s: string) => void }) => {
      context.write(readsBlock(program, cmd, cmd.createHelp()));
    });
  }
  const base = program.createHelp();
  program.configureHelp({
    formatHelp: (cmd, helper) => {
      const text = base.formatHelp(cmd, helper);
      if (cmd !== program) return text;
      // commander puts Options before Commands: a person looks for the verbs first
      const opt = text.indexOf('\nOptions:\n');
      const com = text.indexOf('\nCommands:\n');
      if (opt < 0 || com < opt) return text;
      return text.slice(0, opt) + text.slice(com).replace(/\n*$/, '\n') + text.slice(opt, com).replace(/\n*$/, '\n');
    },
  });
}
