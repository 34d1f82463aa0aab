import "server-only";
import type { Db } from "@/lib/db/client";
import { getEnv } from "@/lib/env/env";

/**
 * Ends RUNNING analyses whose worker stopped writing (killed, crashed) as FAILED with the reason,
 * so no video stays running forever. Run by readers and by every worker at start.
 */
export async function sweepStaleVideos(db: Db, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - getEnv().JOB_HEARTBEAT_TIMEOUT_SECONDS * 1000);
  const { count } = await db.video.updateMany({
    where: { status: "RUNNING", heartbeatAt: { lt: cutoff } },
    data: {
      status: "FAILED",
      error: "The worker analysing this video stopped responding; upload the video again.",
      finishedAt: now,
    },
  });
  return count;
}
