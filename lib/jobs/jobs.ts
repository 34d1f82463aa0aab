import "server-only";
import type { Db } from "@/lib/db/client";
import type { Prisma, TrainingJob } from "@/lib/db/generated/prisma/client";
import { AppError } from "@/lib/api/errors";
import { getEnv } from "@/lib/env/env";
import { audit } from "@/lib/audit/audit";
import { TRAINING_QUEUE, type TrainingMessage } from "@/lib/jobs/queue";
import type { TrainingParams } from "@/lib/jobs/params";
import type PgBoss from "pg-boss";

// Serialises "is a job queued or running? if not, create one" across processes.
const SINGLETON_LOCK = 72707370;

/**
 * Queues a retrain. One job at a time: while one is queued or running, the answer is 409 with its
 * id, so a double click cannot start two runs.
 */
export async function requestTrainingJob(
  db: Db,
  boss: Pick<PgBoss, "send">,
  actorId: number,
  params: TrainingParams,
): Promise<TrainingJob> {
  await sweepStaleJobs(db);
  const job = await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SINGLETON_LOCK})`;
    const busy = await tx.trainingJob.findFirst({ where: { status: { in: ["QUEUED", "RUNNING"] } } });
    if (busy) {
      throw new AppError("conflict", `Training job ${busy.id} is already ${busy.status.toLowerCase()}.`, { job_id: busy.id });
    }
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
      data: { params: params as Prisma.InputJsonValue, baseVersionId, createdById: actorId, log: logLine("queued") },
    });
    await audit(tx, { actorId, action: "training.request", targetType: "training_job", targetId: created.id, details: params });
    return created;
  });
  try {
    await boss.send(TRAINING_QUEUE, { jobId: job.id } satisfies TrainingMessage);
  } catch (err) {
    await finishJob(db, job.id, "FAILED", { error: `Could not queue the job: ${err instanceof Error ? err.message : String(err)}` });
    throw err;
  }
  return job;
}

/** Asks a job to stop. A queued job is cancelled at once; a running one stops within one batch. */
export async function requestCancel(db: Db, actorId: number, jobId: number): Promise<TrainingJob> {
  const now = new Date();
  const queued = await db.trainingJob.updateMany({
    where: { id: jobId, status: "QUEUED" },
    data: { status: "CANCELLED", cancelRequestedAt: now, finishedAt: now },
  });
  if (queued.count === 0) {
    const running = await db.trainingJob.updateMany({
      where: { id: jobId, status: "RUNNING", cancelRequestedAt: null },
      data: { cancelRequestedAt: now },
    });
    if (running.count === 0) {
      const job = await db.trainingJob.findUnique({ where: { id: jobId } });
      if (!job) throw new AppError("not_found", `No training job ${jobId}.`);
      if (job.status !== "RUNNING") {
        throw new AppError("conflict", `Training job ${jobId} is ${job.status.toLowerCase()}; there is nothing to cancel.`);
      }
    }
  }
  await appendLog(db, jobId, "cancel requested");
  await audit(db, { actorId, action: "training.cancel", targetType: "training_job", targetId: jobId });
  return db.trainingJob.findUniqueOrThrow({ where: { id: jobId } });
}

/**
 * Ends RUNNING jobs whose worker stopped writing (killed, crashed, lost its database) as FAILED
 * with the reason, so no job stays RUNNING forever. Run by readers and by every worker at start.
 */
export async function sweepStaleJobs(db: Db, now = new Date()): Promise<number> {
  // A RUNNING job whose worker has not written for this long is taken as dead.
  const cutoff = new Date(now.getTime() - getEnv().JOB_HEARTBEAT_TIMEOUT_SECONDS * 1000);
  const stale = await db.trainingJob.findMany({
    where: { status: "RUNNING", OR: [{ heartbeatAt: { lt: cutoff } }, { heartbeatAt: null, startedAt: { lt: cutoff } }] },
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

export async function finishJob(
  db: Db,
  jobId: number,
  status: "SUCCEEDED" | "FAILED" | "CANCELLED",
  data: { error?: string; candidateVersionId?: number; decision?: Prisma.InputJsonValue } = {},
) {
  await db.trainingJob.updateMany({
    where: { id: jobId, status: { in: ["QUEUED", "RUNNING"] } },
    data: { status, finishedAt: new Date(), ...data },
  });
  await appendLog(db, jobId, status === "FAILED" ? `failed: ${data.error ?? "unknown error"}` : status.toLowerCase());
}

export function logLine(message: string, at = new Date()): string {
  return `${at.toISOString()} ${message}\n`;
}

export async function appendLog(db: Pick<Db, "$executeRaw">, jobId: number, message: string): Promise<void> {
  await db.$executeRaw`UPDATE "TrainingJob" SET "log" = "log" || ${logLine(message)} WHERE "id" = ${jobId}`;
}

export function presentJob(j: TrainingJob & { baseVersion?: { version: number } | null; candidate?: { version: number; status: string } | null }) {
  return {
    id: j.id,
    status: j.status,
    params: j.params,
    base_version: j.baseVersion?.version ?? null,
    candidate_version: j.candidate ? { version: j.candidate.version, status: j.candidate.status, id: j.candidateVersionId } : null,
    snapshot_hash: j.snapshotHash,
    snapshot_size: j.snapshotSize,
    progress: j.progress,
    curves: j.curves,
    error: j.error,
    decision: j.decision,
    worker: j.workerId,
    created_at: j.createdAt.toISOString(),
    started_at: j.startedAt?.toISOString() ?? null,
    finished_at: j.finishedAt?.toISOString() ?? null,
    heartbeat_at: j.heartbeatAt?.toISOString() ?? null,
    cancel_requested_at: j.cancelRequestedAt?.toISOString() ?? null,
  };
}

export async function listJobs(db: Db, limit = 50) {
  await sweepStaleJobs(db);
  const jobs = await db.trainingJob.findMany({
    orderBy: { id: "desc" },
    take: limit,
    include: { baseVersion: { select: { version: true } }, candidate: { select: { version: true, status: true } } },
  });
  return jobs.map(presentJob);
}

export async function getJob(db: Db, jobId: number) {
  await sweepStaleJobs(db);
  const job = await db.trainingJob.findUnique({
    where: { id: jobId },
    include: { baseVersion: { select: { version: true } }, candidate: { select: { version: true, status: true } } },
  });
  if (!job) throw new AppError("not_found", `No training job ${jobId}.`);
  return { ...presentJob(job), log: job.log };
}
