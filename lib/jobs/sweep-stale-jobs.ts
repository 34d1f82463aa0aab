import "server-only";
import type { Db } from "@/lib/db/client";
import { getEnv } from "@/lib/env/env";
import { appendLog } from "@/lib/jobs/job-log";

/**
 * Ends RUNNING jobs whose worker stopped writing (killed, crashed, lost its database) as FAILED
 * with the reason, so no job stays RUNNING forever. Run by readers and by every worker at start.
 */
export async function sweepStaleJobs(db: Db, now = new Date()): Promise<number> {
  // A RUNNING job whose worker has not written for this long is taken as dead.
  const cutoff = new Date(now.getTime() - getEnv().JOB_HEARTBEAT_TIMEOUT_SECONDS * 1000);
  const stale = await db.trainingJob.findMany({
    where: {
      status: "RUNNING",
      OR: [{ heartbeatAt: { lt: cutoff } }, { heartbeatAt: null, startedAt: { lt: cutoff } }],
    },
    select: { id: true, heartbeatAt: true, workerId: true },
  });
  for (const job of stale) {
    const reason =
      `The worker${job.workerId ? ` ${job.workerId}` : ""} stopped responding` +
      (job.heartbeatAt ? ` (last heartbeat ${job.heartbeatAt.toISOString()})` : "") +
      "; the job was ended. The active model is unchanged.";
    await db.trainingJob.updateMany({
      where: { id: job.id, status: "RUNNING" },
      data: { status: "FAILED", error: reason, finishedAt: now },
    });
    await appendLog(db, job.id, `failed: ${reason}`);
  }
  return stale.length;
}
