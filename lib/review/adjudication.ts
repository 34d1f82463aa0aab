import "server-only";
import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { audit } from "@/lib/audit/audit";
import { NOT_A_FACE, VERDICT_API_NAMES, verdictLabel } from "@/lib/dataset/verdict-label";
import { presentFace, probabilitiesByLabel } from "@/lib/uploads/present";
import type { AdjudicationInput } from "@/lib/review/schemas";
import { LEASE_SECONDS } from "@/lib/review/queue";

/**
 * Claims the next face in conflict (its verdicts tie) for an admin, oldest first, with a lease like
 * the review queue's, so two admins never decide the same face at once.
 */
export async function claimConflict(db: Db, adminId: number, exclude: number[] = []): Promise<number | null> {
  const rows = await db.$queryRaw<{ faceId: number }[]>`
    UPDATE "FaceState" SET "claimedById" = ${adminId}, "claimedAt" = now(),
      "claimExpiresAt" = now() + make_interval(secs => ${LEASE_SECONDS})
    WHERE "faceId" = (
      SELECT s."faceId" FROM "FaceState" s
      WHERE s."state" = 'CONFLICT'
        AND (s."claimedById" IS NULL OR s."claimExpiresAt" < now() OR s."claimedById" = ${adminId})
        AND NOT (s."faceId" = ANY(${exclude}::int[]))
      ORDER BY s."faceId"
      LIMIT 1
      FOR UPDATE OF s SKIP LOCKED
    )
    RETURNING "faceId"`;
  return rows[0]?.faceId ?? null;
}

/** Every verdict on a face (controls marked), newest prediction first, with who gave it and when. */
export async function faceVerdicts(db: Db, faceId: number) {
  const reviews = await db.review.findMany({
    where: { faceId },
    orderBy: { createdAt: "asc" },
    include: { reviewer: { select: { id: true, email: true } }, prediction: { select: { label: true } } },
  });
  return reviews.map((r) => ({
    id: r.id,
    reviewer: r.reviewer,
    verdict: VERDICT_API_NAMES[r.verdict],
    label: verdictLabel(r, r.prediction.label),
    note: r.note,
    control: r.control,
    at: r.updatedAt.toISOString(),
  }));
}

/** A face as an admin decides it: the photo, every verdict, the model's probabilities, the state. */
export async function adjudicationItem(db: Db, faceId: number) {
  const state = await db.faceState.findUnique({
    where: { faceId },
    include: {
      face: { include: { upload: true } },
      prediction: { include: { modelVersion: { select: { id: true, version: true, name: true, labels: true } } } },
    },
  });
  if (!state) throw new AppError("not_found", `No face ${faceId} with a prediction.`);
  const p = state.prediction;
  return {
    face: presentFace(state.face, state.face.upload),
    state: state.state.toLowerCase(),
    lease_expires_at: state.claimExpiresAt?.toISOString() ?? null,
    verdicts: (await faceVerdicts(db, faceId)).filter((v) => !v.control),
    prediction: {
      label: p.label,
      confidence: p.confidence,
      probabilities: probabilitiesByLabel(p.modelVersion.labels, p.probabilities),
      labels: p.modelVersion.labels,
      model_version: { id: p.modelVersion.id, version: p.modelVersion.version, name: p.modelVersion.name },
    },
  };
}

export async function countConflicts(db: Db): Promise<number> {
  const rows = await db.$queryRaw<{ n: bigint | null }[]>`SELECT sum("conflicts") AS n FROM "QueueTally"`;
  return Number(rows[0]?.n ?? 0);
}

/**
 * An admin's final decision on a face's label: one per face (a second is refused with 409), an
 * emotion of the face's model or "not_a_face", audited. From then on it is the face's label for
 * training and the golden set; the face leaves the review and adjudication queues.
 */
export async function adjudicate(db: Db, adminId: number, input: AdjudicationInput) {
  return db.$transaction(async (tx) => {
    const [state] = await tx.$queryRaw<
      { state: string; labels: string[]; verdicts: number; consensus: string | null }[]
    >`
      SELECT s."state"::text AS state, m."labels", s."verdicts", s."consensusLabel" AS consensus
      FROM "FaceState" s JOIN "Prediction" p ON p."id" = s."predictionId" JOIN "ModelVersion" m ON m."id" = p."modelVersionId"
      WHERE s."faceId" = ${input.face_id} FOR UPDATE OF s`;
    if (!state) throw new AppError("not_found", `No face ${input.face_id} with a prediction.`);
    if (state.state === "ADJUDICATED") {
      throw new AppError("conflict", `Face ${input.face_id} was already adjudicated; the decision is final.`);
    }
    if (state.verdicts === 0) {
      throw new AppError("unprocessable", `Face ${input.face_id} has no verdict yet; review it instead.`);
    }
    const allowed = [...state.labels, NOT_A_FACE];
    if (!allowed.includes(input.label)) {
      throw new AppError("unprocessable", `Unknown label "${input.label}". Choose one of: ${allowed.join(", ")}.`);
    }
    const created = await tx.adjudication.create({
      data: { faceId: input.face_id, label: input.label, note: input.note || null, adjudicatorId: adminId },
    });
    await tx.faceState.update({
      where: { faceId: input.face_id },
      data: { claimedById: null, claimedAt: null, claimExpiresAt: null },
    });
    await audit(tx, {
      actorId: adminId,
      action: "adjudication.decide",
      targetType: "face",
      targetId: input.face_id,
      details: {
        label: input.label,
        note: input.note ?? null,
        from: { state: state.state, consensus: state.consensus },
      },
    });
    return {
      id: created.id,
      face_id: created.faceId,
      label: created.label,
      note: created.note,
      created_at: created.createdAt.toISOString(),
    };
  });
}

/** Gives a conflict back (Skip) so another admin may take it at once. Someone else's claim is not theirs to drop. */
export async function releaseConflict(db: Db, adminId: number, faceId: number): Promise<void> {
  const { count } = await db.faceState.updateMany({
    where: { faceId, claimedById: adminId, state: "CONFLICT" },
    data: { claimedById: null, claimedAt: null, claimExpiresAt: null },
  });
  if (count === 0) throw new AppError("not_found", `You hold no claim on a conflict for face ${faceId}.`);
}
