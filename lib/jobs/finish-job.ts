import "server-only";
import type { Db } from "@/lib/db/client";
import type { Prisma } from "@/lib/db/generated/prisma/client";
import { appendLog } from "@/lib/jobs/job-log";

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
