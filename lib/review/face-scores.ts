import type { Db } from "@/lib/db/client";
import { readFeedbackFile } from "@/lib/storage/files";

/**
 * Noise flags that follow the model in use. A face's `suspect` flag is judged with the active
 * version's own probabilities on it, except where that version, or a version it was fine-tuned
 * from, trained on the face: there the prediction the queue served stands in (it was made before any
 * verdict on the face, so it is held out from every version that trained on it). The database does
 * the judging (refresh_face_state, from the face's FaceScore for the active version); this module
 * writes the scores, a batch at a time, for the faces whose flags were judged for another version.
 */

/** Faces a step takes: one forward batch of crops, and a short transaction. */
export const FACE_SCORE_BATCH = 128;

/** A model's served (calibrated, test-time augmented) probabilities on encoded crops. */
export interface CropModel {
  predictImages(crops: Buffer[]): Promise<Float32Array[]>;
}

/**
 * The version the scores are for, and its model, loaded only when a face needs scoring; a model
 * that cannot be had fails the step (nothing is stored), a crop the model cannot take is unreadable.
 */
export interface FaceScorer {
  versionId: number;
  model(): Promise<CropModel>;
}

/**
 * The crops (by content hash) that `versionId` or the versions it was fine-tuned from trained on:
 * every item of their training jobs' frozen snapshots (their validation and gate slices too, which
 * is the cautious side: such a face keeps the held-out served prediction).
 */
export async function lineageTrainedCrops(db: Db, versionId: number): Promise<Set<string>> {
  const rows = await db.$queryRaw<{ sha: string }[]>`
    WITH RECURSIVE lineage AS (
      SELECT "id", "parentId" FROM "ModelVersion" WHERE "id" = ${versionId}
      UNION
      SELECT m."id", m."parentId" FROM "ModelVersion" m JOIN lineage l ON m."id" = l."parentId"
    )
    SELECT DISTINCT item->>'cropSha256' AS sha
    FROM lineage l JOIN "TrainingJob" j ON j."candidateVersionId" = l."id",
         jsonb_array_elements(COALESCE(j."snapshot"->'items', '[]'::jsonb)) AS item
    WHERE item ? 'cropSha256'`;
  return new Set(rows.map((r) => r.sha));
}

export interface FaceScoreStep {
  /** Faces whose flags were judged for the scorer's version in this step. */
  faces: number;
  scored: number;
  trained: number;
  unreadable: number;
}

/**
 * One step: up to `limit` faces with a consensus whose flags were judged for another version than
 * `scorer.versionId` (which must be the active one) are scored (or marked trained on / unreadable)
 * and their flags judged again. The crops are read and scored before anything is written, so
 * verdicts on these faces never wait for the model. Returns zeros when nothing is left.
 */
export async function scoreFacesStep(
  db: Db,
  scorer: FaceScorer,
  trained: ReadonlySet<string>,
  limit = FACE_SCORE_BATCH,
): Promise<FaceScoreStep> {
  const v = scorer.versionId;
  const rows = await db.$queryRaw<
    { faceId: number; cropPath: string; cropSha256: string; served: number; stored: boolean }[]
  >`
    SELECT s."faceId", f."cropPath", f."cropSha256", p."modelVersionId" AS served,
           EXISTS (SELECT 1 FROM "FaceScore" c WHERE c."faceId" = s."faceId" AND c."modelVersionId" = ${v}) AS stored
    FROM "FaceState" s
    JOIN "Face" f ON f."id" = s."faceId"
    JOIN "Prediction" p ON p."id" = s."predictionId"
    WHERE s."consensusLabel" IS NOT NULL
      AND (s."flagsVersionId" < ${v} OR s."flagsVersionId" > ${v} OR s."flagsVersionId" IS NULL)
    LIMIT ${limit}`;
  const step: FaceScoreStep = { faces: 0, scored: 0, trained: 0, unreadable: 0 };
  if (rows.length === 0) return step;

  const kinds = new Map<number, { kind: "scored" | "trained" | "unreadable"; probabilities: number[] | null }>();
  const toScore: { faceId: number; crop: Buffer }[] = [];
  for (const r of rows) {
    // Served by this version (its own prediction is the score), or scored while it was active
    // before: the refresh below judges with what there is.
    if (r.served === v || r.stored) continue;
    if (trained.has(r.cropSha256)) {
      kinds.set(r.faceId, { kind: "trained", probabilities: null });
      continue;
    }
    try {
      toScore.push({ faceId: r.faceId, crop: await readFeedbackFile(r.cropPath) });
    } catch (err) {
      if (typeof (err as { code?: unknown }).code !== "string") throw err;
      kinds.set(r.faceId, { kind: "unreadable", probabilities: null });
    }
  }
  if (toScore.length > 0) {
    const probabilities = await predictEach(
      await scorer.model(),
      toScore.map((s) => s.crop),
    );
    toScore.forEach((s, i) => {
      const p = probabilities[i]!;
      kinds.set(
        s.faceId,
        p.length ? { kind: "scored", probabilities: Array.from(p) } : { kind: "unreadable", probabilities: null },
      );
    });
  }

  const scores = [...kinds.entries()];
  if (scores.length > 0) {
    // A face scored by another worker meanwhile keeps that score (the same model, the same crop).
    await db.$executeRaw`
      INSERT INTO "FaceScore" ("faceId", "modelVersionId", "kind", "probabilities")
      SELECT x.face_id, ${v}, x.kind, CASE WHEN x.kind = 'scored' THEN
          (SELECT array_agg(e::double precision ORDER BY n) FROM jsonb_array_elements_text(x.probs) WITH ORDINALITY AS t(e, n))
        END
      FROM jsonb_to_recordset(${JSON.stringify(
        scores.map(([faceId, s]) => ({ face_id: faceId, kind: s.kind, probs: s.probabilities })),
      )}::jsonb) AS x(face_id INTEGER, kind TEXT, probs JSONB)
      ON CONFLICT ("faceId", "modelVersionId") DO NOTHING`;
  }
  // Each face judged in a transaction of its own, as a verdict's is: its state row, then the queue's
  // tally, then commit. Holding several faces' rows while a reopened face takes a tally row would
  // deadlock with a verdict holding one of those faces and waiting for that tally row. A verdict
  // that commits meanwhile is judged with the score just stored; a stop between the two leaves the
  // faces for the next step, which finds their scores stored.
  for (const r of rows) await db.$executeRaw`SELECT refresh_face_state(${r.faceId}::int)`;
  for (const [, s] of scores) step[s.kind]++;
  step.faces = rows.length;
  return step;
}

/**
 * The scorer's probabilities for each crop; a crop the model cannot take spoils its batch, so then
 * one at a time, with an empty array for each crop that fails alone.
 */
async function predictEach(model: CropModel, crops: Buffer[]): Promise<Float32Array[]> {
  try {
    return await model.predictImages(crops);
  } catch {
    const out: Float32Array[] = [];
    for (const crop of crops)
      out.push((await model.predictImages([crop]).catch(() => null))?.[0] ?? new Float32Array(0));
    return out;
  }
}
