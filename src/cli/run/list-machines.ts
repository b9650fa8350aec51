/**
 * `list-machines` (systemctl 252's systemctl-list-machines.c): the host, then every local
 * container systemd-machined registered (/run/systemd/machines, class `container`), each with its
 * manager's SystemState, NFailedUnits and NJobs (a container's through `systemd-stdio-bridge -M`).
 * Where no machined runs, that is the host alone, as systemctl. `--json`: an array of
 * `{ name, host, state, failedUnits, jobs }`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { Bus, type ConnectOptions } from '../../core/bus.js';
import { fnmatch } from '../../core/presets.js';
import { MANAGER_IFACE, MANAGER_PATH } from '../../core/signal.js';
import { colors, headerStyle } from '../../output/color.js';
import type { IO } from '../../output/io.js';
import { writeJson } from '../../output/json.js';
import { renderTable } from '../../output/table.js';

export interface ListMachinesOptions {
  patterns: string[];
  legend: boolean;
  plain: boolean;
  json: 'pretty' | 'short' | null;
  connect: ConnectOptions;
}

export interface MachineInfo {
  name: string;
  host: boolean;
  /** The manager's SystemState, null when it could not be read. */
  state: string | null;
  failedUnits: number;
  jobs: number;
}

/** Where systemd-machined writes one file per machine (sd_get_machine_names). */
export const MACHINES_DIR = '/run/systemd/machines';

/** The containers machined registered (sd_get_machine_names, then class `container`). */
export function localContainers(dir = MACHINES_DIR): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => !n.startsWith('.') && !n.startsWith('unit:'));
  } catch {
    return [];
  }
  return names.filter((n) => {
    try {
      return /^CLASS=container$/m.test(fs.readFileSync(`${dir}/${n}`, 'utf8'));
    } catch {
      return false;
    }
  });
}

/** SystemState, NFailedUnits, NJobs of the manager on `bus` (bus_map_all_properties). */
async function managerState(bus: Bus): Promise<Pick<MachineInfo, 'state' | 'failedUnits' | 'jobs'>> {
  const [all] = await bus.call({
    path: MANAGER_PATH,
    interface: 'org.freedesktop.DBus.Properties',
    member: 'GetAll',
    signature: 's',
    body: [MANAGER_IFACE],
  });
  const props = all as Record<string, unknown>;
  return {
    state: typeof props.SystemState === 'string' ? props.SystemState : null,
    failedUnits: Number(props.NFailedUnits ?? 0),
    jobs: Number(props.NJobs ?? 0),
  };
}

async function machineInfo(name: string, host: boolean, connect: ConnectOptions): Promise<MachineInfo> {
  const info: MachineInfo = { name, host, state: null, failedUnits: 0, jobs: 0 };
  let bus: Bus | undefined;
  try {
    bus = await Bus.connect(host ? connect : { bus: 'system', machine: name, ...(connect.timeout === undefined ? {} : { timeout: connect.timeout }) });
    Object.assign(info, await managerState(bus));
  } catch {
    /* as systemctl: what cannot be read is shown as n/a */
  } finally {
    bus?.close();
  }
  return info;
}

/** The machines, host first, then by name without regard to case (compare_machine_info). */
export async function listMachines(patterns: string[], connect: ConnectOptions): Promise<MachineInfo[]> {
  const show = (n: string): boolean => patterns.length === 0 || patterns.some((p) => fnmatch(p, n));
  const out: MachineInfo[] = [];
  const hostname = os.hostname();
  // the host's bus must answer, as systemctl's acquire_bus: its failure is the verb's
  const hostBus = await Bus.connect(connect);
  try {
    if (show(hostname)) {
      const info: MachineInfo = { name: hostname, host: true, state: null, failedUnits: 0, jobs: 0 };
      try {
        Object.assign(info, await managerState(hostBus));
      } catch {
        /* n/a */
      }
      out.push(info);
    }
  } finally {
    hostBus.close();
  }
  const containers = localContainers().filter(show);
  out.push(...(await Promise.all(containers.map((n) => machineInfo(n, false, connect)))));
  return out.sort((a, b) => (a.host !== b.host ? (a.host ? -1 : 1) : a.name.toLowerCase().localeCompare(b.name.toLowerCase())));
}

export async function runListMachines(o: ListMachinesOptions, io: IO): Promise<void> {
  const machines = await listMachines(o.patterns, o.connect);
  if (o.json) {
    writeJson(io, machines, o.json);
    return;
  }
  const c = colors(io.color);
  const circle = io.unicode ? '●' : '*';
  const flagged = (m: MachineInfo): boolean => m.state !== 'running';
  const stateStyle = (t: string, m: MachineInfo): string => (m.state === 'degraded' ? c.red.bold(t) : flagged(m) ? c.yellow.bold(t) : t);
  const columns = [
    // systemd's table gives the empty glyph column a width of 1 even with no rows
    ...(o.plain ? [] : [{ header: ' ', cell: (m: MachineInfo) => (flagged(m) ? circle : ' '), style: stateStyle }]),
    { header: 'NAME', cell: (m: MachineInfo) => (m.host ? `${m.name} (host)` : m.name) },
    { header: 'STATE', cell: (m: MachineInfo) => m.state ?? 'n/a', style: stateStyle },
    { header: 'FAILED', cell: (m: MachineInfo) => String(m.failedUnits), style: (t: string, m: MachineInfo) => (m.failedUnits > 0 ? c.red.bold(t) : t) },
    { header: 'JOBS', cell: (m: MachineInfo) => String(m.jobs) },
  ];
  let text = renderTable(machines, columns, { header: o.legend, columns: undefined, headerStyle: headerStyle(io.color) });
  if (o.legend) {
    text += '\n';
    if (machines.some((m) => m.state === null) && (process.geteuid?.() ?? 0) !== 0) text += 'Notice: some information only available to privileged users was not shown.\n';
    text += `${machines.length} machines listed.\n`;
  }
  io.out.write(text);
}
