import "server-only";
import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { presentJob } from "@/lib/jobs/present";
import { sweepStaleJobs } from "@/lib/jobs/sweep-stale-jobs";

export async function getJob(db: Db, jobId: number) {
  await sweepStaleJobs(db);
  const job = await db.trainingJob.findUnique({
    where: { id: jobId },
    include: { baseVersion: { select: { version: true } }, candidate: { select: { version: true, status: true } } },
  });
  if (!job) throw new AppError("not_found", `No training job ${jobId}.`);
  return { ...presentJob(job), log: job.log };
}
