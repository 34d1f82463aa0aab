import "server-only";
import type { Db } from "@/lib/db/client";
import { agreementReport } from "@/lib/agreement/reviewer-agreement";
import { EMOTION_LABELS } from "@/lib/model/labels";
import { NON_EMOTION_LABELS } from "@/lib/dataset/verdict-label";
import { getReviewSettings } from "@/lib/review/settings";

/** The label a verdict gives (the database's verdict_label, the same rule as verdictLabel). */
const VERDICT_LABEL = `verdict_label(r."verdict", r."correctedLabel", p."label")`;

/** The categories agreement is measured over, in matrix order: the emotions, then the other answers. */
export const AGREEMENT_LABELS: readonly string[] = [...EMOTION_LABELS, ...NON_EMOTION_LABELS];

/**
 * What `GET /api/agreement` and the Reviewers page show: overall agreement over faces with two or
 * more verdicts (controls excluded), each reviewer against the consensus of the others, their
 * control accuracy and pace, and where the faces stand.
 */
export async function agreementSummary(db: Db) {
  const settings = await getReviewSettings(db);
  const [pairs, perReviewer, states, consensusKinds] = await Promise.all([
    db.$queryRawUnsafe<{ faceId: number; reviewerId: number; label: string }[]>(
      `SELECT r."faceId", r."reviewerId", ${VERDICT_LABEL} AS label
       FROM "FaceState" s
       JOIN "Review" r ON r."faceId" = s."faceId" AND NOT r."control"
       JOIN "Prediction" p ON p."id" = r."predictionId"
       WHERE s."verdicts" >= 2
       ORDER BY r."faceId", r."reviewerId"`,
    ),
    db.$queryRawUnsafe<
      {
        reviewerId: number;
        email: string;
        name: string | null;
        verdicts: bigint;
        not_a_face: bigint;
        unsure: bigint;
        controls: bigint;
        controls_correct: bigint;
        median_ms: number | null;
        last_at: Date | null;
      }[]
    >(
      `SELECT u."id" AS "reviewerId", u."email", u."name",
              count(*) FILTER (WHERE NOT r."control") AS verdicts,
              count(*) FILTER (WHERE NOT r."control" AND r."verdict"::text = 'NOT_A_FACE') AS not_a_face,
              count(*) FILTER (WHERE NOT r."control" AND r."verdict"::text = 'UNSURE') AS unsure,
              count(*) FILTER (WHERE r."control") AS controls,
              count(*) FILTER (WHERE r."control" AND ${VERDICT_LABEL} = f."goldenLabel") AS controls_correct,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY r."durationMs") AS median_ms,
              max(r."createdAt") AS last_at
       FROM "Review" r
       JOIN "User" u ON u."id" = r."reviewerId"
       JOIN "Prediction" p ON p."id" = r."predictionId"
       JOIN "Face" f ON f."id" = r."faceId"
       GROUP BY u."id", u."email", u."name"
       ORDER BY u."id"`,
    ),
    db.$queryRaw<
      { state: string; n: bigint }[]
    >`SELECT "state"::text AS state, count(*) AS n FROM "FaceState" GROUP BY 1`,
    db.$queryRaw<{ label: string; n: bigint }[]>`
      SELECT "consensusLabel" AS label, count(*) AS n FROM "FaceState"
      WHERE "consensusLabel" IN ('not_a_face', 'unsure') AND "state" IN ('AGREED', 'ADJUDICATED') GROUP BY 1`,
  ]);

  const faces = new Map<number, { reviewerId: number; label: string }[]>();
  for (const r of pairs) {
    const list = faces.get(r.faceId);
    if (list) list.push({ reviewerId: r.reviewerId, label: r.label });
    else faces.set(r.faceId, [{ reviewerId: r.reviewerId, label: r.label }]);
  }
  const report = agreementReport(
    [...faces.entries()].map(([faceId, verdicts]) => ({ faceId, verdicts })),
    AGREEMENT_LABELS,
  );
  const against = new Map(report.reviewers.map((r) => [r.reviewerId, r]));
  const stateCounts = Object.fromEntries(states.map((s) => [s.state.toLowerCase(), Number(s.n)]));
  const kinds = Object.fromEntries(consensusKinds.map((k) => [k.label, Number(k.n)]));

  return {
    overall: {
      faces: report.overall.faces,
      percent_agreement: report.overall.percentAgreement,
      fleiss_kappa: report.overall.fleissKappa,
      krippendorff_alpha: report.overall.krippendorffAlpha,
    },
    faces: {
      open: stateCounts.open ?? 0,
      agreed: stateCounts.agreed ?? 0,
      conflict: stateCounts.conflict ?? 0,
      adjudicated: stateCounts.adjudicated ?? 0,
      not_a_face: kinds.not_a_face ?? 0,
      unsure: kinds.unsure ?? 0,
    },
    labels: AGREEMENT_LABELS,
    control_threshold:
      settings.controlMinAccuracy === null
        ? null
        : { min_accuracy: settings.controlMinAccuracy, min_answers: settings.controlMinAnswers },
    reviewers: perReviewer.map((r) => {
      const a = against.get(r.reviewerId);
      const controls = Number(r.controls);
      const controlAccuracy = controls > 0 ? Number(r.controls_correct) / controls : null;
      const flagged =
        settings.controlMinAccuracy !== null &&
        controlAccuracy !== null &&
        controls >= settings.controlMinAnswers &&
        controlAccuracy < settings.controlMinAccuracy;
      return {
        id: r.reviewerId,
        email: r.email,
        name: r.name,
        verdicts: Number(r.verdicts),
        not_a_face: Number(r.not_a_face),
        unsure: Number(r.unsure),
        compared: a?.compared ?? 0,
        agreement: a?.agreement ?? null,
        kappa: a?.kappa ?? null,
        confusion: a?.confusion ?? AGREEMENT_LABELS.map(() => AGREEMENT_LABELS.map(() => 0)),
        controls,
        control_accuracy: controlAccuracy,
        median_seconds: r.median_ms === null ? null : Math.round(r.median_ms / 100) / 10,
        last_verdict_at: r.last_at?.toISOString() ?? null,
        flagged,
      };
    }),
  };
}
