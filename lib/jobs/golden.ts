import "server-only";
import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/api/errors";
import { audit } from "@/lib/audit/audit";
import type { GoldenChange } from "@/lib/jobs/schemas";


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
        throw new AppError("unprocessable", `Only reviewed faces can join the golden set; not reviewed or unknown: ${missing.slice(0, 20).join(", ")}.`);
      }
    }
    const { count } = await tx.face.updateMany({
      where: { id: { in: ids }, golden: !change.golden },
      data: change.golden ? { golden: true, goldenAt: new Date(), goldenById: actorId } : { golden: false, goldenAt: null, goldenById: null },
    });
    await audit(tx, { actorId, action: change.golden ? "golden.add" : "golden.remove", targetType: "face", details: { faceIds: ids, changed: count } });
    return { changed: count, size: await tx.face.count({ where: { golden: true } }) };
  });
}

export async function listGolden(db: Db) {
  const faces = await db.face.findMany({
    where: { golden: true },
    orderBy: { goldenAt: "desc" },
    take: 500,
    select: { id: true, cropSha256: true, goldenAt: true },
  });
  return {
    size: await db.face.count({ where: { golden: true } }),
    faces: faces.map((f) => ({ id: f.id, crop_url: `/api/faces/${f.id}/crop.png`, added_at: f.goldenAt?.toISOString() ?? null })),
  };
}
