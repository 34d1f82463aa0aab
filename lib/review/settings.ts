import "server-only";
import type { Db } from "@/lib/db/client";
import { audit } from "@/lib/audit/audit";
import { ADVISORY_LOCKS } from "@/lib/db/advisory-locks";
import type { ReviewSettingsInput } from "@/lib/review/schemas";

export interface ReviewSettings {
  verdictsPerFace: number;
  extraReviewShare: number;
  controlShare: number;
  controlMinAccuracy: number | null;
  controlMinAnswers: number;
  seed: string;
  updatedAt: Date | null;
}

/** The defaults, also written into the migration's SQL (face_needed) for a database with no settings row. */
export const DEFAULT_REVIEW_SETTINGS: ReviewSettings = {
  verdictsPerFace: 1,
  extraReviewShare: 0.1,
  controlShare: 0.05,
  controlMinAccuracy: null,
  controlMinAnswers: 20,
  seed: "emotion-loop",
  updatedAt: null,
};

// Every claim reads the settings; a few seconds' cache spares a query per request. A change made
// through this process is seen at once; another server sees it within CACHE_MS.
const CACHE_MS = 5000;
const cache = new WeakMap<Db, { at: number; value: ReviewSettings }>();

export async function getReviewSettings(db: Db, opts: { fresh?: boolean } = {}): Promise<ReviewSettings> {
  const hit = cache.get(db);
  if (!opts.fresh && hit && Date.now() - hit.at < CACHE_MS) return hit.value;
  const value = await readReviewSettings(db);
  cache.set(db, { at: Date.now(), value });
  return value;
}

async function readReviewSettings(db: Pick<Db, "reviewSettings">): Promise<ReviewSettings> {
  const row = await db.reviewSettings.findUnique({ where: { id: 1 } });
  return row
    ? {
        verdictsPerFace: row.verdictsPerFace,
        extraReviewShare: row.extraReviewShare,
        controlShare: row.controlShare,
        controlMinAccuracy: row.controlMinAccuracy,
        controlMinAnswers: row.controlMinAnswers,
        seed: row.seed,
        updatedAt: row.updatedAt,
      }
    : DEFAULT_REVIEW_SETTINGS;
}

export function presentReviewSettings(s: ReviewSettings) {
  return {
    verdicts_per_face: s.verdictsPerFace,
    extra_review_share: s.extraReviewShare,
    control_share: s.controlShare,
    control_min_accuracy: s.controlMinAccuracy,
    control_min_answers: s.controlMinAnswers,
    updated_at: s.updatedAt?.toISOString() ?? null,
  };
}

/**
 * Saves the settings and applies them to every face still open (faces already decided keep the
 * verdicts they had), in one transaction, audited with the old and new values.
 */
export async function updateReviewSettings(db: Db, actorId: number, input: ReviewSettingsInput) {
  const affected = await db.$transaction(
    async (tx) => {
      // One settings change at a time, each on top of the last: the current row is read under the
      // lock, so two admins changing different settings at once both keep their change.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADVISORY_LOCKS.reviewSettings})`;
      const before = await readReviewSettings(tx);
      const next = {
        verdictsPerFace: input.verdicts_per_face ?? before.verdictsPerFace,
        extraReviewShare: input.extra_review_share ?? before.extraReviewShare,
        controlShare: input.control_share ?? before.controlShare,
        controlMinAccuracy:
          input.control_min_accuracy === undefined ? before.controlMinAccuracy : input.control_min_accuracy,
        controlMinAnswers: input.control_min_answers ?? before.controlMinAnswers,
      };
      await tx.reviewSettings.upsert({
        where: { id: 1 },
        create: { id: 1, ...next, updatedById: actorId, updatedAt: new Date() },
        update: { ...next, updatedById: actorId, updatedAt: new Date() },
      });
      const needsChanged =
        next.verdictsPerFace !== before.verdictsPerFace || next.extraReviewShare !== before.extraReviewShare;
      let affected = 0;
      if (needsChanged) {
        // Open faces with no verdict only change what they need; the few with some verdicts may now be
        // done (or in conflict), so their state is recomputed.
        affected = await tx.$executeRaw`
          UPDATE "FaceState" SET "needed" = face_needed("faceId")
          WHERE "state" = 'OPEN' AND NOT "secondLook" AND "needed" <> face_needed("faceId")`;
        await tx.$queryRaw`
          SELECT refresh_face_state("faceId")::text FROM "FaceState"
          WHERE "state" = 'OPEN' AND "verdicts" > 0 AND NOT "secondLook"`;
      }
      await audit(tx, {
        actorId,
        action: "settings.review.update",
        targetType: "settings",
        targetId: "review",
        details: {
          from: presentReviewSettings(before),
          to: presentReviewSettings({ ...before, ...next }),
          facesAffected: affected,
        },
      });
      return affected;
    },
    { timeout: 120_000 },
  );
  cache.delete(db);
  return { settings: await getReviewSettings(db, { fresh: true }), faces_affected: affected };
}
