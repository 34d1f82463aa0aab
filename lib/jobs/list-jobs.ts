import "server-only";
import type { Db } from "@/lib/db/client";
import { presentJob } from "@/lib/jobs/present";
import { sweepStaleJobs } from "@/lib/jobs/sweep-stale-jobs";

export async function listJobs(db: Db, limit = 50) {
  await sweepStaleJobs(db);
  const jobs = await db.trainingJob.findMany({
    orderBy: { id: "desc" },
    take: limit,
    include: { baseVersion: { select: { version: true } }, candidate: { select: { version: true, status: true } } },
  });
  return jobs.map(presentJob);
}
