import "server-only";
import type { Db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/prisma/client";
import { AppError } from "@/lib/errors/app-error";
import { audit } from "@/lib/audit/audit";
import { faceQuerySchema, type FaceBulk } from "@/lib/dataset/schemas";
import { matchingFaceIds } from "@/lib/dataset/browse";
import { setGolden } from "@/lib/dataset/golden";

/**
 * A bulk action from the dataset browser, on listed faces or on every face matching a filter, in one
 * transaction with one audit row naming the selection and what changed:
 * - `golden_add` / `golden_remove`: as POST /api/golden (faces must have an agreed emotion to join);
 * - `requeue`: back to the review queue for one more verdict (not adjudicated or golden faces);
 * - `exclude` (with a reason) / `include`: left out of training, or back in.
 */
export async function bulkAction(db: Db, actorId: number, input: FaceBulk) {
  let selection: Prisma.Sql;
  if (input.face_ids) {
    selection = Prisma.sql`SELECT unnest(${[...new Set(input.face_ids)]}::int[])`;
  } else {
    const parsed = faceQuerySchema.safeParse(input.filter);
    if (!parsed.success) {
      throw new AppError(
        "bad_request",
        `filter: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`,
      );
    }
    selection = matchingFaceIds(parsed.data);
  }
  const ids = (
    await db.$queryRaw<{ id: number }[]>`SELECT f."id" FROM "Face" f WHERE f."id" IN (${selection}) ORDER BY 1`
  ).map((r) => r.id);
  if (input.face_ids) {
    const missing = [...new Set(input.face_ids)].filter((id) => !ids.includes(id));
    if (missing.length) throw new AppError("not_found", `No face ${missing.slice(0, 20).join(", ")}.`);
  }
  if (ids.length === 0) return { action: input.action, matched: 0, changed: 0 };

  if (input.action === "golden_add" || input.action === "golden_remove") {
    const r = await setGolden(db, actorId, { face_ids: ids, golden: input.action === "golden_add" });
    return { action: input.action, matched: ids.length, changed: r.changed };
  }
  // Narrowed here, outside the transaction's callback, where the check above no longer applies.
  const action = `faces.${input.action}` as const;
  return db.$transaction(
    async (tx) => {
      let changed = 0;
      if (input.action === "exclude") {
        changed = await tx.$executeRaw`
          UPDATE "Face" SET "excludedAt" = now(), "excludedReason" = ${input.reason ?? null}, "excludedById" = ${actorId}
          WHERE "id" = ANY(${ids}::int[]) AND "excludedAt" IS NULL`;
      } else if (input.action === "include") {
        changed = await tx.$executeRaw`
          UPDATE "Face" SET "excludedAt" = NULL, "excludedReason" = NULL, "excludedById" = NULL
          WHERE "id" = ANY(${ids}::int[]) AND "excludedAt" IS NOT NULL`;
      } else {
        // One verdict more than it has; the state trigger opens it (a different reviewer answers).
        const rows = await tx.$queryRaw<{ faceId: number }[]>`
          UPDATE "FaceState" s SET "needed" = s."verdicts" + 1
          FROM "Face" f WHERE f."id" = s."faceId" AND s."faceId" = ANY(${ids}::int[])
            AND s."state" <> 'ADJUDICATED' AND NOT f."golden" AND s."verdicts" >= s."needed"
          RETURNING s."faceId"`;
        for (const r of rows) await tx.$queryRaw`SELECT refresh_face_state(${r.faceId}::int)::text`;
        changed = rows.length;
      }
      await audit(tx, {
        actorId,
        action,
        targetType: "face",
        details: {
          selection: input.face_ids ? { face_ids: ids.slice(0, 1000) } : { filter: input.filter ?? {} },
          matched: ids.length,
          changed,
          ...(input.reason ? { reason: input.reason } : {}),
        },
      });
      return { action: input.action, matched: ids.length, changed };
    },
    { timeout: 120_000 },
  );
}
