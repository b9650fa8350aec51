/**
 * `enable --now` / `disable --now` / `mask --now`: after the unit files changed, start or stop the
 * units as systemctl 252 does (`start_unit` with "start" or "stop"): every job enqueued first, on
 * the same connection, then all awaited together; the first failure decides the exit.
 */
import type { JobMode } from '../../core/types.js';
import type { Manager } from '../../core/manager.js';
import type { Job } from '../../core/job.js';
import type { IO } from '../../output/io.js';

export interface NowOptions {
  json: boolean;
  jobMode?: string | undefined;
  /** `false` with `--no-block`: enqueue and return. */
  block: boolean;
}

export async function runNow(manager: Manager, action: 'start' | 'stop', units: string[], opts: NowOptions, _io: IO): Promise<void> {
  const mode = (opts.jobMode ?? 'replace') as JobMode;
  const jobs: Job[] = [];
  for (const u of units) jobs.push(action === 'start' ? await manager.startUnit(u, mode) : await manager.stopUnit(u, mode));
  if (!opts.block) return;
  const results = await Promise.allSettled(jobs.map((j) => j.awaitSignal()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
