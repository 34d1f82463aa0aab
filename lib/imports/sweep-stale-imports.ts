import "server-only";
import type { Db } from "@/lib/db/client";
import { getEnv } from "@/lib/env/env";

/**
 * Imports left RUNNING by a worker that stopped writing (killed, crashed, lost its database) go
 * back to QUEUED, and their ids are returned for the queue: the next worker resumes each after the
 * last file it counted. Run by every import worker at start and then periodically.
 */
export async function requeueStaleImports(db: Db, now = new Date()): Promise<number[]> {
  const cutoff = new Date(now.getTime() - getEnv().JOB_HEARTBEAT_TIMEOUT_SECONDS * 1000);
  const rows = await db.$queryRaw<{ id: number }[]>`
    UPDATE "Import" SET "status" = 'QUEUED', "workerId" = NULL
    WHERE "status" = 'RUNNING' AND COALESCE("heartbeatAt", "startedAt", "createdAt") < ${cutoff}
    RETURNING "id"`;
  return rows.map((r) => r.id);
}
