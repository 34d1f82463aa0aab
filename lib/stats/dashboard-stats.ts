import "server-only";
import type { Db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/prisma/client";
import { EMOTION_LABELS } from "@/lib/model/labels";
import { NON_EMOTION_LABELS } from "@/lib/dataset/verdict-label";
import { countRemaining } from "@/lib/review/queue";
import { burnDown, lastDays, STATS_DAYS } from "@/lib/stats/days";
import { wilsonInterval } from "@/lib/stats/wilson";

/** Below this many golden faces a version's accuracy is too uncertain to compare versions by. */
export const GOLDEN_MIN_N = 100;

/**
 * Whose figures: `everyone` (admins: a series per reviewer) or one reviewer's own. Only the verdicts
 * per day are per reviewer; the rest is the whole team's either way.
 */
export type StatsScope = { kind: "everyone" } | { kind: "own"; reviewerId: number };

type Count = { day: string; n: number };

/**
 * What the dashboard shows (`GET /api/stats`), over the last 30 UTC days. Every figure is an
 * aggregate in SQL: the queue count comes from QueueTally; the daily figures and the confusion read
 * only the window's verdicts and faces, by index, so they follow the window's activity; the label
 * counts walk an index each (stats_indexes migration) without touching the rows, the only figures
 * that grow with the whole dataset. Timed at a million faces by `npm run bench:stats`.
 */
export async function dashboardStats(db: Db, scope: StatsScope, now = new Date()) {
  // One snapshot, so the figures agree with one another (the burn-down ends at the queue count).
  return db.$transaction((tx) => statsIn(tx, scope, now), { isolationLevel: "RepeatableRead", timeout: 60_000 });
}

type Tx = Prisma.TransactionClient;

async function statsIn(db: Tx, scope: StatsScope, now: Date) {
  // JIT compilation pays off for long scans; these are many short index walks, whose cost estimates
  // (a lookup per verdict of the window) would have every query compiled first, doubling its time.
  await db.$executeRaw`SET LOCAL jit = off`;
  const days = lastDays(now, STATS_DAYS);
  // Stored times are UTC without a zone; the text cast keeps it that way whatever the session's zone.
  const since = `${days[0]}T00:00:00.000`;
  const active = await db.modelVersion.findFirst({
    where: { status: "ACTIVE" },
    orderBy: { activatedAt: "desc" },
    select: { id: true, version: true, name: true, labels: true },
  });
  const emotions = active?.labels.length ? active.labels : [...EMOTION_LABELS];

  const [remaining, entered, decided, verdicts, consensus, predicted, confusion, versions, golden, goldenSize] =
    await Promise.all([
      countRemaining(db),
      // A face enters the queue with its prediction (FaceState.predictedAt).
      db.$queryRaw<Count[]>`
        SELECT to_char("predictedAt", 'YYYY-MM-DD') AS day, count(*)::int AS n
        FROM "FaceState" WHERE "predictedAt" >= ${since}::timestamp GROUP BY 1`,
      decidedPerDay(db, since),
      verdictsPerDay(db, since, scope),
      db.$queryRaw<{ label: string; n: number }[]>`
        SELECT "consensusLabel" AS label, count(*)::int AS n FROM "FaceState"
        WHERE "state" IN ('AGREED', 'ADJUDICATED') GROUP BY 1`,
      active
        ? db.$queryRaw<{ label: string; n: number }[]>`
            SELECT "label", count(*)::int AS n FROM "Prediction" WHERE "modelVersionId" = ${active.id} GROUP BY 1`
        : Promise.resolve([]),
      active ? confusionSince(db, since, active.id) : Promise.resolve([]),
      db.modelVersion.findMany({
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        select: { id: true, version: true, name: true, status: true, createdAt: true },
      }),
      // Each version against the golden labels, over the golden faces it predicted.
      db.$queryRaw<{ modelVersionId: number; n: number; correct: number }[]>`
        SELECT p."modelVersionId", count(*)::int AS n, count(*) FILTER (WHERE p."label" = f."goldenLabel")::int AS correct
        FROM "Face" f JOIN "Prediction" p ON p."faceId" = f."id"
        WHERE f."golden" AND f."goldenLabel" IS NOT NULL
        GROUP BY 1`,
      db.face.count({ where: { golden: true, goldenLabel: { not: null } } }),
    ]);

  const perDay = (rows: Count[]) => new Map(rows.map((r) => [r.day, r.n]));
  const labels = [...emotions, ...NON_EMOTION_LABELS];
  const countsOf = (rows: { label: string; n: number }[]) => {
    const by = new Map(rows.map((r) => [r.label, r.n]));
    return labels.map((l) => by.get(l) ?? 0);
  };
  const goldenBy = new Map(golden.map((g) => [g.modelVersionId, g]));
  const modelRef = active ? { id: active.id, version: active.version, name: active.name } : null;

  const index = new Map(emotions.map((l, i) => [l, i]));
  const matrix = emotions.map(() => emotions.map(() => 0));
  let counted = 0;
  let leftOut = 0;
  for (const c of confusion) {
    const row = index.get(c.truth);
    const column = c.predicted === null ? undefined : index.get(c.predicted);
    if (row === undefined || column === undefined) leftOut += c.n;
    else {
      matrix[row]![column]! += c.n;
      counted += c.n;
    }
  }

  return {
    generated_at: now.toISOString(),
    scope: scope.kind,
    days,
    queue: {
      remaining: remaining.faces,
      verdicts_needed: remaining.verdicts,
      conflicts: remaining.conflicts,
      burn_down: burnDown(days, remaining.faces, perDay(entered), perDay(decided)),
    },
    verdicts: {
      reviewers: verdicts.map((r) => ({
        id: r.id,
        email: r.email,
        name: r.name,
        per_day: days.map((d) => r.perDay.get(d) ?? 0),
        total: [...r.perDay.values()].reduce((a, b) => a + b, 0),
      })),
    },
    labels: {
      model_version: modelRef,
      labels,
      consensus: countsOf(consensus),
      predicted: countsOf(predicted),
    },
    confusion: modelRef
      ? { model_version: modelRef, labels: emotions, matrix, verdicts: counted, left_out: leftOut }
      : null,
    golden: {
      size: goldenSize,
      min_n: GOLDEN_MIN_N,
      versions: versions.map((v) => {
        const g = goldenBy.get(v.id);
        const n = g?.n ?? 0;
        const correct = g?.correct ?? 0;
        const ci = wilsonInterval(correct, n);
        return {
          id: v.id,
          version: v.version,
          name: v.name,
          status: v.status,
          created_at: v.createdAt.toISOString(),
          n,
          correct,
          accuracy: n > 0 ? correct / n : null,
          ci_low: ci?.low ?? null,
          ci_high: ci?.high ?? null,
        };
      }),
    },
  };
}

/**
 * Faces that left the queue per day, among those not back in it now. A face is decided by the verdict
 * that completes it (its last one, controls aside), or, before it had them all, when it joined the
 * golden set or an admin adjudicated it. Reads the window's verdicts (Review createdAt index, then
 * each face's state by its key), the golden faces and the adjudications.
 */
function decidedPerDay(db: Tx, since: string) {
  return db.$queryRaw<Count[]>`
    SELECT to_char(at, 'YYYY-MM-DD') AS day, count(*)::int AS n FROM (
      SELECT c.at FROM (
        SELECT r."faceId", max(r."createdAt") AS at FROM "Review" r
        WHERE r."createdAt" >= ${since}::timestamp AND NOT r."control"
        GROUP BY r."faceId"
      ) AS c
      -- A key lookup per face of the window (OFFSET 0 keeps the planner from flattening it into a scan
      -- of every state): the cost follows the window, not the table.
      CROSS JOIN LATERAL (
        SELECT 1 FROM "FaceState" s
        WHERE s."faceId" = c."faceId" AND NOT s."open" AND s."verdicts" >= s."needed" OFFSET 0
      ) AS closed
      UNION ALL
      SELECT LEAST(f."goldenAt", a."createdAt") FROM "Face" f
      JOIN "FaceState" s ON s."faceId" = f."id" AND NOT s."open" AND s."verdicts" < s."needed"
      LEFT JOIN "Adjudication" a ON a."faceId" = f."id"
      WHERE f."golden"
      UNION ALL
      SELECT a."createdAt" FROM "Adjudication" a
      JOIN "FaceState" s ON s."faceId" = a."faceId" AND s."verdicts" < s."needed"
      JOIN "Face" f ON f."id" = a."faceId" AND NOT f."golden"
    ) AS d
    WHERE at >= ${since}::timestamp
    GROUP BY 1`;
}

async function verdictsPerDay(db: Tx, since: string, scope: StatsScope) {
  const whose = scope.kind === "own" ? Prisma.sql`AND r."reviewerId" = ${scope.reviewerId}` : Prisma.empty;
  const rows = await db.$queryRaw<{ reviewerId: number; day: string; n: number }[]>`
    SELECT r."reviewerId", to_char(r."createdAt", 'YYYY-MM-DD') AS day, count(*)::int AS n
    FROM "Review" r WHERE r."createdAt" >= ${since}::timestamp ${whose}
    GROUP BY 1, 2`;
  // A reviewer always sees their own series, even an empty one.
  const ids = new Set(rows.map((r) => r.reviewerId));
  if (scope.kind === "own") ids.add(scope.reviewerId);
  const users = await db.user.findMany({
    where: { id: { in: [...ids] } },
    select: { id: true, email: true, name: true },
    orderBy: { id: "asc" },
  });
  return users.map((u) => ({
    ...u,
    perDay: new Map(rows.filter((r) => r.reviewerId === u.id).map((r) => [r.day, r.n])),
  }));
}

/**
 * The window's verdicts (controls aside) as reviewers labelled them, against what the active version
 * predicted for the same face: the prediction the reviewer saw when it was the active version's,
 * else the active version's own prediction of the face, if it made one.
 */
function confusionSince(db: Tx, since: string, activeId: number) {
  return db.$queryRaw<{ truth: string; predicted: string | null; n: number }[]>`
    SELECT verdict_label(r."verdict", r."correctedLabel", p."label") AS truth,
           CASE WHEN p."modelVersionId" = ${activeId} THEN p."label"
                ELSE (SELECT a."label" FROM "Prediction" a WHERE a."faceId" = r."faceId" AND a."modelVersionId" = ${activeId})
           END AS predicted,
           count(*)::int AS n
    FROM "Review" r
    -- The seen prediction by its key, one lookup per verdict of the window (not a scan of every prediction).
    CROSS JOIN LATERAL (
      SELECT p."label", p."modelVersionId" FROM "Prediction" p WHERE p."id" = r."predictionId" OFFSET 0
    ) AS p
    WHERE r."createdAt" >= ${since}::timestamp AND NOT r."control"
    GROUP BY 1, 2`;
}
