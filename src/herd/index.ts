/**
 * The Shepherd view as a library (`import { herd } from 'sysherd'`): the seed's procedures over
 * a `Manager`.
 *
 *     await withConnection({}, async (m) => {
 *       const r = await herd.startService(m, 'alpha', 'alpha.service', { background: false, mode: 'replace' });
 *       const s = await herd.snapshot(m, 'alpha.service');
 *       return [r.started, herd.statusSymbol(s.props.ActiveState), herd.runningValue(s)];
 *     });
 */
export { startService, stopService, herdTransaction, actionsOf, NoSuchActionError, StartFailedError, type StartRecord, type StopRecord, type TransactionResult } from './actions.js';
export { MESSAGE_IDS, foldHistory, eventStatus, readManagerMessages, readRecentMessages, type HerdEvent, type UnitHistory, type UnitEvent, type ExitStatus, type JournalSource } from './history.js';
export { serviceName, unitOf } from './names.js';
export {
  snapshot,
  statusSymbol,
  runningValue,
  isEnabled,
  isOneShot,
  willRespawn,
  pendingChanges,
  logFiles,
  ServiceNotFoundError,
  type Snapshot,
  type StatusSymbol,
  type RunningValue,
  type PendingChange,
} from './service.js';
export { buildStatus, histories, historyFromProperties, type ServiceStatusRecord, type StatusChange, type ExitRecord } from './status.js';
export { herdTime, logTime, isoUsec, jsonTime, type JsonTime } from './time.js';
