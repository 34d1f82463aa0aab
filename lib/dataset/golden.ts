import "server-only";
import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { audit } from "@/lib/audit/audit";
import type { GoldenChange } from "@/lib/dataset/schemas";
import { isEmotionLabel } from "@/lib/dataset/verdict-label";

/**
 * Adds faces to the golden set or takes them out. Only reviewed faces qualify: the golden set is
 * judged against reviewers' labels. Golden faces are never trained on.
 */
export async function setGolden(db: Db, actorId: number, change: GoldenChange) {
  return db.$transaction(async (tx) => {
    const ids = [...new Set(change.face_ids)];
    let labels = new Map<number, string>();
    if (change.golden) {
      // The golden label is the face's consensus (an emotion with the most verdicts, or adjudicated), fixed from now on.
      const settled = await tx.faceState.findMany({
        where: { faceId: { in: ids }, state: { not: "CONFLICT" }, consensusLabel: { not: null } },
        select: { faceId: true, consensusLabel: true },
      });
      labels = new Map(
        settled.flatMap((s) =>
          s.consensusLabel && isEmotionLabel(s.consensusLabel) ? [[s.faceId, s.consensusLabel]] : [],
        ),
      );
      const missing = ids.filter((id) => !labels.has(id));
      if (missing.length) {
        throw new AppError(
          "unprocessable",
          `Only reviewed faces whose verdicts agree on an emotion (or that were adjudicated) can join the golden set; not reviewed, in conflict, not an emotion or unknown: ${missing.slice(0, 20).join(", ")}.`,
        );
      }
    }
    let count = 0;
    if (change.golden) {
      for (const [faceId, label] of labels) {
        const r = await tx.face.updateMany({
          where: { id: faceId, golden: false },
          data: { golden: true, goldenAt: new Date(), goldenById: actorId, goldenLabel: label },
        });
        count += r.count;
      }
    } else {
      const r = await tx.face.updateMany({
        where: { id: { in: ids }, golden: true },
        data: { golden: false, goldenAt: null, goldenById: null, goldenLabel: null },
      });
      count = r.count;
    }
    await audit(tx, {
      actorId,
      action: change.golden ? "golden.add" : "golden.remove",
      targetType: "face",
      details: { faceIds: ids, changed: count, ...(change.golden ? { labels: Object.fromEntries(labels) } : {}) },
    });
    return { changed: count, size: await tx.face.count({ where: { golden: true } }) };
  });
}

/** The golden set, newest first, with each face's fixed golden label. */
export async function listGolden(db: Db, page: { limit?: number; before?: number } = {}) {
  const limit = Math.min(Math.max(page.limit ?? 200, 1), 1000);
  const faces = await db.face.findMany({
    where: { golden: true, ...(page.before ? { id: { lt: page.before } } : {}) },
    orderBy: { id: "desc" },
    take: limit + 1,
    select: { id: true, goldenAt: true, goldenLabel: true },
  });
  const shown = faces.slice(0, limit);
  return {
    size: await db.face.count({ where: { golden: true } }),
    faces: shown.map((f) => ({
      id: f.id,
      crop_url: `/api/faces/${f.id}/crop.png`,
      label: f.goldenLabel,
      added_at: f.goldenAt?.toISOString() ?? null,
    })),
    next_before: faces.length > limit ? (shown[shown.length - 1]?.id ?? null) : null,
  };
}
