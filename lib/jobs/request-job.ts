import "server-only";
import type { Db } from "@/lib/db/client";
import type { Prisma, TrainingJob } from "@/lib/db/generated/prisma/client";
import { AppError } from "@/lib/errors/app-error";
import { ADVISORY_LOCKS } from "@/lib/db/advisory-locks";
import { audit } from "@/lib/audit/audit";
import { sendAndWake, TRAINING_QUEUE, type TrainingMessage } from "@/lib/jobs/queue";
import { finishJob } from "@/lib/jobs/finish-job";
import { logLine } from "@/lib/jobs/job-log";
import { sweepStaleJobs } from "@/lib/jobs/sweep-stale-jobs";
import type PgBoss from "pg-boss";

// Serialises "is a job queued or running? if not, create one" across processes.
const SINGLETON_LOCK = ADVISORY_LOCKS.trainingRequest;

/**
 * A job's parameters as validated by the caller against worker/params.ts (the schema and its
 * defaults belong to the worker). Only the base version is read here; the rest is stored for the run.
 */
export type RequestedParams = { base_version?: number } & Prisma.InputJsonObject;

/**
 * Queues a retrain. One job at a time: while one is queued or running, the answer is 409 with its
 * id, so a double click cannot start two runs. `preflight` may refuse the job before it is created.
 */
export async function requestTrainingJob(
  db: Db,
  boss: Pick<PgBoss, "send" | "getDb">,
  actorId: number,
  params: RequestedParams,
  opts: { preflight?: () => Promise<unknown> } = {},
): Promise<TrainingJob> {
  await sweepStaleJobs(db);
  // A busy queue answers 409 before the pre-flight, which reads every verdict: that runs outside the
  // transaction below, whose lock and interactive-transaction timeout are for the few queries that
  // must not race. The busy check is repeated under the lock.
  await refuseIfBusy(db);
  await opts.preflight?.();
  const job = await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SINGLETON_LOCK})`;
    await refuseIfBusy(tx);
    let baseVersionId: number | null = null;
    if (params.base_version !== undefined) {
      const base = await tx.modelVersion.findUnique({ where: { version: params.base_version } });
      if (!base || base.status === "FAILED") {
        throw new AppError("unprocessable", `Model version ${params.base_version} does not exist or failed.`);
      }
      baseVersionId = base.id;
    } else {
      const active = await tx.modelVersion.findFirst({ where: { status: "ACTIVE" } });
      if (!active) throw new AppError("model_unavailable", "There is no active model to fine-tune.");
      baseVersionId = active.id;
    }
    const created = await tx.trainingJob.create({
      data: { params, baseVersionId, createdById: actorId, log: logLine("queued") },
    });
    await audit(tx, {
      actorId,
      action: "training.request",
      targetType: "training_job",
      targetId: created.id,
      details: params,
    });
    return created;
  });
  try {
    await sendAndWake(boss, TRAINING_QUEUE, { jobId: job.id } satisfies TrainingMessage);
  } catch (err) {
    await finishJob(db, job.id, "FAILED", {
      error: `Could not queue the job: ${err instanceof Error ? err.message : String(err)}`,
    });
    throw err;
  }
  return job;
}

async function refuseIfBusy(db: Pick<Db, "trainingJob">) {
  const busy = await db.trainingJob.findFirst({ where: { status: { in: ["QUEUED", "RUNNING"] } } });
  if (busy) {
    throw new AppError("conflict", `Training job ${busy.id} is already ${busy.status.toLowerCase()}.`, {
      job_id: busy.id,
    });
  }
}
