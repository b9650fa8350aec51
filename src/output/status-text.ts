/**
 * `status` as text: systemctl 252's `print_status_info` (src/systemctl/systemctl-show.c) line by
 * line from a unit's record and the properties it was built from, and `show_system_status` for
 * the manager's overview. Colours and hyperlinks through the palette (color.ts); every string from
 * systemd escaped before it reaches a terminal. Pure: no bus, no files (a PID's command name comes
 * through `comm`).
 */
import { getSystemErrorMap } from 'node:util';

import type { UnitProcess } from '../core/types.js';
import { ASCII_TREE, UNICODE_TREE, renderCgroupTree } from './cgroup-tree.js';
import { ANSI, type Paint } from './color.js';
import { escapeTerminal } from './escape.js';
import { type JournalOutputMode, renderEntries } from './journal-format.js';
import {
  type Gathered,
  type SystemStatusRecord,
  type UnitStatusRecord,
  execList,
  exitText,
  isCleanExit,
  isSet,
  num,
  sinceOf,
  str,
} from './status-record.js';
import { calcNextElapse, dualNow, formatBytes, formatTimespan, formatTimestamp, formatTimestampRelative, nowMicros, timestampIsSet, toMicros, type TimestampStyle } from './time.js';

/** systemd's `unit_active_state_to_glyph`. */
export function stateGlyph(state: string, unicode: boolean): string {
  switch (state) {
    case 'active':
    case 'activating':
    case 'deactivating':
      return unicode ? '●' : '*';
    case 'reloading':
      return unicode ? '↻' : '<';
    case 'failed':
      return unicode ? '×' : 'x';
    case 'inactive':
    case 'maintenance':
      return unicode ? '○' : '*';
    default:
      return unicode ? '●' : '*';
  }
}

/** systemd's `show_preset_for_state`: not for alias, static, generated, transient unit files. */
function showPresetFor(state: string): boolean {
  return !['alias', 'static', 'generated', 'transient'].includes(state);
}

function when(v: unknown, now: bigint, style: TimestampStyle = 'pretty'): string {
  return `${formatTimestamp(v as number, style) ?? ''}; ${formatTimestampRelative(v as number, now) ?? ''}`;
}

export interface StatusTextOptions {
  /** `--timestamp=STYLE` for the since/Until/Trigger/Condition/Assert times (default pretty). */
  timestampStyle?: TimestampStyle;
  paint: Paint;
  unicode: boolean;
  /** 0: full width. */
  columns: number;
  fullWidth: boolean;
  showAll: boolean;
  output: JournalOutputMode;
  /** A running PID's command name (systemctl reads /proc only for the local machine), `null` when unknown. */
  comm: (pid: number) => string | null;
}

/** Render one unit as systemctl's `print_status_info`. Returns the text and whether a line was cut. */
export function renderUnitText(r: UnitStatusRecord, g: Gathered, o: StatusTextOptions): { text: string; ellipsized: boolean } {
  const { u, t } = g;
  const e = escapeTerminal;
  const nowDual = dualNow();
  const now = nowDual.realtime;
  const L: string[] = [];
  const tree = o.unicode ? UNICODE_TREE : ASCII_TREE;
  const p = o.paint;
  const activeOn = p.activeOn(r.activeState);
  const activeOff = p.off(activeOn);
  let head = `${activeOn}${stateGlyph(r.activeState, o.unicode)}${activeOff} ${e(r.unit)}`;
  if (r.description !== '' && r.description !== r.unit) head += ` - ${e(r.description)}`;
  L.push(head);
  if (r.following) L.push(`    Follows: unit currently follows state of ${e(r.following)}`);
  const path = r.sourcePath ?? r.fragmentPath;
  const loadOn = p.color && ['error', 'not-found', 'bad-setting'].includes(r.loadState) ? ANSI.red : '';
  const load = `${loadOn}${r.loadState}${p.off(loadOn)}`;
  const shownPath = path ? p.path(path, e(path)) : null;
  if (r.loadError && r.loadError.message !== '') L.push(`     Loaded: ${load} (Reason: ${e(r.loadError.message)})`);
  else if (shownPath && r.unitFileState) {
    const showPreset = r.unitFilePreset !== null && showPresetFor(r.unitFileState);
    const enableOn = p.enableOn(r.unitFileState);
    const presetOn = p.enableOn(r.unitFilePreset);
    // systemctl writes the preset's colour codes even when it does not show the preset
    const preset = `${showPreset ? '; preset: ' : ''}${presetOn}${showPreset ? r.unitFilePreset : ''}${p.off(presetOn)}`;
    L.push(`     Loaded: ${load} (${shownPath}; ${enableOn}${r.unitFileState}${p.off(enableOn)}${preset})`);
  } else if (shownPath) L.push(`     Loaded: ${load} (${shownPath})`);
  else L.push(`     Loaded: ${load}`);
  if (r.transient) L.push('  Transient: yes');
  if (r.dropIns.length > 0) {
    let dir: string | null = null;
    let last = false;
    let line = '';
    r.dropIns.forEach((d, i) => {
      if (dir === null || last) {
        line += dir !== null ? '             ' : '    Drop-In: ';
        dir = d.slice(0, Math.max(d.lastIndexOf('/'), 1));
        L.push(line + e(dir));
        line = `             ${tree.right}`;
      }
      const next = r.dropIns[i + 1];
      last = !(next !== undefined && next.startsWith(dir));
      line += p.path(d, e(d.slice(d.lastIndexOf('/') + 1))) + (last ? '' : ', ');
      if (last) {
        L.push(line);
        line = '';
      }
    });
  }
  let active =
    r.subState !== r.activeState ? `     Active: ${activeOn}${r.activeState} (${r.subState})${activeOff}` : `     Active: ${activeOn}${r.activeState}${activeOff}`;
  if (r.freezerState && r.freezerState !== 'running') active += ` ${p.color ? ANSI.yellow : ''}(${r.freezerState})${p.color ? ANSI.normal : ''}`;
  if (r.result && r.result !== 'success') active += ` (Result: ${r.result})`;
  const since = sinceOf(u);
  if (isSet(since)) {
    L.push(`${active} since ${when(since, now, o.timestampStyle)}`);
    const runtimeMax = num(t.RuntimeMaxUSec);
    if (r.activeState === 'active' && runtimeMax !== null) L.push(`      Until: ${when(since + runtimeMax, now, o.timestampStyle)}`);
    if (
      !r.unit.endsWith('.target') &&
      (r.activeState === 'inactive' || r.activeState === 'failed') &&
      isSet(u.ActiveEnterTimestamp) &&
      isSet(u.ActiveExitTimestamp) &&
      u.ActiveExitTimestamp >= u.ActiveEnterTimestamp
    ) {
      L.push(`   Duration: ${formatTimespan(u.ActiveExitTimestamp - u.ActiveEnterTimestamp, 1000)}`);
    }
  } else L.push(active);
  r.triggeredBy.forEach((tb, i) => {
    const on = p.activeOn(tb.activeState);
    L.push(`${i === 0 ? 'TriggeredBy:' : '            '} ${on}${stateGlyph(tb.activeState, o.unicode)}${p.off(on)} ${e(tb.unit)}`);
  });
  if (r.unit.endsWith('.timer')) {
    const next = calcNextElapse(nowDual, { realtime: toMicros(t.NextElapseUSecRealtime as number | null), monotonic: toMicros(t.NextElapseUSecMonotonic as number | null) });
    L.push(timestampIsSet(next) ? `    Trigger: ${when(Number(next), now, o.timestampStyle)}` : '    Trigger: n/a');
  }
  r.triggers.forEach((tr, i) => {
    const on = p.activeOn(tr.activeState);
    L.push(`${i === 0 ? '   Triggers:' : '            '} ${on}${o.unicode ? '●' : '*'}${p.off(on)} ${e(tr.unit)}`);
  });
  if (u.ConditionResult === false && isSet(u.ConditionTimestamp)) {
    L.push(`  Condition: start ${p.wrap(ANSI.yellow, 'condition failed')} at ${when(u.ConditionTimestamp, now, o.timestampStyle)}`);
    // systemctl prepends each condition to its list: they print in reverse
    const failed = (Array.isArray(u.Conditions) ? (u.Conditions as unknown[][]) : []).filter((c) => (c[4] as number) < 0).reverse();
    failed.forEach((c, i) => {
      const glyph = i + 1 < failed.length ? tree.branch : tree.right;
      L.push(`             ${glyph} ${c[0] as string}=${c[1] ? '|' : ''}${c[2] ? '!' : ''}${e(c[3] as string)} was not met`);
    });
  }
  if (u.AssertResult === false && isSet(u.AssertTimestamp)) {
    L.push(`     Assert: start ${p.wrap(ANSI.red, 'assertion failed')} at ${when(u.AssertTimestamp, now, o.timestampStyle)}`);
    let failed: unknown[] | undefined;
    for (const a of Array.isArray(u.Asserts) ? (u.Asserts as unknown[][]) : []) {
      if ((a[4] as number) < 0 && (!a[1] || failed === undefined)) failed = a;
    }
    if (failed?.[1]) L.push('             none of the trigger assertions were met');
    else if (failed) L.push(`             ${failed[0] as string}=${failed[2] ? '!' : ''}${e(failed[3] as string)} was not met`);
  }
  if (str(t.SysFSPath)) L.push(`     Device: ${e(t.SysFSPath as string)}`);
  if (str(t.Where)) L.push(`      Where: ${e(t.Where as string)}`);
  if (str(t.What)) L.push(`       What: ${e(t.What as string)}`);
  r.documentation.forEach((d, i) => L.push(`   ${(i === 0 ? 'Docs:' : '').padStart(9, ' ')} ${p.link(e(d), e(d))}`));
  const listen = Array.isArray(t.Listen) ? (t.Listen as unknown[][]) : [];
  listen.forEach((l, i) => L.push(`   ${(i === 0 ? 'Listen:' : '').padStart(9, ' ')} ${e(l[1] as string)} (${e(l[0] as string)})`));
  if (t.Accept === true) {
    let a = `   Accepted: ${num(t.NAccepted) ?? 0}; Connected: ${num(t.NConnections) ?? 0};`;
    if ((num(t.NRefused) ?? 0) > 0) a += `   Refused: ${t.NRefused as number}`;
    L.push(a);
  }
  let mainPid = num(t.ExecMainPID) ?? 0;
  let controlPid = num(t.ControlPID) ?? 0;
  const mainStart = num(t.ExecMainStartTimestamp) ?? 0;
  const mainExitTs = num(t.ExecMainExitTimestamp) ?? 0;
  for (const x of execList(t)) {
    if (x.code === 0) continue;
    const bad = p.color && !isCleanExit(x.code, x.status) ? (x.ignore ? ANSI.yellow : ANSI.red) : '';
    L.push(`    Process: ${x.pid} ${x.property}=${e(x.argv.join(' ') || 'n/a')} ${bad}(${exitText(x.code, x.status)})${p.off(bad)}`);
    if (mainPid === x.pid && mainStart === x.start && mainExitTs === x.start) mainPid = 0;
    if (x.pid === controlPid) controlPid = 0;
  }
  if (mainPid > 0 || controlPid > 0) {
    let line = '';
    if (mainPid > 0) {
      line += `   Main PID: ${mainPid}`;
      if (r.mainRunning) {
        const comm = o.comm(mainPid);
        if (comm !== null) line += ` (${e(comm)})`;
      } else {
        const code = num(t.ExecMainCode) ?? 0;
        if (code > 0) line += ` (${exitText(code, num(t.ExecMainStatus) ?? 0)})`;
      }
    }
    if (controlPid > 0) {
      line += mainPid > 0 ? '; Control PID: ' : '  Cntrl PID: ';
      line += String(controlPid);
      const comm = o.comm(controlPid);
      if (comm !== null) line += ` (${e(comm)})`;
    }
    L.push(line);
  }
  if (r.statusText) L.push(`     Status: "${e(r.statusText)}"`);
  if (r.statusErrno) L.push(`      Error: ${r.statusErrno} (${errnoText(r.statusErrno)})`);
  const res = r.resources;
  if (res.ipIngressBytes !== null && res.ipEgressBytes !== null) L.push(`         IP: ${formatBytes(res.ipIngressBytes)} in, ${formatBytes(res.ipEgressBytes)} out`);
  if (res.ioReadBytes !== null && res.ioWriteBytes !== null) L.push(`         IO: ${formatBytes(res.ioReadBytes)} read, ${formatBytes(res.ioWriteBytes)} written`);
  if (res.tasks !== null) L.push(`      Tasks: ${res.tasks}${res.tasksMax !== null ? ` (limit: ${res.tasksMax})` : ''}`);
  if (res.memory !== null) {
    let m = `     Memory: ${formatBytes(res.memory)}`;
    const parts: string[] = [];
    const prot = (v: number | null): string => (v === null ? 'infinity' : (formatBytes(v) ?? ''));
    if ((res.memoryMin ?? 0) !== 0) parts.push(`min: ${prot(res.memoryMin)}`);
    if ((res.memoryLow ?? 0) !== 0) parts.push(`low: ${prot(res.memoryLow)}`);
    if (res.memoryHigh !== null) parts.push(`high: ${formatBytes(res.memoryHigh)}`);
    if (res.memoryMax !== null) parts.push(`max: ${formatBytes(res.memoryMax)}`);
    if (res.memorySwapMax !== null) parts.push(`swap max: ${formatBytes(res.memorySwapMax)}`);
    if (num(t.MemoryLimit) !== null) parts.push(`limit: ${formatBytes(t.MemoryLimit as number)}`);
    if (res.memoryAvailable !== null) parts.push(`available: ${formatBytes(res.memoryAvailable)}`);
    if (parts.length > 0) m += ` (${parts.join(' ')})`;
    L.push(m);
  }
  if (res.cpuNsec !== null) L.push(`        CPU: ${formatTimespan(Math.floor(res.cpuNsec / 1000), 1000)}`);
  if (r.cgroup) {
    L.push(`     CGroup: ${e(r.cgroup)}`);
    const prefix = '             ';
    L.push(...renderCgroupTree(g.processes, r.cgroup, { prefix, columns: o.fullWidth ? 0 : Math.max(o.columns - prefix.length, 0), glyphs: tree, grey: p.color ? ANSI.grey : '' }));
  }
  let text = `${L.join('\n')}\n`;
  let ellipsized = false;
  if (g.entries !== null && g.entries.length > 0) {
    const j = renderEntries(g.entries, o.output, { fullWidth: o.fullWidth, showAll: o.showAll, columns: o.columns, color: p.color });
    text += `\n${j.text}`;
    ellipsized = j.ellipsized;
  }
  if (g.rotated) {
    if (g.entries === null || g.entries.length === 0) text += '\n';
    text += 'Notice: journal has been rotated since unit was started, output may be incomplete.\n';
  }
  return { text, ellipsized };
}

/** strerror(n), as systemd's `%m` (libuv's message, capitalised as glibc's). */
function errnoText(n: number): string {
  const found = getSystemErrorMap().get(-n);
  if (!found) return `Unknown error ${n}`;
  const msg = found[1];
  return msg.charAt(0).toUpperCase() + msg.slice(1);
}

/** The manager's overview as systemctl's `show_system_status`; `raw`: the Manager properties it was built from. */
export function renderSystemText(
  rec: SystemStatusRecord,
  raw: Record<string, unknown>,
  processesShown: boolean,
  o: Pick<StatusTextOptions, 'paint' | 'unicode' | 'columns' | 'fullWidth' | 'timestampStyle'>,
): string {
  const p = o.paint;
  const now = nowMicros();
  const on = !p.color ? '' : rec.state === 'degraded' ? ANSI.red : rec.state === 'running' ? ANSI.green : ANSI.yellow;
  const L = [
    `${on}${o.unicode ? '●' : '*'}${p.off(on)} ${escapeTerminal(rec.host)}`,
    `    State: ${on}${rec.state}${p.off(on)}`,
    `    Units: ${rec.units} loaded (incl. loaded aliases)`,
    `     Jobs: ${rec.jobs} queued`,
    `   Failed: ${rec.failedUnits} units`,
    `    Since: ${when(raw.UserspaceTimestamp, now, o.timestampStyle)}`,
    `  systemd: ${escapeTerminal(rec.version)}`,
  ];
  if (rec.tainted) L.push(`  Tainted: ${p.wrap(ANSI.yellow, escapeTerminal(rec.tainted))}`);
  L.push(`   CGroup: ${escapeTerminal(rec.cgroup)}`);
  const prefix = '           ';
  if (processesShown) {
    L.push(
      ...renderCgroupTree(rec.processes, typeof raw.ControlGroup === 'string' ? raw.ControlGroup : '', {
        prefix,
        columns: o.fullWidth ? 0 : Math.max(o.columns - prefix.length, 0),
        glyphs: o.unicode ? UNICODE_TREE : ASCII_TREE,
        grey: p.color ? ANSI.grey : '',
      }),
    );
  }
  return `${L.join('\n')}\n`;
}

/** A line as systemd's log_warning writes it: yellow on a terminal. */
export function warningLine(color: boolean, text: string): string {
  return color ? `${ANSI.yellow}${text}${ANSI.normal}\n` : `${text}\n`;
}
