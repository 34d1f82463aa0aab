import "server-only";
import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { audit } from "@/lib/audit/audit";
import type { GoldenChange } from "@/lib/dataset/schemas";
import { verdictLabel } from "@/lib/dataset/verdict-label";

/**
 * Adds faces to the golden set or takes them out. Only reviewed faces qualify: the golden set is
 * judged against reviewers' labels. Golden faces are never trained on.
 */
export async function setGolden(db: Db, actorId: number, change: GoldenChange) {
  return db.$transaction(async (tx) => {
    const ids = [...new Set(change.face_ids)];
    if (change.golden) {
      const reviewed = await tx.face.findMany({
        where: { id: { in: ids }, predictions: { some: { reviews: { some: {} } } } },
        select: { id: true },
      });
      const missing = ids.filter((id) => !reviewed.some((r) => r.id === id));
      if (missing.length) {
        throw new AppError(
          "unprocessable",
          `Only reviewed faces can join the golden set; not reviewed or unknown: ${missing.slice(0, 20).join(", ")}.`,
        );
      }
    }
    const { count } = await tx.face.updateMany({
      where: { id: { in: ids }, golden: !change.golden },
      data: change.golden
        ? { golden: true, goldenAt: new Date(), goldenById: actorId }
        : { golden: false, goldenAt: null, goldenById: null },
    });
    await audit(tx, {
      actorId,
      action: change.golden ? "golden.add" : "golden.remove",
      targetType: "face",
      details: { faceIds: ids, changed: count },
    });
    return { changed: count, size: await tx.face.count({ where: { golden: true } }) };
  });
}

/** The golden set, newest first, with each face's label (the latest verdict on it). */
export async function listGolden(db: Db, page: { limit?: number; before?: number } = {}) {
  const limit = Math.min(Math.max(page.limit ?? 200, 1), 1000);
  const faces = await db.face.findMany({
    where: { golden: true, ...(page.before ? { id: { lt: page.before } } : {}) },
    orderBy: { id: "desc" },
    take: limit + 1,
    select: {
      id: true,
      goldenAt: true,
      predictions: {
        select: { label: true, reviews: { select: { verdict: true, correctedLabel: true, updatedAt: true } } },
      },
    },
  });
  const shown = faces.slice(0, limit);
  return {
    size: await db.face.count({ where: { golden: true } }),
    faces: shown.map((f) => {
      const verdicts = f.predictions
        .flatMap((p) => p.reviews.map((r) => ({ at: r.updatedAt, label: verdictLabel(r, p.label) })))
        .sort((a, b) => b.at.getTime() - a.at.getTime());
      return {
        id: f.id,
        crop_url: `/api/faces/${f.id}/crop.png`,
        label: verdicts[0]?.label ?? null,
        added_at: f.goldenAt?.toISOString() ?? null,
      };
    }),
    next_before: faces.length > limit ? (shown[shown.length - 1]?.id ?? null) : null,
  };
}
