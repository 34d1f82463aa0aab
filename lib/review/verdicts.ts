import "server-only";
import type { Db } from "@/lib/db/client";
import type { Review } from "@/lib/db/generated/prisma/client";
import { AppError } from "@/lib/errors/app-error";
import { audit } from "@/lib/audit/audit";
import type { HistoryQuery, ReviewInput } from "@/lib/review/schemas";
import { STORED_VERDICTS, VERDICT_API_NAMES } from "@/lib/dataset/verdict-label";

export function presentReview(r: Review) {
  return {
    id: r.id,
    prediction_id: r.predictionId,
    face_id: r.faceId,
    verdict: VERDICT_API_NAMES[r.verdict],
    corrected_label: r.correctedLabel,
    note: r.note,
    created_at: r.createdAt.toISOString(),
  };
}

/**
 * Stores a reviewer's verdict on a prediction. The unique (face, reviewer) pair makes a repeated
 * submission a no-op (`duplicate`); a different verdict from the same reviewer replaces the earlier
 * one, since the last word of a reviewer is the one that counts. A verdict on a golden face is a
 * control: it scores the reviewer and never changes the face's label. The Review triggers recompute
 * the face's consensus and queue state in the same transaction.
 */
export async function recordVerdict(
  db: Db,
  reviewerId: number,
  input: ReviewInput,
): Promise<{ review: Review; created: boolean; duplicate: boolean }> {
  const verdict = STORED_VERDICTS[input.verdict];
  const note = input.note ? input.note : null;
  const corrected = verdict === "INCORRECT" ? (input.corrected_label ?? "") : null;
  // A first verdict, the common case, is one statement (see the verdict_in_one_statement migration).
  const [first] = await db.$queryRaw<FirstVerdictRow[]>`
    SELECT * FROM record_first_verdict(${input.prediction_id}::int, ${reviewerId}::int, ${verdict}::"Verdict",
                                       ${corrected}::text, ${note}::text)`;
  if (!first) throw new Error("record_first_verdict returned no row");
  switch (first.outcome) {
    case "created":
      return {
        review: {
          id: first.review_id!,
          predictionId: input.prediction_id,
          faceId: first.face_id!,
          reviewerId,
          verdict,
          correctedLabel: corrected,
          note,
          control: first.control!,
          durationMs: first.duration_ms,
          createdAt: first.created_at!,
          updatedAt: first.updated_at!,
        },
        created: true,
        duplicate: false,
      };
    case "no_prediction":
      throw new AppError("not_found", `No prediction ${input.prediction_id}.`);
    case "bad_label":
      throw badLabel(corrected ?? "", first.labels ?? [], first.predicted ?? "");
    case "claimed_by_another":
      throw claimedByAnother(first.claim_until);
    case "judged":
      return changeVerdict(db, reviewerId, input);
    default:
      throw new Error(`record_first_verdict answered "${first.outcome}"`);
  }
}

interface FirstVerdictRow {
  outcome: "created" | "judged" | "no_prediction" | "bad_label" | "claimed_by_another";
  labels: string[] | null;
  predicted: string | null;
  claim_until: Date | null;
  review_id: number | null;
  face_id: number | null;
  control: boolean | null;
  duration_ms: number | null;
  created_at: Date | null;
  updated_at: Date | null;
}

function badLabel(label: string, labels: string[], predicted: string): AppError {
  if (label === predicted) {
    return new AppError("unprocessable", `The model already predicted "${label}"; send verdict "correct" instead.`);
  }
  return new AppError("unprocessable", `Unknown emotion "${label}". Choose one of: ${labels.join(", ")}.`);
}

function claimedByAnother(until: Date | null): AppError {
  return new AppError(
    "claimed_by_another",
    "Another reviewer is answering this face right now; it comes back to the queue if they skip it.",
    { claim_expires_at: until?.toISOString() ?? null },
  );
}

/**
 * The general path, for a reviewer who already judged the face: a repeat is stored once, a different
 * verdict replaces theirs (audited). It also stores a first verdict, as the statement above does.
 */
async function changeVerdict(
  db: Db,
  reviewerId: number,
  input: ReviewInput,
): Promise<{ review: Review; created: boolean; duplicate: boolean }> {
  const [prediction] = await db.$queryRaw<{ id: number; faceId: number; label: string; labels: string[] }[]>`
    SELECT p."id", p."faceId", p."label", m."labels"
    FROM "Prediction" p JOIN "ModelVersion" m ON m."id" = p."modelVersionId"
    WHERE p."id" = ${input.prediction_id}`;
  if (!prediction) throw new AppError("not_found", `No prediction ${input.prediction_id}.`);

  const verdict = STORED_VERDICTS[input.verdict];
  let correctedLabel: string | null = null;
  if (verdict === "INCORRECT") {
    const label = input.corrected_label ?? "";
    if (!prediction.labels.includes(label) || label === prediction.label) {
      throw badLabel(label, prediction.labels, prediction.label);
    }
    correctedLabel = label;
  }
  const note = input.note ? input.note : null;

  return db.$transaction(async (tx) => {
    // The row lock orders this verdict after any claim being taken on the same prediction, so the
    // lease check below cannot race a concurrent `claimNext`.
    const [claim] = await tx.$queryRaw<
      { claimedById: number | null; live: boolean; until: Date | null; heldMs: number | null; golden: boolean }[]
    >`
      SELECT s."claimedById", s."claimExpiresAt" > now() AS live, s."claimExpiresAt" AS until,
             (extract(epoch FROM (now() - s."claimedAt")) * 1000)::int AS "heldMs", f."golden"
      FROM "FaceState" s JOIN "Face" f ON f."id" = s."faceId"
      WHERE s."faceId" = ${prediction.faceId} FOR UPDATE OF s`;
    if (claim?.claimedById != null && claim.claimedById !== reviewerId && claim.live) {
      // A reviewer may still change their own earlier verdict; a first verdict waits for the lease.
      const own = await tx.review.findUnique({
        where: { faceId_reviewerId: { faceId: prediction.faceId, reviewerId } },
        select: { id: true },
      });
      if (!own) throw claimedByAnother(claim.until);
    }
    const mine = claim?.claimedById === reviewerId;
    // The new row comes back from the insert itself; an existing one (skipped) is read below.
    const [inserted] = await tx.review.createManyAndReturn({
      data: [
        {
          predictionId: prediction.id,
          faceId: prediction.faceId,
          reviewerId,
          verdict,
          correctedLabel,
          note,
          control: claim?.golden ?? false,
          durationMs: mine && claim?.heldMs != null ? Math.max(0, claim.heldMs) : null,
        },
      ],
      skipDuplicates: true,
    });
    if (mine) {
      await tx.faceState.updateMany({
        where: { faceId: prediction.faceId, claimedById: reviewerId },
        data: { claimedById: null, claimedAt: null, claimExpiresAt: null },
      });
    }
    if (inserted) return { review: inserted, created: true, duplicate: false };
    const existing = await tx.review.findUniqueOrThrow({
      where: { faceId_reviewerId: { faceId: prediction.faceId, reviewerId } },
    });
    if (existing.verdict === verdict && existing.correctedLabel === correctedLabel && existing.note === note) {
      return { review: existing, created: false, duplicate: true };
    }
    const updated = await tx.review.update({
      where: { id: existing.id },
      data: { predictionId: prediction.id, verdict, correctedLabel, note },
    });
    await audit(tx, {
      actorId: reviewerId,
      action: "review.change",
      targetType: "review",
      targetId: existing.id,
      details: {
        from: { verdict: existing.verdict, correctedLabel: existing.correctedLabel },
        to: { verdict, correctedLabel },
      },
    });
    return { review: updated, created: false, duplicate: false };
  });
}

/**
 * Undo: removes the reviewer's own verdict and gives the prediction back to them with a fresh
 * lease, so the face reappears on their screen rather than someone else's.
 */
export async function undoVerdict(db: Db, reviewerId: number, reviewId: number, leaseSeconds = 300) {
  return db.$transaction(async (tx) => {
    const review = await tx.review.findFirst({ where: { id: reviewId, reviewerId } });
    if (!review) throw new AppError("not_found", `No verdict ${reviewId} of yours to undo.`);
    const { count } = await tx.review.deleteMany({ where: { id: reviewId, reviewerId } });
    if (count === 0) throw new AppError("not_found", `No verdict ${reviewId} of yours to undo.`);
    if (!review.control) {
      await tx.faceState.updateMany({
        where: { faceId: review.faceId },
        data: {
          claimedById: reviewerId,
          claimedAt: new Date(),
          claimExpiresAt: new Date(Date.now() + leaseSeconds * 1000),
        },
      });
    }
    await audit(tx, {
      actorId: reviewerId,
      action: "review.undo",
      targetType: "review",
      targetId: reviewId,
      details: { predictionId: review.predictionId, verdict: review.verdict, correctedLabel: review.correctedLabel },
    });
    return { prediction_id: review.predictionId };
  });
}

/**
 * Recent verdicts, newest first, with keyset paging on the review id. Whether a face is golden is
 * shown to admins only: golden faces are served blind as controls.
 */
export async function listHistory(db: Db, q: HistoryQuery, viewer: { admin: boolean } = { admin: true }) {
  const reviewerFilter = q.reviewer
    ? /^\d+$/.test(q.reviewer)
      ? { reviewerId: Number(q.reviewer) }
      : { reviewer: { email: q.reviewer.toLowerCase() } }
    : {};
  const rows = await db.review.findMany({
    where: {
      ...reviewerFilter,
      ...(q.verdict ? { verdict: STORED_VERDICTS[q.verdict] } : {}),
      // "label" matches the emotion the face was judged to show: the corrected label, or the
      // predicted one for confirmed faces.
      ...(q.label === "not_a_face"
        ? { verdict: "NOT_A_FACE" as const }
        : q.label === "unsure"
          ? { verdict: "UNSURE" as const }
          : q.label
            ? {
                OR: [
                  { verdict: "INCORRECT" as const, correctedLabel: q.label },
                  { verdict: "CORRECT" as const, prediction: { label: q.label } },
                ],
              }
            : {}),
      ...(q.before ? { id: { lt: q.before } } : {}),
    },
    orderBy: { id: "desc" },
    take: q.limit + 1,
    include: {
      reviewer: { select: { id: true, email: true } },
      prediction: {
        include: {
          modelVersion: { select: { id: true, version: true, name: true } },
          face: { select: { golden: true } },
        },
      },
    },
  });
  const page = rows.slice(0, q.limit);
  return {
    reviews: page.map((r) => ({
      ...presentReview(r),
      reviewer: r.reviewer,
      prediction: {
        id: r.prediction.id,
        label: r.prediction.label,
        confidence: r.prediction.confidence,
        model_version: r.prediction.modelVersion,
      },
      face: {
        id: r.prediction.faceId,
        crop_url: `/api/faces/${r.prediction.faceId}/crop.png`,
        golden: viewer.admin ? r.prediction.face.golden : null,
      },
    })),
    next_before: rows.length > q.limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}
