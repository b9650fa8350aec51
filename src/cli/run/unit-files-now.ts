/**
 * `enable --now` / `disable --now` / `mask --now`: after the unit files changed and the manager
 * reloaded, start or stop the units as systemctl 252 does (its `start_unit` with "start" or
 * "stop" on the same names): the lifecycle verbs' own code, so the job lines, warnings, spinner
 * and exit code are theirs. With `--json` the transaction report goes into the unit-file verb's
 * document instead of a second one.
 */
import { withConnection } from '../../core/api.js';
import { runTransaction } from '../../core/transaction.js';
import type { JobMode } from '../../core/types.js';
import type { IO } from '../../output/io.js';
import { lifecycleJson, runLifecycle, type LifecycleJson, type LifecycleOptions } from './lifecycle.js';

/** What the lifecycle verbs need, less the verb and the units. */
export type NowOptions = Omit<LifecycleOptions, 'verb' | 'jobType' | 'stop' | 'args'>;

/** Start or stop `units`; with `json` return the transaction's document (the exit code is set on `io`). */
export async function runNow(action: 'start' | 'stop', units: string[], o: NowOptions, io: IO): Promise<LifecycleJson | null> {
  if (o.json) {
    const report = await withConnection(o.connect, (m) => runTransaction(m, units, action, { mode: o.mode as JobMode, wait: o.block }));
    if (report.exitCode !== 0) io.exitCode = report.exitCode;
    return lifecycleJson(action, report);
  }
  await runLifecycle({ ...o, verb: action, jobType: action, stop: action === 'stop', args: units }, io);
  return null;
}
