import "server-only";
import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { faceBox, probabilitiesByLabel } from "@/lib/uploads/present";
import type { QueueOrder } from "@/lib/review/schemas";

export const LEASE_SECONDS = 300;

// Raw SQL, fixed per order (never built from input): ORDER BY cannot be a bind parameter.
const orderBy: Record<QueueOrder, string> = {
  uncertain: `p."margin" ASC, p."id" ASC`,
  newest: `p."createdAt" DESC, p."id" DESC`,
  random: `random()`,
};

/**
 * Claims the next unreviewed prediction for a reviewer with a lease. `FOR UPDATE SKIP LOCKED`
 * makes concurrent reviewers pass over a row another transaction is claiming, and the claim
 * columns keep it theirs until the lease runs out. A face is reviewable through its newest
 * prediction only, and leaves the queue once any verdict exists for it.
 */
export async function claimNext(
  db: Db,
  reviewerId: number,
  opts: { order: QueueOrder; exclude: number[]; leaseSeconds?: number },
): Promise<number | null> {
  const lease = opts.leaseSeconds ?? LEASE_SECONDS;
  const rows = await db.$queryRawUnsafe<{ id: number }[]>(
    `UPDATE "Prediction" SET "claimedById" = $1, "claimExpiresAt" = now() + make_interval(secs => $2)
     WHERE "id" = (
       SELECT p."id" FROM "Prediction" p
       WHERE (p."claimedById" IS NULL OR p."claimExpiresAt" < now() OR p."claimedById" = $1)
         AND NOT (p."id" = ANY($3::int[]))
         AND NOT EXISTS (SELECT 1 FROM "Prediction" n WHERE n."faceId" = p."faceId" AND n."id" > p."id")
         AND NOT EXISTS (
           SELECT 1 FROM "Review" r JOIN "Prediction" q ON q."id" = r."predictionId"
           WHERE q."faceId" = p."faceId")
       ORDER BY ${orderBy[opts.order]}
       LIMIT 1
       FOR UPDATE OF p SKIP LOCKED
     )
     RETURNING "id"`,
    reviewerId,
    lease,
    opts.exclude,
  );
  return rows[0]?.id ?? null;
}

/** Number of faces still waiting for a verdict (claimed or not). */
export async function countRemaining(db: Db): Promise<number> {
  const rows = await db.$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM "Prediction" p
    WHERE NOT EXISTS (SELECT 1 FROM "Prediction" n WHERE n."faceId" = p."faceId" AND n."id" > p."id")
      AND NOT EXISTS (SELECT 1 FROM "Review" r JOIN "Prediction" q ON q."id" = r."predictionId" WHERE q."faceId" = p."faceId")`;
  return Number(rows[0]?.n ?? 0);
}

/** Drops a reviewer's claim (Skip). Someone else's claim is not theirs to drop. */
export async function releaseClaim(db: Db, reviewerId: number, predictionId: number): Promise<void> {
  const { count } = await db.prediction.updateMany({
    where: { id: predictionId, claimedById: reviewerId },
    data: { claimedById: null, claimExpiresAt: null },
  });
  if (count === 0) throw new AppError("not_found", `You hold no claim on prediction ${predictionId}.`);
}

/** The claimed item as the review page and `GET /api/review/next` show it. */
export async function getQueueItem(db: Db, predictionId: number) {
  const p = await db.prediction.findUniqueOrThrow({
    where: { id: predictionId },
    include: { face: { include: { upload: true } }, modelVersion: true },
  });
  return {
    prediction_id: p.id,
    lease_expires_at: p.claimExpiresAt?.toISOString() ?? null,
    face: {
      id: p.face.id,
      crop_url: `/api/faces/${p.face.id}/crop.png`,
      box: faceBox(p.face),
      upload: {
        id: p.face.upload.id,
        image_url: `/api/uploads/${p.face.upload.id}/image`,
        width: p.face.upload.width,
        height: p.face.upload.height,
        is_face_crop: p.face.upload.isFaceCrop,
      },
    },
    prediction: {
      label: p.label,
      confidence: p.confidence,
      margin: p.margin,
      probabilities: probabilitiesByLabel(p.modelVersion.labels, p.probabilities),
      labels: p.modelVersion.labels,
      model_version: { id: p.modelVersion.id, version: p.modelVersion.version, name: p.modelVersion.name },
    },
  };
}
