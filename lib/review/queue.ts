import "server-only";
import type { Db } from "@/lib/db/client";
import type { Prisma } from "@/lib/db/generated/prisma/client";
import { AppError } from "@/lib/errors/app-error";
import { presentFace, probabilitiesByLabel } from "@/lib/uploads/present";
import type { QueueOrder } from "@/lib/review/schemas";
import { getReviewSettings } from "@/lib/review/settings";

export const LEASE_SECONDS = 300;

/**
 * The queue's orders over open faces. Each reads one partial index of FaceState (see the
 * consensus_queue migration), so a claim never scans the reviewed faces, however many there are.
 * Raw SQL, fixed per order (never built from input): ORDER BY cannot be a bind parameter.
 */
const orders: Record<Exclude<QueueOrder, "second_look">, { where: string; orderBy: string }> = {
  uncertain: { where: ``, orderBy: `s."margin" ASC, s."faceId" ASC` },
  newest: { where: ``, orderBy: `s."predictedAt" DESC, s."faceId" DESC` },
  // A random point on the shuffled order, then onwards; the caller wraps around when nothing is left past it.
  random: { where: `AND s."shuffle" >= $4`, orderBy: `s."shuffle" ASC, s."faceId" ASC` },
};
const suspectFirst = { where: `AND s."suspect"`, orderBy: `s."margin" ASC, s."faceId" ASC` };

export interface Claimed {
  predictionId: number;
  faceId: number;
  /** A golden face served blind as a control. */
  control: boolean;
  /** The item and the queue's size, read by the claim's own statement (getQueueItem then asks nothing). */
  read?: { item: QueueItemRow; remaining: Remaining };
}

/** What is left: faces still open, verdicts they still need, and conflicts waiting for an admin. */
export interface Remaining {
  faces: number;
  verdicts: number;
  conflicts: number;
}

/** A served item's prediction, face, upload, model version and lease, as one row. */
interface QueueItemRow {
  id: number;
  label: string;
  confidence: number;
  margin: number;
  probabilities: number[];
  faceId: number;
  boxX: number;
  boxY: number;
  boxWidth: number;
  boxHeight: number;
  uploadId: number;
  width: number;
  height: number;
  isFaceCrop: boolean;
  modelVersionId: number;
  version: number;
  name: string;
  labels: string[];
  claimExpiresAt: Date | null;
}

/** QueueItemRow's columns, from Prediction p, Face f, Upload u and ModelVersion m. */
const ITEM_COLUMNS = `p."id", p."label", p."confidence", p."margin", p."probabilities",
  f."id" AS "faceId", f."boxX", f."boxY", f."boxWidth", f."boxHeight",
  u."id" AS "uploadId", u."width", u."height", u."isFaceCrop",
  m."id" AS "modelVersionId", m."version", m."name", m."labels"`;
const ITEM_JOINS = `JOIN "Face" f ON f."id" = p."faceId"
  JOIN "Upload" u ON u."id" = f."uploadId"
  JOIN "ModelVersion" m ON m."id" = p."modelVersionId"`;

/**
 * Claims the next face for a reviewer: an open face (it still needs verdicts) they have not judged,
 * nobody else holds a live lease on, through its newest prediction. `FOR UPDATE SKIP LOCKED` makes
 * concurrent reviewers pass over a row another transaction is claiming, and the claim columns keep
 * it theirs until the lease runs out: one lease per face at a time, whatever the overlap.
 * A `control_share` of items are golden faces the reviewer has not judged, served without a lease
 * and indistinguishable from the rest.
 */
export async function claimNext(
  db: Db,
  reviewerId: number,
  opts: { order: QueueOrder; exclude: number[]; leaseSeconds?: number; random?: () => number },
): Promise<Claimed | null> {
  const lease = opts.leaseSeconds ?? LEASE_SECONDS;
  const random = opts.random ?? Math.random;
  const settings = await getReviewSettings(db);
  if (settings.controlShare > 0 && random() < settings.controlShare) {
    const control = await claimControl(db, reviewerId, opts.exclude);
    if (control) return control;
  }
  if (opts.order === "second_look") {
    const found = await claimWith(db, reviewerId, lease, opts.exclude, suspectFirst, 0);
    if (found) return found;
    return claimWith(db, reviewerId, lease, opts.exclude, orders.uncertain, 0);
  }
  if (opts.order === "random") {
    const from = random();
    return (
      (await claimWith(db, reviewerId, lease, opts.exclude, orders.random, from)) ??
      (await claimWith(db, reviewerId, lease, opts.exclude, orders.random, 0))
    );
  }
  return claimWith(db, reviewerId, lease, opts.exclude, orders[opts.order], 0);
}

async function claimWith(
  db: Db,
  reviewerId: number,
  lease: number,
  exclude: number[],
  order: { where: string; orderBy: string },
  from: number,
): Promise<Claimed | null> {
  // The claim, the item it serves and the queue's size in one statement: a reviewer's every next
  // item waits for one round trip instead of three. The tally is read in the statement's snapshot,
  // which the claim does not change (a lease is not counted).
  const rows = await db.$queryRawUnsafe<
    (QueueItemRow & { faces: bigint | null; verdicts: bigint | null; conflicts: bigint | null })[]
  >(
    `WITH c AS (
       UPDATE "FaceState" SET "claimedById" = $1, "claimedAt" = now(),
         "claimExpiresAt" = now() + make_interval(secs => $2)
       WHERE "faceId" = (
         SELECT s."faceId" FROM "FaceState" s
         WHERE s."open"
           AND (s."claimedById" IS NULL OR s."claimExpiresAt" < now() OR s."claimedById" = $1)
           AND NOT (s."predictionId" = ANY($3::int[]))
           AND NOT EXISTS (SELECT 1 FROM "Review" r WHERE r."faceId" = s."faceId" AND r."reviewerId" = $1)
           ${order.where}
         ORDER BY ${order.orderBy}
         LIMIT 1
         FOR UPDATE OF s SKIP LOCKED
       )
       RETURNING "faceId", "predictionId", "claimExpiresAt"
     ), t AS (
       SELECT sum("openFaces") AS faces, sum("verdictsNeeded") AS verdicts, sum("conflicts") AS conflicts
       FROM "QueueTally"
     )
     SELECT ${ITEM_COLUMNS}, c."claimExpiresAt", t."faces", t."verdicts", t."conflicts"
     FROM c JOIN "Prediction" p ON p."id" = c."predictionId" ${ITEM_JOINS}, t`,
    reviewerId,
    lease,
    exclude,
    // Only the random order binds a fourth parameter; a bind the statement does not use is refused.
    ...(order.where.includes("$4") ? [from] : []),
  );
  const row = rows[0];
  if (!row) return null;
  const { faces, verdicts, conflicts, ...item } = row;
  return {
    faceId: row.faceId,
    predictionId: row.id,
    control: false,
    read: { item, remaining: tallied({ faces, verdicts, conflicts }) },
  };
}

/** A golden face this reviewer has not judged, at random; no lease, since its label is already known. */
async function claimControl(db: Db, reviewerId: number, exclude: number[]): Promise<Claimed | null> {
  const rows = await db.$queryRaw<{ faceId: number; predictionId: number }[]>`
    SELECT s."faceId", s."predictionId" FROM "Face" f JOIN "FaceState" s ON s."faceId" = f."id"
    WHERE f."golden" AND f."goldenLabel" IS NOT NULL
      AND NOT (s."predictionId" = ANY(${exclude}::int[]))
      AND NOT EXISTS (SELECT 1 FROM "Review" r WHERE r."faceId" = f."id" AND r."reviewerId" = ${reviewerId})
    ORDER BY random() LIMIT 1`;
  const row = rows[0];
  return row ? { faceId: row.faceId, predictionId: row.predictionId, control: true } : null;
}

/** What is left: faces still open, verdicts they still need, and conflicts waiting for an admin. */
export async function countRemaining(db: Pick<Prisma.TransactionClient, "$queryRaw">): Promise<Remaining> {
  const rows = await db.$queryRaw<{ faces: bigint | null; verdicts: bigint | null; conflicts: bigint | null }[]>`
    SELECT sum("openFaces") AS faces, sum("verdictsNeeded") AS verdicts, sum("conflicts") AS conflicts
    FROM "QueueTally"`;
  return tallied(rows[0] ?? { faces: null, verdicts: null, conflicts: null });
}

function tallied(r: { faces: bigint | null; verdicts: bigint | null; conflicts: bigint | null }): Remaining {
  return { faces: Number(r.faces ?? 0), verdicts: Number(r.verdicts ?? 0), conflicts: Number(r.conflicts ?? 0) };
}

/** Drops a reviewer's claim (Skip). Someone else's claim is not theirs to drop. */
export async function releaseClaim(db: Db, reviewerId: number, predictionId: number): Promise<void> {
  const { count } = await db.faceState.updateMany({
    where: { predictionId, claimedById: reviewerId },
    data: { claimedById: null, claimedAt: null, claimExpiresAt: null },
  });
  if (count === 0) throw new AppError("not_found", `You hold no claim on prediction ${predictionId}.`);
}

/** The claimed item as the review page and `GET /api/review/next` show it (a control looks like any other). */
export async function getQueueItem(db: Db, claimed: Claimed) {
  const p =
    claimed.read?.item ??
    (
      await db.$queryRawUnsafe<QueueItemRow[]>(
        `SELECT ${ITEM_COLUMNS}, s."claimExpiresAt"
         FROM "Prediction" p ${ITEM_JOINS}
         LEFT JOIN "FaceState" s ON s."faceId" = $1
         WHERE p."id" = $2`,
        claimed.faceId,
        claimed.predictionId,
      )
    )[0];
  if (!p) throw new Error(`No prediction ${claimed.predictionId}`);
  return {
    prediction_id: p.id,
    // A control holds no lease; it shows one like any other item so nothing gives it away.
    lease_expires_at:
      (claimed.control ? new Date(Date.now() + LEASE_SECONDS * 1000) : p.claimExpiresAt)?.toISOString() ?? null,
    face: presentFace({ ...p, id: p.faceId }, { ...p, id: p.uploadId }),
    prediction: {
      label: p.label,
      confidence: p.confidence,
      margin: p.margin,
      probabilities: probabilitiesByLabel(p.labels, p.probabilities),
      labels: p.labels,
      model_version: { id: p.modelVersionId, version: p.version, name: p.name },
    },
  };
}
