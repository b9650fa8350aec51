/**
 * `reload-or-restart --marked`, as systemctl 252's `enqueue_marked_jobs`: one
 * `EnqueueMarkedJobs()` call (systemd queues a try-restart for each unit marked `needs-restart`,
 * a try-reload for `needs-reload`, and clears the markers), then, unless `wait: false`, every
 * one of those jobs is awaited as `runTransaction` awaits its own. The report has the shape of
 * `runTransaction`'s, one requested job per queued job.
 *
 *     const report = await runMarkedJobs(manager);
 *     report.units.map((u) => `${u.unit} ${u.jobType} ${u.result}`); // ['a.service restart done']
 */
import { SystemdError } from './errors.js';
import type { Manager } from './manager.js';
import { isFailedResult, requestedJob, serviceResultOf, type TransactionHooks, type TransactionReport } from './transaction.js';
import type { JobResult, JobType } from './types.js';

const JOB_IFACE = 'org.freedesktop.systemd1.Job';

/** The unit and type of a queued job (`null`s when it has ended already). */
async function jobInfo(manager: Manager, path: string): Promise<{ unit: string | null; jobType: JobType | null }> {
  try {
    const [props] = await manager.bus.call({ path, interface: 'org.freedesktop.DBus.Properties', member: 'GetAll', signature: 's', body: [JOB_IFACE] });
    const p = (props ?? {}) as { Unit?: [string, string]; JobType?: string };
    return { unit: p.Unit?.[0] ?? null, jobType: (p.JobType as JobType | undefined) ?? null };
  } catch (e) {
    if (e instanceof SystemdError) return { unit: null, jobType: null };
    throw e;
  }
}

/**
 * Queue the marked units' jobs and (unless `wait: false`) await them. Throws a `SystemdError`
 * "Failed to start jobs: …" (systemctl's words) when the manager refuses.
 */
export async function runMarkedJobs(
  manager: Manager,
  opts: { wait?: boolean; hooks?: Pick<TransactionHooks, 'onWaiting' | 'onJobRemoved'> } = {},
): Promise<TransactionReport> {
  const wait = opts.wait ?? true;
  const report: TransactionReport = { jobType: 'reload-or-restart', mode: 'fail', waited: wait, units: [], auxiliary: [], exitCode: 0 };
  const sub = await manager.subscribe(); // before the call: a job may end before its reply
  try {
    let paths: string[];
    try {
      paths = await manager.enqueueMarkedJobs();
    } catch (e) {
      if (e instanceof SystemdError) e.message = `Failed to start jobs: ${e.message}`;
      throw e;
    }
    // every job's properties asked for at once (one round trip, not one per job)
    const infos = await Promise.all(paths.map((jobPath) => jobInfo(manager, jobPath)));
    for (const [i, jobPath] of paths.entries()) {
      const info = infos[i]!;
      report.units.push({
        ...requestedJob(info.unit ?? ''),
        unitId: info.unit,
        jobId: Number(jobPath.slice(jobPath.lastIndexOf('/') + 1)),
        jobPath,
        jobType: info.jobType,
      });
    }
    if (!wait) return report;
    opts.hooks?.onWaiting?.(report.units.length, report.units.length);
    const started = performance.now();
    let done = 0;
    for (const job of report.units) {
      const removed = await sub.awaitJobRemoved(job.jobPath!);
      job.result = removed.result as JobResult;
      job.unit = removed.unit;
      job.unitId = removed.unit;
      job.ms = Math.round(performance.now() - started);
      if (removed.result === 'failed') job.serviceResult = await serviceResultOf(manager, removed.unit);
      opts.hooks?.onJobRemoved?.(job, ++done, report.units.length);
    }
    if (report.units.some((u) => isFailedResult(u.result))) report.exitCode = 1;
    return report;
  } finally {
    await sub.unsubscribe().catch(() => undefined);
  }
}
