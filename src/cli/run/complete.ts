/**
 * Completion candidates, as systemctl's own bash completion chooses them
 * (shell-completion/bash/systemctl.in): `start` offers units that are not active, `stop`,
 * `restart`, `reload` and friends active ones, `enable` disabled unit files, `disable` enabled
 * ones, `unmask` masked ones, `reset-failed` failed ones, `status`/`show` and the rest all units.
 *
 * One D-Bus round trip: one call (ListUnitsFiltered, ListUnitFilesByPatterns, ListUnits), or, for
 * the verbs whose candidates need both loaded units and unit files that are not loaded (`start`,
 * `status`, …), ListUnits and ListUnitFiles sent together on one connection and awaited together.
 */
import { execFileSync } from 'node:child_process';
import { constants } from 'node:os';
import { Manager } from '../../core/manager.js';
import type { UnitFileEntry, UnitStatus } from '../../core/types.js';
import type { CompletionRequest } from '../completion-request.js';

/** How long TAB may wait for the manager. */
const COMPLETION_TIMEOUT_MS = 3000;

type Rule =
  | { kind: 'startable' }
  | { kind: 'loaded'; states: string[] }
  | { kind: 'files'; states: string[] }
  | { kind: 'all'; templates: boolean; type?: string }
  | { kind: 'loaded-all' }
  | { kind: 'none' };

const ACTIVE: Rule = { kind: 'loaded', states: ['active', 'reloading', 'activating'] };
const ALL: Rule = { kind: 'all', templates: false };

/** systemctl's verb groups (its bash completion's VERBS table). */
const RULES: Record<string, Rule> = {
  start: { kind: 'startable' },
  stop: ACTIVE,
  condstop: ACTIVE,
  kill: ACTIVE,
  'try-restart': ACTIVE,
  condrestart: ACTIVE,
  restart: ACTIVE,
  'reload-or-restart': ACTIVE,
  reload: ACTIVE,
  condreload: ACTIVE,
  'try-reload-or-restart': ACTIVE,
  'force-reload': ACTIVE,
  freeze: ACTIVE,
  thaw: ACTIVE,
  enable: { kind: 'files', states: ['disabled'] },
  disable: { kind: 'files', states: ['enabled', 'enabled-runtime'] },
  reenable: { kind: 'files', states: ['enabled', 'enabled-runtime', 'disabled'] },
  unmask: { kind: 'files', states: ['masked', 'masked-runtime'] },
  mask: { kind: 'all', templates: true },
  cat: { kind: 'all', templates: true },
  'reset-failed': { kind: 'loaded', states: ['failed'] },
  isolate: { kind: 'all', templates: false, type: '.target' },
  'set-default': { kind: 'all', templates: false, type: '.target' },
  'list-units': { kind: 'loaded-all' },
  'list-unit-files': { kind: 'files', states: [] },
  'list-dependencies': ALL,
  // these take no unit names
  'list-jobs': { kind: 'none' },
  'daemon-reload': { kind: 'none' },
  'daemon-reexec': { kind: 'none' },
  'get-default': { kind: 'none' },
  'is-system-running': { kind: 'none' },
  'list-timers': { kind: 'none' },
  'list-sockets': { kind: 'none' },
  'show-environment': { kind: 'none' },
  'list-automounts': { kind: 'none' },
  'log-level': { kind: 'none' },
  'log-target': { kind: 'none' },
  'service-watchdogs': { kind: 'none' },
  'set-environment': { kind: 'none' },
  'unset-environment': { kind: 'none' },
  'import-environment': { kind: 'none' },
  sandbox: { kind: 'none' },
  demo: { kind: 'none' },
};

/** herd's actions on systemd's verbs; the rest (status, doc, log, graph, running?…) take any service. */
const HERD_RULES: Record<string, Rule> = {
  start: { kind: 'startable' },
  stop: ACTIVE,
  restart: ACTIVE,
  reload: ACTIVE,
  kill: ACTIVE,
  freeze: ACTIVE,
  thaw: ACTIVE,
  enable: { kind: 'files', states: ['disabled'] },
  disable: { kind: 'files', states: ['enabled', 'enabled-runtime'] },
  'reset-failed': { kind: 'loaded', states: ['failed'] },
};

/** Unit files that can be started (not masked, not found, nor templates). */
const STARTABLE_FILE_STATES = new Set(['enabled', 'enabled-runtime', 'linked', 'linked-runtime', 'static', 'indirect', 'disabled', 'generated', 'transient']);

const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
const isTemplate = (name: string): boolean => /@\.[^.]+$/.test(name);

/** The unit names a rule offers, sorted, without duplicates. */
export function candidates(rule: Rule, units: UnitStatus[], files: UnitFileEntry[]): string[] {
  const out = new Set<string>();
  switch (rule.kind) {
    case 'startable': {
      const loaded = new Map(units.map((u) => [u.name, u]));
      for (const u of units) if (u.loadState === 'loaded' && (u.activeState === 'inactive' || u.activeState === 'failed')) out.add(u.name);
      for (const f of files) {
        const name = basename(f.path);
        const u = loaded.get(name);
        if (STARTABLE_FILE_STATES.has(f.state) && (!u || (u.loadState === 'loaded' && (u.activeState === 'inactive' || u.activeState === 'failed')))) out.add(name);
      }
      break;
    }
    case 'loaded':
    case 'loaded-all':
      for (const u of units) out.add(u.name);
      break;
    case 'files':
      for (const f of files) out.add(basename(f.path));
      break;
    case 'all':
      for (const u of units) out.add(u.name);
      for (const f of files) out.add(basename(f.path));
      break;
    case 'none':
      break;
  }
  let names = [...out];
  if (rule.kind === 'startable' || (rule.kind === 'all' && !rule.templates)) names = names.filter((n) => !isTemplate(n));
  if (rule.kind === 'all' && rule.type) names = names.filter((n) => n.endsWith(rule.type!));
  return names.sort();
}

/** Ask the manager what the rule needs: one round trip. */
async function fetchFor(rule: Rule, m: Manager): Promise<{ units: UnitStatus[]; files: UnitFileEntry[] }> {
  switch (rule.kind) {
    case 'loaded':
      return { units: await m.listUnitsFiltered(rule.states), files: [] };
    case 'loaded-all':
      return { units: await m.listUnits(), files: [] };
    case 'files':
      return { units: [], files: rule.states.length ? await m.listUnitFilesByPatterns(rule.states, []) : await m.listUnitFiles() };
    case 'startable':
    case 'all': {
      // sent together, awaited together: one round trip
      const [units, files] = await Promise.all([m.listUnits(), m.listUnitFiles()]);
      return { units, files };
    }
    case 'none':
      return { units: [], files: [] };
  }
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
    rule = HERD_RULES[action] ?? ALL;
    herd = true;
  } else {
    rule = RULES[what.verb] ?? ALL;
  }
  if (rule.kind === 'none') return [];
  const m = await Manager.connect({ bus: req.user ? 'user' : 'system', address: req.address, timeout: COMPLETION_TIMEOUT_MS });
  try {
    const { units, files } = await fetchFor(rule, m);
    let names = candidates(rule, units, files);
    // herd names services without `.service`
    if (herd) names = names.map((n) => (n.endsWith('.service') ? n.slice(0, -'.service'.length) : n));
    return names.filter((n) => n.startsWith(prefix));
  } finally {
    m.close();
  }
}
