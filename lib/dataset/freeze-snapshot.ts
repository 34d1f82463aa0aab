import "server-only";
import type { Db } from "@/lib/db/client";
import type { Prisma } from "@/lib/db/generated/prisma/client";
import { buildSnapshot, type LabelAggregation, type ReviewedRow, type Snapshot } from "@/lib/dataset/snapshot";
import { verdictLabel } from "@/lib/dataset/verdict-label";

/**
 * Freezes every reviewed face into the job's dataset (see buildSnapshot) and stores it on the job,
 * so verdicts given later cannot change the run and the candidate's lineage names its data.
 */
export async function freezeSnapshot(
  db: Db,
  jobId: number,
  opts: { aggregation?: LabelAggregation } = {},
): Promise<Snapshot> {
  const snapshot = await computeSnapshot(db, `job-${jobId}`, opts);
  await db.trainingJob.update({
    where: { id: jobId },
    data: {
      snapshot: snapshot as unknown as Prisma.InputJsonValue,
      snapshotHash: snapshot.hash,
      snapshotSize: snapshot.items.length,
    },
  });
  return snapshot;
}

/** The dataset as it stands now (see buildSnapshot), written nowhere: a job's, or a pre-flight's. */
export async function computeSnapshot(
  db: Db,
  seed: string,
  opts: { aggregation?: LabelAggregation } = {},
): Promise<Snapshot> {
  const rows = await db.$queryRaw<
    {
      reviewId: number;
      reviewerId: number;
      faceId: number;
      cropSha256: string;
      cropPath: string;
      verdict: string;
      correctedLabel: string | null;
      label: string;
      at: Date;
    }[]
  >`SELECT r."id" AS "reviewId", r."reviewerId", f."id" AS "faceId", f."cropSha256", f."cropPath",
           r."verdict"::text AS "verdict", r."correctedLabel", p."label", r."updatedAt" AS "at"
    FROM "Review" r JOIN "Prediction" p ON p."id" = r."predictionId" JOIN "Face" f ON f."id" = p."faceId"
    WHERE NOT r."control" AND f."excludedAt" IS NULL`;
  const golden = await db.face.findMany({ where: { golden: true }, select: { cropSha256: true, goldenLabel: true } });
  const adjudications = await db.adjudication.findMany({
    select: { label: true, face: { select: { cropSha256: true } } },
  });
  const reviewed: ReviewedRow[] = rows.map((r) => ({
    reviewId: r.reviewId,
    reviewerId: r.reviewerId,
    faceId: r.faceId,
    cropSha256: r.cropSha256,
    cropPath: r.cropPath,
    label: verdictLabel(r, r.label),
    at: r.at,
  }));
  const snapshot = buildSnapshot(reviewed, {
    goldenHashes: new Set(golden.map((g) => g.cropSha256)),
    goldenLabels: new Map(golden.flatMap((g) => (g.goldenLabel ? [[g.cropSha256, g.goldenLabel] as const] : []))),
    adjudicated: new Map(adjudications.map((a) => [a.face.cropSha256, a.label])),
    aggregation: opts.aggregation,
    seed,
  });
  // Faces an admin left out of training, counted once per crop like the rest.
  const [left] = await db.$queryRaw<{ n: bigint }[]>`
    SELECT count(DISTINCT f."cropSha256") AS n FROM "Face" f
    WHERE f."excludedAt" IS NOT NULL AND EXISTS (SELECT 1 FROM "Review" r WHERE r."faceId" = f."id" AND NOT r."control")`;
  snapshot.excluded.byAdmin = Number(left?.n ?? 0);
  return snapshot;
}
