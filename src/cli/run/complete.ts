/**
 * Completion candidates, as systemctl 252's own bash completion chooses them
 * (shell-completion/bash/systemctl.in), verb by verb from one table (VERB_GROUPS → GROUPS):
 * `start` offers inactive startable units, `restart`/`reload-or-restart` every startable unit
 * (failed ones too), `stop`/`try-restart`/`kill` active ones, `reload` active reloadable ones,
 * `enable` disabled unit files (and `foo@` for templates), `disable` enabled ones, `unmask`
 * masked ones, `reset-failed` failed ones, `cat`/`mask` every unit, `status`/`show` and the rest
 * every unit that is not a template. Checked verb by verb against the script itself
 * (test/e2e/newuser.test.ts).
 *
 * ListUnits and ListUnitFiles are sent together on one connection; where the script filters by
 * properties (`systemctl show -p Names,CanStart=yes …`), one LoadUnit + GetAll per candidate,
 * all pipelined on that connection.
 */
import { execFileSync } from 'node:child_process';
import { constants } from 'node:os';
import { Manager } from '../../core/manager.js';
import { unitObjectPath } from '../../core/names.js';
import { UnitObject } from '../../core/unit.js';
import type { UnitFileEntry, UnitStatus } from '../../core/types.js';
import type { CompletionRequest } from '../completion-request.js';
import { showUnit } from './unit-filter.js';

/** How long TAB may wait for the manager. */
const COMPLETION_TIMEOUT_MS = 3000;

/** Where candidate names come from: systemctl's completion helpers, as the listings they run. */
type Source =
  /** `list-unit-files "$cur*"`: every unit file (any state). */
  | 'files'
  /** `list-unit-files --state enabled,…,transient`: unit files not masked nor not-found, no templates. */
  | 'files-not-masked'
  /** `list-units --all "$cur*"`: every loaded unit. */
  | 'units-all'
  /** `list-units "$cur*"`: the units list-units shows by default (active, failed, with a job). */
  | 'units-listed'
  /** `list-units --state inactive,failed` with LOAD loaded. */
  | 'units-inactive-loaded';

/**
 * How a verb's candidates are chosen: names from `sources`; `templates` keeps `foo@.service`;
 * `filter`: `systemctl show -p Names,Prop=value…` — a unit is offered (with all its Names) when
 * one of the alternatives matches every property; `fileStates`: unit files in exactly these
 * states (`templateNames` adds `foo@` for each template file); `failed`: listed units that failed.
 */
type Rule =
  | { kind: 'units'; sources: Source[]; templates: boolean; filter?: Record<string, string>[] }
  | { kind: 'file-states'; states: string[]; templateNames: boolean }
  | { kind: 'failed' }
  | { kind: 'targets' }
  | { kind: 'words'; words: string[] }
  | { kind: 'unit-then-words'; words: string[] }
  | { kind: 'none' };

/** systemd's log levels and targets, as systemctl's completion offers them. */
const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'err', 'crit', 'alert', 'emerg'];
const LOG_TARGETS = ['console', 'journal', 'kmsg', 'journal-or-kmsg', 'null'];

/** systemctl 252's bash completion groups (its VERBS table), one rule each. */
const GROUPS = {
  ALL_UNITS: { kind: 'units', sources: ['files', 'units-all'], templates: true },
  NONTEMPLATE_UNITS: { kind: 'units', sources: ['files', 'units-all'], templates: false },
  ENABLED_UNITS: { kind: 'file-states', states: ['enabled'], templateNames: false },
  DISABLED_UNITS: { kind: 'file-states', states: ['disabled'], templateNames: true },
  REENABLABLE_UNITS: { kind: 'file-states', states: ['disabled', 'enabled'], templateNames: true },
  FAILED_UNITS: { kind: 'failed' },
  STARTABLE_UNITS: { kind: 'units', sources: ['files-not-masked', 'units-inactive-loaded'], templates: false, filter: [{ ActiveState: 'inactive', CanStart: 'yes' }] },
  STOPPABLE_UNITS: {
    kind: 'units',
    sources: ['files-not-masked', 'units-listed'],
    templates: false,
    filter: [
      { ActiveState: 'active', CanStop: 'yes' },
      { ActiveState: 'reloading', CanStop: 'yes' },
      { ActiveState: 'activating', CanStop: 'yes' },
    ],
  },
  ISOLATABLE_UNITS: { kind: 'units', sources: ['files', 'units-all'], templates: false, filter: [{ AllowIsolate: 'yes' }] },
  RELOADABLE_UNITS: { kind: 'units', sources: ['files-not-masked', 'units-listed'], templates: false, filter: [{ ActiveState: 'active', CanReload: 'yes' }] },
  // every startable unit, failed and inactive ones included (`restart bro<TAB>` → broken.service)
  RESTARTABLE_UNITS: { kind: 'units', sources: ['files-not-masked', 'units-listed'], templates: false, filter: [{ CanStart: 'yes' }] },
  MASKED_UNITS: { kind: 'file-states', states: ['masked'], templateNames: false },
  TARGETS: { kind: 'targets' },
  LOG_LEVEL: { kind: 'words', words: LOG_LEVELS },
  LOG_TARGET: { kind: 'words', words: LOG_TARGETS },
  SERVICE_WATCHDOGS: { kind: 'words', words: ['on', 'off'] },
  // a unit file first (`__get_all_unit_files`), then a level or target
  SERVICE_LOG_LEVEL: { kind: 'unit-then-words', words: LOG_LEVELS },
  SERVICE_LOG_TARGET: { kind: 'unit-then-words', words: LOG_TARGETS },
  STANDALONE: { kind: 'none' },
} satisfies Record<string, Rule>;
type Group = keyof typeof GROUPS;

/**
 * Each verb's group, as systemctl's completion script lists them; a new verb gets its candidates
 * from one entry here. Verbs not listed complete every unit that is not a template.
 */
export const VERB_GROUPS: Record<string, Group> = {
  cat: 'ALL_UNITS',
  mask: 'ALL_UNITS',
  'is-active': 'NONTEMPLATE_UNITS',
  'is-failed': 'NONTEMPLATE_UNITS',
  'is-enabled': 'NONTEMPLATE_UNITS',
  status: 'NONTEMPLATE_UNITS',
  show: 'NONTEMPLATE_UNITS',
  preset: 'NONTEMPLATE_UNITS',
  help: 'NONTEMPLATE_UNITS',
  'list-dependencies': 'NONTEMPLATE_UNITS',
  edit: 'NONTEMPLATE_UNITS',
  'set-property': 'NONTEMPLATE_UNITS',
  revert: 'NONTEMPLATE_UNITS',
  disable: 'ENABLED_UNITS',
  enable: 'DISABLED_UNITS',
  reenable: 'REENABLABLE_UNITS',
  'reset-failed': 'FAILED_UNITS',
  start: 'STARTABLE_UNITS',
  stop: 'STOPPABLE_UNITS',
  condstop: 'STOPPABLE_UNITS',
  kill: 'STOPPABLE_UNITS',
  'try-restart': 'STOPPABLE_UNITS',
  condrestart: 'STOPPABLE_UNITS',
  isolate: 'ISOLATABLE_UNITS',
  reload: 'RELOADABLE_UNITS',
  condreload: 'RELOADABLE_UNITS',
  'try-reload-or-restart': 'RELOADABLE_UNITS',
  'force-reload': 'RELOADABLE_UNITS',
  restart: 'RESTARTABLE_UNITS',
  'reload-or-restart': 'RESTARTABLE_UNITS',
  unmask: 'MASKED_UNITS',
  'set-default': 'TARGETS',
  'log-level': 'LOG_LEVEL',
  'log-target': 'LOG_TARGET',
  'service-watchdogs': 'SERVICE_WATCHDOGS',
  'service-log-level': 'SERVICE_LOG_LEVEL',
  'service-log-target': 'SERVICE_LOG_TARGET',
  // sysherd's own verbs, grouped as their systemctl kin
  freeze: 'STOPPABLE_UNITS',
  thaw: 'STOPPABLE_UNITS',
  clean: 'NONTEMPLATE_UNITS',
};

/** Verbs that take no unit names (systemctl's STANDALONE, and sysherd's own). */
const STANDALONE = [
  'daemon-reexec', 'daemon-reload', 'default', 'emergency', 'exit', 'halt', 'hibernate', 'hybrid-sleep', 'suspend-then-hibernate', 'kexec',
  'list-jobs', 'list-sockets', 'list-timers', 'list-units', 'list-unit-files', 'poweroff', 'reboot', 'rescue', 'show-environment', 'suspend',
  'get-default', 'is-system-running', 'preset-all', 'list-automounts', 'sandbox', 'demo', 'watch',
  'set-environment', 'unset-environment', 'import-environment',
];
for (const v of STANDALONE) VERB_GROUPS[v] ??= 'STANDALONE';

/** herd's actions on systemd's verbs; the rest (status, doc, log, graph, running?…) take any service. */
const HERD_GROUPS: Record<string, Group> = {
  start: 'STARTABLE_UNITS',
  stop: 'STOPPABLE_UNITS',
  restart: 'RESTARTABLE_UNITS',
  reload: 'RELOADABLE_UNITS',
  kill: 'STOPPABLE_UNITS',
  freeze: 'STOPPABLE_UNITS',
  thaw: 'STOPPABLE_UNITS',
  enable: 'DISABLED_UNITS',
  disable: 'ENABLED_UNITS',
  'reset-failed': 'FAILED_UNITS',
};

/** The rule of a verb (systemctl's group for it). */
export function ruleOf(verb: string): Rule {
  return GROUPS[VERB_GROUPS[verb] ?? 'NONTEMPLATE_UNITS'];
}

/** Unit files that can be started (not masked, not found, nor templates). */
const STARTABLE_FILE_STATES = new Set(['enabled', 'enabled-runtime', 'linked', 'linked-runtime', 'static', 'indirect', 'disabled', 'generated', 'transient']);

const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
/** systemctl's completion's test for a template: the name has `@.` (`[[ $a =~ @\. ]]`). */
const isTemplate = (name: string): boolean => name.includes('@.');

/** What a listing gives: loaded units (ListUnits) and unit files (ListUnitFiles). */
export interface Listing {
  units: UnitStatus[];
  files: UnitFileEntry[];
}

/** The names of a rule's sources, before any property filter. */
export function sourceNames(rule: Rule, l: Listing): string[] {
  const out = new Set<string>();
  const fileName = (f: UnitFileEntry): string => basename(f.path);
  switch (rule.kind) {
    case 'units':
      for (const src of rule.sources) {
        const fromFiles = src === 'files' || src === 'files-not-masked';
        for (const f of fromFiles ? l.files : []) if (src === 'files' || STARTABLE_FILE_STATES.has(f.state)) out.add(fileName(f));
        for (const u of fromFiles ? [] : l.units) {
          const take =
            src === 'units-all' ||
            (src === 'units-listed' && showUnit(u, { all: false, states: [], types: [] })) ||
            (src === 'units-inactive-loaded' && u.loadState === 'loaded' && (u.activeState === 'inactive' || u.activeState === 'failed'));
          if (take) out.add(u.name);
        }
      }
      return [...out].filter((n) => rule.templates || !isTemplate(n));
    case 'file-states':
      for (const f of l.files) {
        const name = fileName(f);
        if (rule.states.includes(f.state)) out.add(name);
        if (rule.templateNames && isTemplate(name)) out.add(`${name.slice(0, name.indexOf('@.'))}@`);
      }
      return [...out];
    case 'failed':
      for (const u of l.units) if (u.activeState === 'failed' && showUnit(u, { all: false, states: [], types: [] })) out.add(u.name);
      return [...out];
    case 'targets':
      for (const f of l.files) if (fileName(f).endsWith('.target')) out.add(fileName(f));
      return [...out];
    case 'words':
    case 'unit-then-words':
    case 'none':
      return [];
  }
}

/** `systemctl show -p Names,Prop=value…`'s test: does one alternative match every property? */
export function passesFilter(props: Record<string, unknown>, filter: Record<string, string>[]): boolean {
  const text = (v: unknown): string => (typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v));
  return filter.some((alt) => Object.entries(alt).every(([k, want]) => text(props[k]) === want));
}

/** Ask the manager what the rule needs: its listings sent together on one connection. */
async function fetchFor(rule: Rule, m: Manager): Promise<Listing> {
  if (rule.kind === 'none') return { units: [], files: [] };
  const needUnits = rule.kind === 'failed' || (rule.kind === 'units' && rule.sources.some((s) => s.startsWith('units')));
  const needFiles = rule.kind !== 'failed' && (rule.kind !== 'units' || rule.sources.some((s) => s.startsWith('files')));
  const [units, files] = await Promise.all([needUnits ? m.listUnits() : [], needFiles ? m.listUnitFiles() : []]);
  return { units, files };
}

/** The candidates of a rule that starts with `prefix`: with a filter, the Names of each unit that passes. */
async function candidatesFor(rule: Rule, m: Manager, prefix: string): Promise<string[]> {
  const names = sourceNames(rule, await fetchFor(rule, m)).filter((n) => n.startsWith(prefix));
  if (rule.kind !== 'units' || !rule.filter) return [...new Set(names)].sort();
  const filter = rule.filter;
  // one GetAll per unit (reading a unit's object loads it), all sent at once: the Bus keeps the
  // calls in flight under dbus-daemon's limit per connection
  const offered = await Promise.all(
    names.map(async (n) => {
      try {
        const props = await new UnitObject(m.bus, unitObjectPath(n), n).getAll('org.freedesktop.systemd1.Unit');
        return passesFilter(props, filter) ? ((props.Names as string[] | undefined) ?? [n]) : [];
      } catch {
        return []; // a name systemd cannot load: not offered
      }
    }),
  );
  return [...new Set(offered.flat())].filter((n) => n.startsWith(prefix)).sort();
}

/** Property names: systemd's own list (`systemd --dump-bus-properties`, as systemctl's completion). */
function propertyNames(): string[] {
  for (const bin of ['/usr/lib/systemd/systemd', '/lib/systemd/systemd']) {
    try {
      const out = execFileSync(bin, ['--dump-bus-properties'], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] });
      return [...new Set(out.split('\n').filter((l) => /^\w+$/.test(l)))].sort();
    } catch {
      /* not there: the next one */
    }
  }
  return [];
}

function signalNames(): string[] {
  return Object.keys(constants.signals).sort();
}

/** Candidates for the request, filtered by its prefix. */
export async function runComplete(req: CompletionRequest): Promise<string[]> {
  const { what, prefix } = req;
  if (what.kind === 'option') {
    if (what.option === '--property' || what.option === '-P') {
      // a comma-separated list: complete the last item
      const head = prefix.slice(0, prefix.lastIndexOf(',') + 1);
      const tail = prefix.slice(head.length);
      return propertyNames()
        .filter((p) => p.startsWith(tail))
        .map((p) => head + p);
    }
    if (what.option === '--signal') return signalNames().filter((s) => s.startsWith(prefix));
    return [];
  }
  if (req.remote) return [];
  let rule: Rule;
  let herd = false;
  if (what.verb === 'herd') {
    const [action, ...rest] = what.args;
    if (action === undefined) return [];
    if (rest.length > 0 && (action === 'doc' || action === 'kill' || action === 'clean')) return [];
    rule = GROUPS[HERD_GROUPS[action] ?? 'NONTEMPLATE_UNITS'];
    herd = true;
  } else {
    rule = ruleOf(what.verb);
  }
  if (rule.kind === 'unit-then-words') {
    if (what.args.length > 1) return [];
    rule = what.args.length === 0 ? { kind: 'units', sources: ['files'], templates: true } : { kind: 'words', words: rule.words };
  }
  if (rule.kind === 'words') return rule.words.filter((w) => w.startsWith(prefix));
  if (rule.kind === 'none') return [];
  const m = await Manager.connect({ bus: req.user ? 'user' : 'system', address: req.address, timeout: COMPLETION_TIMEOUT_MS });
  try {
    // herd names services without `.service`: `herd start we` matches `web.service`
    const names = await candidatesFor(rule, m, herd ? '' : prefix);
    if (!herd) return names;
    return names.map((n) => (n.endsWith('.service') ? n.slice(0, -'.service'.length) : n)).filter((n) => n.startsWith(prefix));
  } finally {
    m.close();
  }
}
