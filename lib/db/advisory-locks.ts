import type { Prisma } from "@/lib/db/generated/prisma/client";

/**
 * Every PostgreSQL advisory lock key the app takes, in one table so that no two unrelated
 * operations share a key (and wait on each other). Any constant works; each must be distinct and
 * the same in every process on the database. (The training request and start-up once shared a key,
 * so a job request waited for another server's start-up.)
 */
export const ADVISORY_LOCKS = {
  /** Applying migrations (session lock, lib/db/migrate.ts). */
  migrate: 72707369,
  /** Start-up's admin bootstrap, baseline registration and PGlite move (session lock). */
  startUp: 72707370,
  /** "Is a training job queued or running? If not, create one" (transaction lock). */
  trainingRequest: 72707371,
  /** A change of review settings and its recomputation of open faces (transaction lock). */
  reviewSettings: 72707372,
  /**
   * "Is there an upload of these bytes? If not, store this one" (transaction lock). Taken as the
   * two-key form `pg_advisory_xact_lock(uploadContent, hashtext(sha256))`: one lock per content hash,
   * in a key space apart from the one-key locks above.
   */
  uploadContent: 72707373,
  /**
   * "Which of this video track's frames were sent to review? Store the others" (transaction lock,
   * two-key form with hashtext("<video id>:<track>")).
   */
  videoTrackReview: 72707374,
  /**
   * "Write this content file, or rely on it being there, and store rows that name it" (transaction
   * lock, two-key form with hashtext(<file name>), taken in name order by lockUploadFiles).
   */
  contentFile: 72707375,
} as const;

/**
 * Takes, in the caller's transaction and one round trip, the content lock of `content` (when given)
 * and then the lock of each content file in `files`, in name order (the lock_upload function). The
 * locks are held until the transaction ends: an upload that fails can remove the files it created
 * while no other upload can have found them. Returns the earlier upload of `content` (same bytes,
 * taken the same way) seen after the locks, or null.
 */
export async function lockUploadFiles(
  tx: Pick<Prisma.TransactionClient, "$queryRaw">,
  files: string[],
  content?: { sha256: string; isFaceCrop: boolean },
): Promise<number | null> {
  const rows = await tx.$queryRaw<{ earlier: number | null }[]>`
    SELECT lock_upload(${ADVISORY_LOCKS.uploadContent}::int, ${content?.sha256 ?? null}::text,
                       ${content?.isFaceCrop ?? false}::boolean, ${ADVISORY_LOCKS.contentFile}::int,
                       ${files}::text[]) AS earlier`;
  return rows[0]?.earlier ?? null;
}
