import "server-only";
import type { Db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/prisma/client";
import { AppError } from "@/lib/errors/app-error";
import { faceFlags, STORED_VERDICTS } from "@/lib/dataset/verdict-label";
import { ADMIN_FACE_FILTERS, type FaceQuery, type FaceSort } from "@/lib/dataset/schemas";

/** Each sort: the key column (SQL) and its direction; ties break on the face id the same way. */
const sorts: Record<FaceSort, { key: Prisma.Sql; desc: boolean; kind: "time" | "number" }> = {
  newest: { key: Prisma.sql`s."predictedAt"`, desc: true, kind: "time" },
  oldest: { key: Prisma.sql`s."predictedAt"`, desc: false, kind: "time" },
  confidence: { key: Prisma.sql`s."confidence"`, desc: false, kind: "number" },
  "-confidence": { key: Prisma.sql`s."confidence"`, desc: true, kind: "number" },
  margin: { key: Prisma.sql`s."margin"`, desc: false, kind: "number" },
  "-margin": { key: Prisma.sql`s."margin"`, desc: true, kind: "number" },
};

/** Every face with its served prediction and that prediction's version: what a page shows. */
const FROM = Prisma.sql`FROM "FaceState" s
  JOIN "Face" f ON f."id" = s."faceId"
  JOIN "Prediction" p ON p."id" = s."predictionId"
  JOIN "ModelVersion" m ON m."id" = p."modelVersionId"`;

/**
 * The same rows with only the joins the filters read: each join is one-to-one and never drops a
 * face, so a count over the review state alone is the same count, from its indexes.
 */
function countFrom(q: FaceQuery): Prisma.Sql {
  const face = q.golden !== undefined || q.upload !== undefined;
  const version = q.model_version !== undefined;
  return Prisma.sql`FROM "FaceState" s
    ${face ? Prisma.sql`JOIN "Face" f ON f."id" = s."faceId"` : Prisma.empty}
    ${
      version
        ? Prisma.sql`JOIN "Prediction" p ON p."id" = s."predictionId" JOIN "ModelVersion" m ON m."id" = p."modelVersionId"`
        : Prisma.empty
    }`;
}

const whereClause = (where: Prisma.Sql[]) =>
  where.length ? Prisma.sql`WHERE ${Prisma.join(where, " AND ")}` : Prisma.empty;

/** An exact count when the planner expects fewer rows than this; above, its estimate. */
const EXACT_COUNT_BELOW = 10_000;

function encodeCursor(key: Date | number, id: number): string {
  return Buffer.from(JSON.stringify([key instanceof Date ? key.toISOString() : key, id])).toString("base64url");
}

function decodeCursor(cursor: string, kind: "time" | "number"): [Date | number, number] {
  try {
    const [key, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [unknown, unknown];
    if (typeof id !== "number" || !Number.isInteger(id)) throw new Error("id");
    if (kind === "time" && typeof key === "string" && !Number.isNaN(Date.parse(key))) return [new Date(key), id];
    if (kind === "number" && typeof key === "number" && Number.isFinite(key)) return [key, id];
    throw new Error("key");
  } catch {
    throw new AppError(
      "bad_request",
      "cursor is not one this listing gave out (or belongs to another sort); start again without it.",
    );
  }
}

/**
 * Slack for the implied bounds: served probabilities sum to 1 within 1e-3 (the predictor refuses a
 * model whose outputs do not), and the slack only widens a bound, so no matching face is left out.
 */
const SLACK = 1e-3;

/**
 * Bounds that a range on one of confidence (top-1 probability) and margin (top-1 minus top-2) puts on
 * the other, for probabilities that sum to 1: margin ≤ confidence (as top-2 ≥ 0) and
 * margin ≥ 2 · confidence − 1 (as top-2 ≤ 1 − top-1). They never change
 * which faces match; they tell the planner where in the other column's index the matches start, which
 * it cannot know (the columns are correlated): "margin 0.2–0.3, most confident first" walked half a
 * million index entries before them, and now starts at confidence 0.65.
 */
function impliedBounds(q: FaceQuery): Prisma.Sql[] {
  const w: Prisma.Sql[] = [];
  if (q.margin_min !== undefined) w.push(Prisma.sql`s."confidence" >= ${q.margin_min - SLACK}`);
  if (q.margin_max !== undefined) w.push(Prisma.sql`s."confidence" <= ${(1 + q.margin_max) / 2 + SLACK}`);
  if (q.confidence_min !== undefined) w.push(Prisma.sql`s."margin" >= ${2 * q.confidence_min - 1 - SLACK}`);
  if (q.confidence_max !== undefined) w.push(Prisma.sql`s."margin" <= ${q.confidence_max + SLACK}`);
  return w;
}

/** The WHERE clause for the filters, as bind parameters. */
function filters(q: FaceQuery, viewer: { userId: number; admin: boolean }): Prisma.Sql[] {
  const w: Prisma.Sql[] = [];
  if (q.state) w.push(Prisma.sql`s."state" = ${q.state.toUpperCase()}::"ReviewState"`);
  if (q.label) w.push(Prisma.sql`s."consensusLabel" = ${q.label}`);
  if (q.predicted) w.push(Prisma.sql`s."label" = ${q.predicted}`);
  if (q.model_version) w.push(Prisma.sql`m."version" = ${q.model_version}`);
  if (q.confidence_min !== undefined) w.push(Prisma.sql`s."confidence" >= ${q.confidence_min}`);
  if (q.confidence_max !== undefined) w.push(Prisma.sql`s."confidence" <= ${q.confidence_max}`);
  if (q.margin_min !== undefined) w.push(Prisma.sql`s."margin" >= ${q.margin_min}`);
  if (q.margin_max !== undefined) w.push(Prisma.sql`s."margin" <= ${q.margin_max}`);
  w.push(...impliedBounds(q));
  if (q.flag === "suspect") w.push(Prisma.sql`s."suspect"`);
  if (q.flag === "disputed") w.push(Prisma.sql`s."disputed"`);
  if (q.golden) w.push(Prisma.sql`f."golden" = ${q.golden === "true"}`);
  if (q.upload) w.push(Prisma.sql`f."uploadId" = ${q.upload}`);
  if (q.from) w.push(Prisma.sql`s."predictedAt" >= ${q.from}`);
  if (q.to) w.push(Prisma.sql`s."predictedAt" <= ${q.to}`);
  if (q.verdict === "none") {
    w.push(Prisma.sql`s."verdicts" = 0`);
  } else if (q.verdict || q.reviewer) {
    // A named reviewer's verdicts; with a verdict kind alone, anyone's for an admin and the caller's own otherwise.
    const by = q.reviewer ?? (viewer.admin ? null : viewer.userId);
    const who = by === null ? Prisma.empty : Prisma.sql`AND r."reviewerId" = ${by}`;
    // Compared as the enum, not as text: only then does the planner know how common the verdict is
    // (as text it guessed 250 faces of 83,000 and counted them one by one).
    const kind = q.verdict ? Prisma.sql`AND r."verdict" = ${STORED_VERDICTS[q.verdict]}::"Verdict"` : Prisma.empty;
    w.push(Prisma.sql`EXISTS (SELECT 1 FROM "Review" r WHERE r."faceId" = s."faceId" ${who} ${kind})`);
  }
  return w;
}

/**
 * One page of faces for the dataset browser, newest first by default, with keyset pagination: the
 * cursor names the last row's sort key and id, so a page costs the same however deep it is. Reviewers
 * see predictions and their own verdicts; consensus, flags, golden marks and exclusion from training
 * are shown to admins.
 */
export async function listFaces(db: Db, q: FaceQuery, viewer: { userId: number; admin: boolean }) {
  if (!viewer.admin) {
    const used = ADMIN_FACE_FILTERS.filter((f) => q[f] !== undefined);
    if (used.length) throw new AppError("forbidden", `Only admins may filter by ${used.join(", ")}.`);
    if (q.reviewer !== undefined && q.reviewer !== viewer.userId) {
      throw new AppError("forbidden", "Reviewers may list their own verdicts only (reviewer must be your id).");
    }
  }
  const sort = sorts[q.sort];
  const matching = filters(q, viewer);
  const where = [...matching];
  if (q.cursor) {
    const [key, id] = decodeCursor(q.cursor, sort.kind);
    where.push(
      sort.desc
        ? Prisma.sql`(${sort.key}, s."faceId") < (${key}, ${id})`
        : Prisma.sql`(${sort.key}, s."faceId") > (${key}, ${id})`,
    );
  }
  const dir = sort.desc ? Prisma.sql`DESC` : Prisma.sql`ASC`;
  // The page and the count are independent: both go out at once.
  const pageQuery = db.$queryRaw<
    {
      id: number;
      uploadId: number;
      createdAt: Date;
      predictedAt: Date;
      golden: boolean;
      excluded: boolean;
      label: string;
      confidence: number;
      margin: number;
      mvId: number;
      mvVersion: number;
      mvName: string;
      state: string;
      consensusLabel: string | null;
      support: number;
      verdicts: number;
      needed: number;
      suspect: boolean;
      disputed: boolean;
      sortKey: Date | number;
    }[]
  >`SELECT f."id", f."uploadId", f."createdAt", s."predictedAt", f."golden",
           f."excludedAt" IS NOT NULL AS excluded, p."label", p."confidence", s."margin",
           m."id" AS "mvId", m."version" AS "mvVersion", m."name" AS "mvName", s."state"::text AS state,
           s."consensusLabel", s."support", s."verdicts", s."needed", s."suspect", s."disputed",
           ${sort.key} AS "sortKey"
    ${FROM} ${whereClause(where)}
    ORDER BY ${sort.key} ${dir}, s."faceId" ${dir}
    LIMIT ${q.limit + 1}`;
  const [rows, total] = await Promise.all([pageQuery, estimateCount(db, countFrom(q), matching)]);
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      id: r.id,
      crop_url: `/api/faces/${r.id}/crop.png`,
      upload_id: r.uploadId,
      created_at: r.createdAt.toISOString(),
      predicted_at: r.predictedAt.toISOString(),
      prediction: {
        label: r.label,
        confidence: r.confidence,
        margin: r.margin,
        model_version: { id: r.mvId, version: r.mvVersion, name: r.mvName },
      },
      ...(viewer.admin
        ? {
            golden: r.golden,
            excluded: r.excluded,
            consensus: {
              state: r.state.toLowerCase(),
              label: r.consensusLabel,
              support: r.support,
              verdicts: r.verdicts,
              needed: r.needed,
            },
            flags: faceFlags(r),
          }
        : { golden: null, excluded: null, consensus: null, flags: null }),
    })),
    next_cursor: rows.length > q.limit && last ? encodeCursor(last.sortKey, last.id) : null,
    total_estimate: total,
  };
}

/** `SELECT "faceId" …` of every face matching the filters (no sort, no page): bulk actions' selection. */
export function matchingFaceIds(q: FaceQuery): Prisma.Sql {
  return Prisma.sql`SELECT s."faceId" ${FROM} ${whereClause(filters(q, { userId: 0, admin: true }))}`;
}

/**
 * How many faces match: the planner's estimate, made exact when the match is small. The exact count
 * stops at EXACT_COUNT_BELOW + 1 rows, so a filter the planner misjudges (an EXISTS on verdicts, say)
 * costs a bounded scan, never a count of the whole table on every page.
 */
async function estimateCount(db: Db, from: Prisma.Sql, where: Prisma.Sql[]) {
  const whereSql = whereClause(where);
  const plan = await db.$queryRaw<{ "QUERY PLAN": [{ Plan: { "Plan Rows": number } }] }[]>`
    EXPLAIN (FORMAT JSON) SELECT 1 ${from} ${whereSql}`;
  const estimate = Math.round(plan[0]?.["QUERY PLAN"][0]?.Plan["Plan Rows"] ?? 0);
  if (estimate >= EXACT_COUNT_BELOW) return { count: estimate, exact: false };
  const rows = await db.$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM (SELECT 1 ${from} ${whereSql} LIMIT ${EXACT_COUNT_BELOW + 1}) AS capped`;
  const n = Number(rows[0]?.n ?? 0);
  if (n > EXACT_COUNT_BELOW) return { count: Math.max(estimate, n), exact: false };
  return { count: n, exact: true };
}
