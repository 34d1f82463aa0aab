import "server-only";
import type { Db } from "@/lib/db/client";
import type { TrainingJob } from "@/lib/db/generated/prisma/client";
import { AppError } from "@/lib/errors/app-error";
import { audit } from "@/lib/audit/audit";
import { appendLog } from "@/lib/jobs/job-log";

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
        throw new AppError(
          "conflict",
          `Training job ${jobId} is ${job.status.toLowerCase()}; there is nothing to cancel.`,
        );
      }
    }
  }
  await appendLog(db, jobId, "cancel requested");
  await audit(db, { actorId, action: "training.cancel", targetType: "training_job", targetId: jobId });
  return db.trainingJob.findUniqueOrThrow({ where: { id: jobId } });
}
