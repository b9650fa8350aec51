/**
 * sysherd as a library: talk to systemd over D-Bus.
 *
 *     import { listUnits, restartUnit, withConnection } from 'sysherd';
 *     const failed = await listUnits({ states: ['failed'] });
 *     await restartUnit('nginx.service');               // waits for the job
 *     await withConnection({ bus: 'user' }, async (m) => (await m.getUnit('x.service')).state());
 *
 * Every failure is a `SystemdError` (see `errors`), with `isPermission`, `isNoSuchUnit` and the
 * `exitCode` systemctl would use.
 */
export * from './core/api.js';
export { Bus, DEFAULT_TIMEOUT_MS, ALLOW_INTERACTIVE_AUTHORIZATION, variant, type ConnectOptions, type CallSpec, type BusSignal } from './core/bus.js';
/** A D-Bus variant: what `raw` calls return for each `v`, and what a call body sends as one (`variant('s', 'debug')`). */
export { Variant } from './core/variant.js';
export type { BusKind } from './core/address.js';
export * from './core/errors.js';
export { Job, isJobSuccess, explainJobResult } from './core/job.js';
export { Manager, UNIT_ACTIONS, unitAction, type UnitAction, type UnitActionVerb, type UnitActionMethod } from './core/manager.js';
export type { ReexecuteEnd } from './core/manager.js';
export { signalFromString, signalToString, signalName, parseSignal, safeAtoi, safeAtou32, SIGRTMIN, SIGRTMAX, type IntParse } from './core/kill-signal.js';
export { isValidUnitName, mangleUnitName, unitObjectPath, escapePath, escapeString, UNIT_TYPES, type UnitType } from './core/names.js';
export { ManagerSubscription, Signal, type ManagerEvents, type ManagerEventName } from './core/signal.js';
export * from './core/types.js';
export { UnitObject, type UnitProperties, type ServiceProperties, type ExecCommand, type UnitInterface } from './core/unit.js';
export {
  readJournal,
  streamJournal,
  journalArgs,
  unitMatchTerms,
  userUnitMatchTerms,
  toEntry as journalEntryFromJson,
  spawnRunner as journalSpawnRunner,
  JournalUnavailableError,
  COREDUMP_MESSAGE_ID,
  type JournalEntry,
  type JournalQuery,
  type JournalValue,
  type JournalProcess,
  type JournalRunner,
  type JournalRunOptions,
} from './core/journal.js';
export { expandUnitNames, mangleUnitNames, globShowsUnit, startGlobWarning, type ExpandOptions, type ExpandResult } from './core/expand.js';
export {
  runTransaction,
  needDaemonReload,
  serviceResultOf,
  activeTriggeringUnits,
  isFailedResult,
  type RequestedJob,
  type AuxiliaryJob,
  type TransactionReport,
  type TransactionHooks,
  type TransactionOptions,
} from './core/transaction.js';
export { jobFailureLines, shellMaybeQuote } from './core/job.js';
export { openPolkitAgent, wantPolkitAgent, PKTTYAGENT, type PolkitAgent, type PolkitAgentConditions } from './core/polkit-agent.js';
/** GNU Shepherd's procedures on systemd (start-service, stop-service, service-status, …). */
export * as herd from './herd/index.js';
export { readPresets, queryPreset, parsePresets, presetFiles, fnmatch, PRESET_DIRS, NO_PRESET_STATES, type PresetRule, type PresetScope } from './core/presets.js';
/** Remote hosts and fleets: `-H` over ssh + systemd-stdio-bridge, one operation on many hosts. */
export { onHosts, mapBounded, errorInfo as fleetErrorInfo, DEFAULT_PARALLEL, type FleetResult, type FleetSuccess, type FleetFailure, type FleetErrorInfo, type FleetOptions } from './core/fleet.js';
export { parseHost, formatHost, type RemoteHost } from './core/address.js';
export { sshArgv, remoteCommandArgv, shellQuote, runRemote, sshJournalRunner, openBridge, bridgeCommand, DEFAULT_CONNECT_TIMEOUT_MS, type SshOptions, type RemoteResult } from './core/transport.js';
/** systemd's time and size formatting (`Sun 2026-11-22 03:14:48 UTC`, `3min 2s ago`, `1min 30s`, `1.2M`). */
export { formatTimestamp, formatTimestampRelative, formatTimespan, formatBytes, type TimestampStyle } from './output/time.js';
// the system's state (poweroff, reboot, suspend…, exit) and containers (-M): see the manual's "System state and containers"
export { SYSTEM_ACTIONS, systemAction, Logind, LOGIN1, logindStopErrno, parseExitCode, type SystemAction, type LogindAction, type Inhibitor } from './core/power.js';
export { machineTarget, ChildStream, STDIO_BRIDGE } from './core/transport.js';
export type { ManagerEndMethod } from './core/manager.js';
