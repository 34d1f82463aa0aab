import "server-only";
import type { Db } from "@/lib/db/client";
import type { Prisma } from "@/lib/db/generated/prisma/client";
import { AppError } from "@/lib/errors/app-error";
import { faceFlags } from "@/lib/dataset/verdict-label";
import { presentFace, probabilitiesByLabel } from "@/lib/uploads/present";
import { faceVerdicts } from "@/lib/review/adjudication";

/** How many audit rows a face's detail shows, newest first. */
const AUDIT_ROWS = 50;

/**
 * One face for `GET /api/faces/:id`: the photo and box, every prediction, and where its review
 * stands (consensus, verdicts, flags). Other reviewers' verdicts, the consensus and the golden label
 * are shown to admins and to reviewers who have judged the face themselves, so nobody is steered
 * before their own verdict and a control stays blind. Admins also get the face's audit trail.
 */
export async function faceDetail(db: Db, faceId: number, viewer: { userId: number; admin: boolean }) {
  const face = await db.face.findUnique({
    where: { id: faceId },
    include: {
      upload: true,
      state: true,
      adjudication: { include: { adjudicator: { select: { id: true, email: true } } } },
      predictions: {
        orderBy: { id: "desc" },
        include: { modelVersion: { select: { id: true, version: true, name: true, labels: true } } },
      },
    },
  });
  if (!face) throw new AppError("not_found", `No face ${faceId}.`);
  const verdicts = await faceVerdicts(db, faceId);
  const judged = verdicts.some((v) => v.reviewer.id === viewer.userId);
  const open = viewer.admin || judged;
  const s = face.state;
  const flags = s ? faceFlags(s) : [];
  const judgedBy =
    open && s ? await flagsJudgedBy(db, faceId, s.flagsVersionId, s.predictionId, face.predictions) : null;
  return {
    ...presentFace(face, face.upload),
    created_at: face.createdAt.toISOString(),
    predictions: face.predictions.map((p) => ({
      id: p.id,
      label: p.label,
      confidence: p.confidence,
      margin: p.margin,
      probabilities: probabilitiesByLabel(p.modelVersion.labels, p.probabilities),
      model_version: { id: p.modelVersion.id, version: p.modelVersion.version, name: p.modelVersion.name },
      created_at: p.createdAt.toISOString(),
    })),
    // Withheld (null) until the viewer may see them.
    golden: open ? face.golden : null,
    golden_label: open ? face.goldenLabel : null,
    consensus:
      open && s
        ? {
            state: s.state.toLowerCase(),
            label: s.consensusLabel,
            support: s.support,
            verdicts: s.verdicts,
            needed: s.needed,
            adjudication: face.adjudication
              ? {
                  label: face.adjudication.label,
                  note: face.adjudication.note,
                  by: face.adjudication.adjudicator,
                  at: face.adjudication.createdAt.toISOString(),
                }
              : null,
          }
        : null,
    verdicts: open ? verdicts : verdicts.filter((v) => v.reviewer.id === viewer.userId),
    flags: open ? flags : [],
    flags_judged_by: judgedBy,
    excluded: viewer.admin
      ? face.excludedAt
        ? { at: face.excludedAt.toISOString(), reason: face.excludedReason }
        : null
      : null,
    audit: viewer.admin
      ? await faceAudit(
          db,
          faceId,
          verdicts.map((v) => v.id),
        )
      : null,
  };
}

/**
 * The probabilities the face's flags were judged with: the version they were judged for, and
 * either that version's own score of the face or (where its lineage trained on the face, or the
 * version served it) the served prediction's, held out.
 */
async function flagsJudgedBy(
  db: Db,
  faceId: number,
  versionId: number | null,
  servedPredictionId: number,
  predictions: {
    id: number;
    probabilities: number[];
    modelVersion: { id: number; version: number; name: string; labels: string[] };
  }[],
) {
  if (versionId === null) return null;
  // The face's predictions are loaded already: the served one, and the version when it made one.
  const served = predictions.find((p) => p.id === servedPredictionId);
  const known = predictions.find((p) => p.modelVersion.id === versionId)?.modelVersion;
  const [version, score] = await Promise.all([
    known ?? db.modelVersion.findUnique({ where: { id: versionId }, select: { id: true, version: true, name: true } }),
    db.faceScore.findUnique({
      where: { faceId_modelVersionId: { faceId, modelVersionId: versionId } },
      include: { modelVersion: { select: { labels: true } } },
    }),
  ]);
  if (!version) return null;
  const ref = { id: version.id, version: version.version, name: version.name };
  if (score?.kind === "scored")
    return {
      model_version: ref,
      source: "own_score" as const,
      probabilities: probabilitiesByLabel(score.modelVersion.labels, score.probabilities),
    };
  if (!served) return null;
  return {
    model_version: ref,
    source: score?.kind === "trained" ? ("served_held_out" as const) : ("served" as const),
    probabilities: probabilitiesByLabel(served.modelVersion.labels, served.probabilities),
  };
}

/**
 * What was done to a face, newest first (the last AUDIT_ROWS): rows about the face itself
 * (adjudication), golden-set changes naming it, bulk actions that listed it, and changes to its
 * verdicts. A bulk action on a filter names no faces, so it is not in any face's trail.
 */
async function faceAudit(db: Db, faceId: number, reviewIds: number[]) {
  const id = JSON.stringify([faceId]);
  const rows = await db.$queryRaw<
    {
      id: number;
      action: string;
      targetType: string;
      targetId: string | null;
      details: Prisma.JsonValue;
      createdAt: Date;
      actorId: number | null;
      actorEmail: string | null;
    }[]
  >`SELECT a."id", a."action", a."targetType", a."targetId", a."details", a."createdAt",
           u."id" AS "actorId", u."email" AS "actorEmail"
    FROM "AuditLog" a LEFT JOIN "User" u ON u."id" = a."actorId"
    WHERE (a."targetType" = 'face' AND a."targetId" = ${String(faceId)})
       OR (a."targetType" = 'review' AND a."targetId" = ANY(${reviewIds.map(String)}::text[]))
       OR a."details"->'faceIds' @> ${id}::jsonb
       OR a."details"->'selection'->'face_ids' @> ${id}::jsonb
    ORDER BY a."id" DESC
    LIMIT ${AUDIT_ROWS}`;
  return rows.map((r) => ({
    id: r.id,
    action: r.action,
    actor: r.actorId !== null && r.actorEmail !== null ? { id: r.actorId, email: r.actorEmail } : null,
    at: r.createdAt.toISOString(),
    details: auditDetails(r.details, faceId),
  }));
}

/**
 * An audit row's details as far as they concern this face: the lists of faces an action named
 * (up to thousands) become how many there were, and a golden label map becomes this face's label.
 */
function auditDetails(details: Prisma.JsonValue, faceId: number): Record<string, Prisma.JsonValue> {
  if (typeof details !== "object" || details === null || Array.isArray(details)) return {};
  const out: Record<string, Prisma.JsonValue> = {};
  for (const [key, value] of Object.entries(details)) {
    if (value === undefined) continue;
    if (key === "faceIds" && Array.isArray(value)) {
      out.faces = value.length;
    } else if (key === "labels" && typeof value === "object" && value !== null && !Array.isArray(value)) {
      const label = value[String(faceId)];
      if (typeof label === "string") out.label = label;
    } else if (key === "selection" && typeof value === "object" && value !== null && !Array.isArray(value)) {
      const listed = value.face_ids;
      if (Array.isArray(listed)) out.faces = listed.length;
      else out.selection = value;
    } else {
      out[key] = value;
    }
  }
  return out;
}
