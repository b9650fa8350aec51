/**
 * herd's text output: `herd status` (overview), `herd status SERVICE`, `herd log`, `herd graph`.
 * Colours through `colors()` (chalk's bytes), which writes the text alone off a terminal.
 */
import type { Colors } from '../output/color.js';

import { escapeTerminal } from '../output/escape.js';
import type { HerdEvent } from './history.js';
import { formatRunningValue } from './service.js';
import type { ExitRecord, ServiceStatusRecord } from './status.js';
import { herdTime, isoLocal, logTime } from './time.js';

/** How an exit reads: `Process exited with code 3.`, `Process terminated with signal SIGTERM.` */
export function exitText(e: Pick<ExitRecord, 'code' | 'status' | 'signal'>): string {
  if (e.code === 'exited') return `Process exited with code ${e.status}.`;
  const sig = e.signal ?? String(e.status);
  return e.code === 'dumped' ? `Process terminated with signal ${sig} (core dumped).` : `Process terminated with signal ${sig}.`;
}

const esc = escapeTerminal;

/** `herd status SERVICE`'s block; `messages: false` for detailed-status. */
export function renderServiceStatus(r: ServiceStatusRecord, c: Colors, opts: { messages: boolean; now?: Date }): string {
  const now = opts.now ?? new Date();
  const t = (x: { usec: number } | null): string => (x ? herdTime(x.usec, now) : 'an unknown time');
  const dot = r.status === 'running' ? c.green('●') : r.enabled ? c.magenta('●') : c.red('●');
  const out: string[] = [`${dot} ${c.bold(`Status of ${esc(r.service)}:`)}`];
  const line = (s: string): void => {
    out.push(`  ${s}`);
  };
  switch (r.status) {
    case 'running':
      line(r.transient ? `It is transient, running since ${t(r.since)}.` : `It is running since ${t(r.since)}.`);
      break;
    case 'starting':
      line('It is starting.');
      break;
    case 'stopping':
      line('It is being stopped.');
      break;
    default:
      if (r.failing) line(c.red.bold('It is stopped (failing).'));
      else if (r.oneShot && (r.lastExit || r.statusChanges.at(-1)?.event === 'done')) line('It is stopped (one-shot).');
      else line(r.since ? `It is stopped since ${t(r.since)}.` : 'It is stopped.');
  }
  if (r.mainPid !== null) {
    line(`Main PID: ${r.mainPid}`);
    if (r.command) line(`Command: ${esc(r.command.join(' '))}`);
  } else if (Array.isArray(r.runningValue)) {
    line(`Listening on: ${esc(r.runningValue.join(', '))}`);
  } else if (r.runningValue !== false) {
    line(`Running value is ${formatRunningValue(r.runningValue)}.`);
  }
  if (r.status === 'stopped' && r.lastExit) line(exitText(r.lastExit));
  line(enabledLine(r));
  line(`Provides: ${esc(r.provides.join(' '))}`);
  line(`Requires: ${esc(r.requires.join(' '))}`);
  line(`Custom actions: ${r.customActions.join(' ')}`);
  if (r.replacement.pending) {
    line(c.yellow('Replacement pending (restart to upgrade).'));
    for (const ch of r.replacement.changes) line(`  ${esc(ch.setting)}: ${esc(ch.loaded === '' ? '(none)' : ch.loaded)} → ${esc(ch.onDisk === '' ? '(none)' : ch.onDisk)}`);
  }
  line(r.respawn ? 'Will be respawned.' : 'Will not be respawned.');
  if (r.lastRespawn) line(`Last respawned on ${t(r.lastRespawn)}.`);
  if (r.exitStatuses.length > 0 && (r.respawn || r.exitStatuses.length > 1 || r.nRestarts)) {
    line('Latest exits:');
    for (const e of r.exitStatuses) line(`  - ${isoLocal(e.usec)}  ${exitText(e)}`);
  }
  if (r.failedAt) line(c.red.bold(`Failed to start at ${t(r.failedAt)}.`));
  for (const f of r.logFiles) line(`Log file: ${esc(f)}`);
  if (r.statusChanges.length > 0) {
    line('Status changes:');
    for (const s of r.statusChanges) line(`  - ${isoLocal(s.usec)}  ${s.event === s.status ? s.status : `${s.status} (${s.event === 'done' ? 'one-shot' : s.event})`}`);
  }
  if (r.startupFailures.length > 0) {
    line('Startup failures:');
    for (const f of r.startupFailures) line(`  - ${isoLocal(f.usec)}`);
  }
  if (opts.messages && r.messages.length > 0) {
    out.push('', "Recent messages (use '-n' to view more or less):");
    for (const m of r.messages) line(`${isoLocal(m.usec)} ${esc(m.message)}`);
  }
  return `${out.join('\n')}\n`;
}

/** One entry of the overview. */
export interface OverviewEntry {
  service: string;
  unit: string;
  /** The unit file changed on disk (NeedDaemonReload): printed bold. */
  changedOnDisk: boolean;
}

/** The overview's sections, in herd's order. */
export interface Overview {
  started: OverviewEntry[];
  runningTimers: OverviewEntry[];
  starting: OverviewEntry[];
  stopped: OverviewEntry[];
  stopping: OverviewEntry[];
  oneShot: OverviewEntry[];
  failed: OverviewEntry[];
}

export const OVERVIEW_SECTIONS: { key: keyof Overview; heading: string; bullet: string }[] = [
  { key: 'started', heading: 'Started:', bullet: '+' },
  { key: 'runningTimers', heading: 'Running timers:', bullet: '+' },
  { key: 'starting', heading: 'Starting:', bullet: '^' },
  { key: 'stopped', heading: 'Stopped:', bullet: '-' },
  { key: 'stopping', heading: 'Stopping:', bullet: 'v' },
  { key: 'oneShot', heading: 'One-shot:', bullet: '*' },
  { key: 'failed', heading: 'Failed to start:', bullet: '!' },
];

export function renderOverview(o: Overview, c: Colors): string {
  let s = '';
  for (const sec of OVERVIEW_SECTIONS) {
    const entries = o[sec.key];
    if (entries.length === 0) continue;
    s += `${sec.key === 'failed' ? c.red.bold(sec.heading) : c.bold(sec.heading)}\n`;
    for (const e of entries) s += ` ${sec.bullet} ${e.changedOnDisk ? c.bold(esc(e.service)) : esc(e.service)}\n`;
  }
  return s;
}

/** herd's words for an event of the log. */
export function eventText(service: string, e: HerdEvent): string {
  switch (e) {
    case 'starting':
      return `service ${service} is being started`;
    case 'running':
      return `service ${service} is running`;
    case 'stopping':
      return `service ${service} is being stopped`;
    case 'stopped':
    case 'crashed':
      return `service ${service} is stopped`;
    case 'failed':
      return `service ${service} failed to start`;
    case 'done':
      return `service ${service} is done (one-shot)`;
  }
}

export interface LogRecord {
  time: string;
  usec: number;
  service: string;
  unit: string;
  event: HerdEvent;
  status: 'stopped' | 'starting' | 'running' | 'stopping';
}

export function renderLog(records: LogRecord[], c: Colors): string {
  let s = '';
  for (const r of records) {
    const text = eventText(esc(r.service), r.event);
    const coloured = r.event === 'running' ? c.green(text) : r.event === 'failed' ? c.red.bold(text) : r.event === 'stopped' || r.event === 'crashed' ? c.magenta(text) : text;
    s += `${logTime(r.usec)}\t${coloured}\n`;
  }
  return s;
}

export interface GraphNode {
  service: string;
  unit: string;
  status: 'stopped' | 'starting' | 'running' | 'stopping';
  shape: 'box' | 'circle' | 'diamond';
  color: string;
}
export interface GraphEdge {
  from: string;
  to: string;
  kind: 'Requires' | 'Wants' | 'BindsTo';
}

/** A Graphviz string literal. */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

export function renderGraph(nodes: GraphNode[], edges: GraphEdge[]): string {
  let s = 'digraph "Service Graph" {\n';
  for (const n of nodes) s += `  ${dotString(n.service)} [shape = ${n.shape}, color = ${n.color}];\n`;
  for (const e of edges) s += `  ${dotString(e.from)} -> ${dotString(e.to)};\n`;
  return `${s}}\n`;
}

/**
 * herd's "It is enabled." / "It is disabled.", and for the unit-file states herd has no word for
 * (static, masked, indirect, generated, transient, linked, alias) the same sentence with systemd's
 * word: "It is static." — a static unit is not disabled, it has no [Install] section to enable.
 */
export function enabledLine(r: { enabled: boolean; unitFileState: string }): string {
  if (r.enabled) return 'It is enabled.';
  const state = r.unitFileState.replace(/-runtime$/, '');
  if (state === '' || state === 'disabled' || state === 'bad') return 'It is disabled.';
  return `It is ${escapeTerminal(state)}.`;
}
