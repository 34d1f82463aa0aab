import crypto from "node:crypto";
import pg from "pg";
import { hashToken } from "@/lib/auth/tokens";
import { EMOTION_LABELS } from "@/lib/model/labels";
import { getEnv } from "@/lib/env/env";
import { createTestDatabase, type TestDatabase } from "@/test/support/database";

/**
 * A review database as after long use, written with set-based SQL: faces, one prediction each,
 * verdicts on most of them, and each face's review state and the queue tally computed the way the
 * consensus_queue triggers compute them. The row triggers are off while the rows go in (a million
 * trigger calls would take most of an hour) and on again before the transaction commits.
 */
export interface SeedOptions {
  faces: number;
  reviewers: number;
  /** random()'s seed in the seeding session: the same options give the same data. */
  seed: number;
  log?: (line: string) => void;
}

export interface SeedResult {
  /** Secrets of the reviewers' API tokens, one per reviewer, in reviewer order. */
  tokens: string[];
  reviewerIds: number[];
  adminId: number;
  modelVersionId: number;
  counts: {
    faces: number;
    reviews: number;
    reviewedFaces: number;
    openFaces: number;
    openWithVerdict: number;
    needTwo: number;
    agreed: number;
    conflicts: number;
    secondLooks: number;
    suspect: number;
    verdictsNeeded: number;
  };
  /** Seconds per step, in order. */
  steps: { step: string; seconds: number }[];
  seconds: number;
  /** Faces whose stored state was compared with refresh_face_state (the trigger's own function). */
  checkedAgainstTrigger: number;
}

/** Share of faces with at least one verdict. */
export const REVIEWED_SHARE = 0.9;
/** Of the faces that need two verdicts: share with both, and share with one (still open). */
export const TWO_VERDICTS_SHARE = 0.6;
export const ONE_OF_TWO_SHARE = 0.3;
/** Of the faces with two verdicts: share where the second reviewer gave another label (a conflict). */
export const DISAGREE_SHARE = 0.1;
/** Share of seeded verdicts that are "incorrect" with a corrected label. */
export const INCORRECT_SHARE = 0.3;
/** The settings the seeded states follow: one verdict per face, one more for 10 %, no controls. */
export const SEED_SETTINGS = { verdictsPerFace: 1, extraReviewShare: 0.1, controlShare: 0, seed: "emotion-loop" };

const UPLOADS = 8;
const TABLES = ["Prediction", "Review", "FaceState"] as const;

export async function seedReviewDatabase(url: string, o: SeedOptions): Promise<SeedResult> {
  if (o.reviewers < 2) throw new Error("the seed needs at least 2 reviewers (faces with two verdicts)");
  const log = o.log ?? (() => {});
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const steps: SeedResult["steps"] = [];
  const t0 = performance.now();
  const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const out = await run();
    const seconds = (performance.now() - t) / 1000;
    steps.push({ step: name, seconds });
    log(`  seed: ${name} — ${seconds.toFixed(1)} s`);
    return out;
  };
  const labels = [...EMOTION_LABELS];
  try {
    await client.query("BEGIN");
    await client.query("SELECT setseed($1)", [((o.seed % 1000) + 1) / 1001]);
    for (const t of TABLES) await client.query(`ALTER TABLE "${t}" DISABLE TRIGGER USER`);

    const { adminId, reviewerIds, tokens, modelVersionId, uploadIds } = await step(
      "settings, users, tokens, model version, uploads",
      async () => {
        await client.query(
          `INSERT INTO "ReviewSettings" ("id", "verdictsPerFace", "extraReviewShare", "controlShare", "seed")
           VALUES (1, $1, $2, $3, $4)
           ON CONFLICT ("id") DO UPDATE SET "verdictsPerFace" = $1, "extraReviewShare" = $2, "controlShare" = $3, "seed" = $4`,
          [
            SEED_SETTINGS.verdictsPerFace,
            SEED_SETTINGS.extraReviewShare,
            SEED_SETTINGS.controlShare,
            SEED_SETTINGS.seed,
          ],
        );
        const admin = await client.query<{ id: number }>(
          `INSERT INTO "User" ("email", "name", "passwordHash", "role", "updatedAt")
           VALUES ('bench-admin@bench.test', 'Bench admin', 'not-a-real-hash', 'ADMIN', now()) RETURNING "id"`,
        );
        const reviewers = await client.query<{ id: number }>(
          `INSERT INTO "User" ("email", "name", "passwordHash", "role", "updatedAt")
           SELECT format('reviewer-%s@bench.test', lpad(g::text, 3, '0')), format('Reviewer %s', g), 'not-a-real-hash', 'REVIEWER', now()
           FROM generate_series(1, $1) AS g ORDER BY g RETURNING "id"`,
          [o.reviewers],
        );
        const ids = reviewers.rows.map((r) => r.id).sort((a, b) => a - b);
        // As lib/auth/tokens.ts makes them: the secret stays here, the database keeps its hash and prefix.
        const secrets = ids.map(() => "elt_" + crypto.randomBytes(32).toString("base64url"));
        await client.query(
          `INSERT INTO "ApiToken" ("userId", "name", "prefix", "tokenHash")
           SELECT u, 'bench', p, h FROM unnest($1::int[], $2::text[], $3::text[]) AS t(u, p, h)`,
          [ids, secrets.map((s) => s.slice(0, 10)), secrets.map((s) => hashToken(s))],
        );
        // An existing active version with the same labels is reused (the embedded database's baseline).
        const found = await client.query<{ id: number }>(
          `SELECT "id" FROM "ModelVersion" WHERE "status" = 'ACTIVE' AND "labels" = $1::text[] ORDER BY "id" LIMIT 1`,
          [labels],
        );
        const mv =
          found.rows[0]?.id ??
          (
            await client.query<{ id: number }>(
              `INSERT INTO "ModelVersion" ("version", "name", "status", "artifactPath", "checksum", "labels", "metadata", "activatedAt")
               SELECT COALESCE(max("version"), 0) + 1, 'bench', 'ACTIVE', 'versions/bench', repeat('0', 64), $1::text[],
                      jsonb_build_object('labels', to_jsonb($1::text[]), 'inputShape', '[48, 48, 1]'::jsonb, 'preprocessing', 'unit'),
                      now()
               FROM "ModelVersion" RETURNING "id"`,
              [labels],
            )
          ).rows[0]!.id;
        const uploads = await client.query<{ id: number }>(
          `INSERT INTO "Upload" ("userId", "sha256", "format", "bytes", "width", "height", "isFaceCrop", "imagePath", "createdAt")
           SELECT $1, lpad(to_hex(g), 64, 'b'), 'png', 2304, 48, 48, true, format('uploads/bench-%s.png', g),
                  now() - interval '365 days'
           FROM generate_series(1, $2) AS g ORDER BY g RETURNING "id"`,
          [admin.rows[0]!.id, UPLOADS],
        );
        return {
          adminId: admin.rows[0]!.id,
          reviewerIds: ids,
          tokens: secrets,
          modelVersionId: mv,
          uploadIds: uploads.rows.map((r) => r.id).sort((a, b) => a - b),
        };
      },
    );

    // Ids continue after whatever the database already holds.
    const base = await client.query<{ face: number; prediction: number }>(
      `SELECT (SELECT COALESCE(max("id"), 0) FROM "Face") AS face, (SELECT COALESCE(max("id"), 0) FROM "Prediction") AS prediction`,
    );
    const faceBase = base.rows[0]!.face;
    const predictionBase = base.rows[0]!.prediction;

    await step(`${o.faces.toLocaleString("en")} faces`, () =>
      client.query(
        `INSERT INTO "Face" ("id", "uploadId", "position", "boxX", "boxY", "boxWidth", "boxHeight", "detectionScore",
                             "cropPath", "cropSha256", "createdAt")
         SELECT $1::int + g, ($3::int[])[1 + (g - 1) % $4::int], (g - 1) / $4::int, 0, 0, 48, 48, 0.5 + 0.5 * random(),
                format('crops/%s.png', lpad(to_hex($1::int + g), 64, '0')), lpad(to_hex($1::int + g), 64, '0'),
                now() - interval '365 days' * (1 - g::float8 / $2::int)
         FROM generate_series(1, $2::int) AS g`,
        [faceBase, o.faces, uploadIds, uploadIds.length],
      ),
    );

    // Seven probabilities per face: exp(sharpness × uniform) normalized, with a sharpness drawn per
    // face, so confidence runs from about 0.2 to near 1 and the margin from 0 to about 0.9.
    await step(`${o.faces.toLocaleString("en")} predictions`, () =>
      client.query(
        `INSERT INTO "Prediction" ("id", "faceId", "modelVersionId", "label", "confidence", "probabilities", "margin", "createdAt")
         SELECT $1::int + g, $2::int + g, $4::int, ($5::text[])[r.top], r.e1 / r.total, pr.probs, (r.e1 - r.e2) / r.total,
                now() - interval '365 days' * (1 - g::float8 / $3::int)
         FROM generate_series(1, $3::int) AS g
         CROSS JOIN LATERAL (SELECT 0.5 + 6 * random() AS sharp, g AS face) AS k
         CROSS JOIN LATERAL (
           SELECT array_agg(w.e ORDER BY w.i) AS raw, sum(w.e) AS total,
                  (array_agg(w.i ORDER BY w.e DESC))[1] AS top,
                  (array_agg(w.e ORDER BY w.e DESC))[1] AS e1,
                  (array_agg(w.e ORDER BY w.e DESC))[2] AS e2
           FROM (SELECT i, exp(k.sharp * random()) AS e FROM generate_series(1, 7) AS i WHERE k.face > 0) AS w
         ) AS r
         CROSS JOIN LATERAL (
           SELECT ARRAY(SELECT u.v / r.total FROM unnest(r.raw) WITH ORDINALITY AS u(v, i) ORDER BY u.i) AS probs
         ) AS pr`,
        [predictionBase, faceBase, o.faces, modelVersionId, labels],
      ),
    );

    // The plan: how many verdicts each face has, from whom, and what they said.
    await step("review plan", async () => {
      await client.query(
        `CREATE TEMP TABLE bench_plan ON COMMIT DROP AS
         SELECT x.*,
                CASE WHEN x.given = 0 THEN NULL WHEN x.given = 1 OR x.l1 = x.l2 THEN x.l1 END AS consensus,
                CASE WHEN x.given = 2 AND x.l1 <> x.l2 THEN 1 ELSE x.given END AS support,
                x.given = 2 AND x.l1 <> x.l2 AS disputed
         FROM (
           SELECT y.*,
                  CASE WHEN y.inc1 THEN y.c1 ELSE y.label END AS l1,
                  CASE WHEN y.given < 2 THEN NULL
                       WHEN NOT y.disagree THEN CASE WHEN y.inc1 THEN y.c1 ELSE y.label END
                       WHEN y.inc1 THEN y.label
                       ELSE y.c2 END AS l2,
                  CASE WHEN y.given < 2 THEN NULL WHEN y.disagree THEN NOT y.inc1 ELSE y.inc1 END AS inc2,
                  ($4::int[])[1 + (y.r1 + 1 + floor(random() * ($3::int - 1))::int) % $3::int] AS reviewer2,
                  ($4::int[])[1 + y.r1] AS reviewer1
           FROM (
             SELECT p."faceId" AS face_id, p."id" AS prediction_id, p."label", p."confidence", p."probabilities", p."margin",
                    p."createdAt" AS predicted_at, n.needed,
                    CASE WHEN n.needed = 1 THEN (CASE WHEN random() < $5::float8 THEN 1 ELSE 0 END)
                         ELSE (SELECT CASE WHEN u < $6::float8 THEN 2 WHEN u < $6::float8 + $7::float8 THEN 1 ELSE 0 END
                               FROM (SELECT random() + 0 * p."id" AS u) AS d)
                    END AS given,
                    random() < $8::float8 AS inc1,
                    random() < $9::float8 AS disagree,
                    ($2::text[])[1 + (array_position($2::text[], p."label") + floor(random() * 6)::int) % 7] AS c1,
                    ($2::text[])[1 + (array_position($2::text[], p."label") + floor(random() * 6)::int) % 7] AS c2,
                    floor(random() * $3::int)::int AS r1,
                    random() AS t1, random() AS t2, 500 + floor(random() * 4500)::int AS d1, 500 + floor(random() * 4500)::int AS d2
             FROM "Prediction" p
             -- face_needed() under the seeded settings, inline: the function runs a query per call.
             CROSS JOIN LATERAL (
               SELECT $10::int + CASE WHEN review_share_key($11::text, p."faceId") < $12::float8 THEN 1 ELSE 0 END AS needed
             ) AS n
             WHERE p."id" > $1::int
           ) AS y
         ) AS x`,
        [
          predictionBase,
          labels,
          reviewerIds.length,
          reviewerIds,
          REVIEWED_SHARE,
          TWO_VERDICTS_SHARE,
          ONE_OF_TWO_SHARE,
          INCORRECT_SHARE,
          DISAGREE_SHARE,
          SEED_SETTINGS.verdictsPerFace,
          SEED_SETTINGS.seed,
          SEED_SETTINGS.extraReviewShare,
        ],
      );
    });

    await step("reviews", () =>
      client.query(
        `INSERT INTO "Review" ("predictionId", "faceId", "reviewerId", "verdict", "correctedLabel", "durationMs", "createdAt", "updatedAt")
         SELECT prediction_id, face_id, reviewer, verdict::"Verdict", corrected, duration, at, at FROM (
           SELECT face_id, 1 AS k, prediction_id, reviewer1 AS reviewer,
                  CASE WHEN inc1 THEN 'INCORRECT' ELSE 'CORRECT' END AS verdict, CASE WHEN inc1 THEN l1 END AS corrected,
                  d1 AS duration, LEAST(now(), predicted_at + interval '3 days' * t1) AS at
           FROM bench_plan WHERE given >= 1
           UNION ALL
           SELECT face_id, 2, prediction_id, reviewer2,
                  CASE WHEN inc2 THEN 'INCORRECT' ELSE 'CORRECT' END, CASE WHEN inc2 THEN l2 END,
                  d2, LEAST(now(), predicted_at + interval '3 days' * GREATEST(t1, t2))
           FROM bench_plan WHERE given = 2
         ) AS v ORDER BY face_id, k`,
      ),
    );

    // What refresh_face_state would have written after the last verdict (see the consensus_queue and
    // flags_by_active_version migrations): a suspect face with all its verdicts is sent back once
    // for one more; the flags are judged for the one version, which served every face.
    await step("face states", () =>
      client.query(
        `INSERT INTO "FaceState" ("faceId", "predictionId", "label", "confidence", "margin", "predictedAt", "shuffle", "needed", "verdicts",
                                  "open", "state", "consensusLabel", "support", "disputed", "suspect", "secondLook", "flagsVersionId", "updatedAt")
         SELECT face_id, prediction_id, label, confidence, margin, predicted_at, random(), need, given,
                state = 'OPEN', state::"ReviewState", consensus, support, disputed, suspect, second, $2::int, now()
         FROM (
           SELECT z.*, CASE WHEN z.given < z.need THEN 'OPEN' WHEN z.consensus IS NOT NULL THEN 'AGREED' ELSE 'CONFLICT' END AS state
           FROM (
             SELECT b.*, s.suspect,
                    CASE WHEN s.suspect AND b.given >= b.needed THEN b.given + 1 ELSE b.needed END AS need,
                    s.suspect AND b.given >= b.needed AS second
             FROM bench_plan b
             CROSS JOIN LATERAL (
               SELECT COALESCE(b."probabilities"[array_position($1::text[], b.consensus)] < 0.10
                        AND (SELECT max(v) FROM unnest(b."probabilities") WITH ORDINALITY AS x(v, i)
                             WHERE i <> array_position($1::text[], b.consensus)) >= 0.70, false) AS suspect
             ) AS s
           ) AS z
         ) AS f ORDER BY face_id`,
        [labels, modelVersionId],
      ),
    );

    await step("queue tally", async () => {
      for (const t of TABLES) await client.query(`ALTER TABLE "${t}" ENABLE TRIGGER USER`);
      // The whole table, so any face the database held before is counted too.
      await client.query(`DELETE FROM "QueueTally"`);
      await client.query(
        `INSERT INTO "QueueTally" ("shard", "openFaces", "verdictsNeeded", "conflicts")
         SELECT "faceId" % 16, count(*) FILTER (WHERE "open"),
                COALESCE(sum(GREATEST("needed" - "verdicts", 0)) FILTER (WHERE "open"), 0),
                count(*) FILTER (WHERE "state" = 'CONFLICT')
         FROM "FaceState" GROUP BY 1`,
      );
      for (const [table, column] of [
        ["User", "id"],
        ["Upload", "id"],
        ["Face", "id"],
        ["Prediction", "id"],
      ] as const) {
        await client.query(
          `SELECT setval(pg_get_serial_sequence('"${table}"', '${column}'), (SELECT max("${column}") FROM "${table}"))`,
        );
      }
    });
    await step("commit", () => client.query("COMMIT"));

    // As a database in use for long would be: vacuumed (visibility map, hint bits) and analyzed, so
    // autovacuum does not start on these tables in the middle of the measurement.
    await step("vacuum analyze", () =>
      client.query(
        `VACUUM (ANALYZE) "User", "ApiToken", "Upload", "Face", "Prediction", "Review", "FaceState", "QueueTally", "ReviewSettings"`,
      ),
    );

    const checked = await step("check against the triggers", () => checkAgainstTriggers(client, faceBase));
    const counts = await step("counts", () => countSeed(client));
    return {
      tokens,
      reviewerIds,
      adminId,
      modelVersionId,
      counts,
      steps,
      seconds: (performance.now() - t0) / 1000,
      checkedAgainstTrigger: checked,
    };
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
}

/**
 * The tally must equal the states, and the states what the triggers' own function makes of the
 * verdicts: on a sample of each kind of face, refresh_face_state runs in a transaction that is
 * rolled back, and every column it writes must come out as seeded.
 */
async function checkAgainstTriggers(client: pg.Client, faceBase: number): Promise<number> {
  const tally = await client.query<{ tally: string | null; open: string }>(
    `SELECT (SELECT sum("openFaces") FROM "QueueTally") AS tally, (SELECT count(*) FROM "FaceState" WHERE "open") AS open`,
  );
  const { tally: sum, open } = tally.rows[0]!;
  if (String(sum ?? 0) !== open) throw new Error(`QueueTally says ${sum ?? 0} open faces, FaceState has ${open}`);

  const columns = `"needed", "verdicts", "open", "state", "consensusLabel", "support", "disputed", "suspect", "secondLook", "flagsVersionId"`;
  await client.query("BEGIN");
  try {
    await client.query(
      `CREATE TEMP TABLE bench_check ON COMMIT DROP AS
       SELECT "faceId", ${columns} FROM (
         SELECT s.*, row_number() OVER (PARTITION BY kind ORDER BY random()) AS n FROM (
           SELECT fs.*, CASE WHEN "state" = 'CONFLICT' THEN 'conflict' WHEN "secondLook" THEN 'second'
                             WHEN "open" AND "verdicts" > 0 THEN 'partial' WHEN "open" THEN 'open'
                             WHEN "needed" = 2 THEN 'two' ELSE 'one' END AS kind
           FROM "FaceState" fs WHERE "faceId" > $1
         ) AS s
       ) AS t WHERE n <= 200`,
      [faceBase],
    );
    await client.query(`SELECT refresh_face_state("faceId") FROM bench_check`);
    const diff = await client.query<{ faceId: number }>(
      `SELECT c."faceId" FROM bench_check c JOIN "FaceState" s USING ("faceId")
       WHERE s."needed" - s."secondLook"::int <> face_needed(s."faceId")
          OR (c."needed", c."verdicts", c."open", c."state", c."consensusLabel", c."support", c."disputed", c."suspect", c."secondLook")
             IS DISTINCT FROM
             (s."needed", s."verdicts", s."open", s."state", s."consensusLabel", s."support", s."disputed", s."suspect", s."secondLook")`,
    );
    const n = await client.query<{ n: string }>(`SELECT count(*) AS n FROM bench_check`);
    if (diff.rows.length) {
      throw new Error(
        `${diff.rows.length} seeded face states differ from what refresh_face_state makes of their verdicts (faces ${diff.rows
          .slice(0, 10)
          .map((r) => r.faceId)
          .join(", ")})`,
      );
    }
    return Number(n.rows[0]!.n);
  } finally {
    await client.query("ROLLBACK");
  }
}

async function countSeed(client: pg.Client): Promise<SeedResult["counts"]> {
  const r = await client.query<Record<keyof SeedResult["counts"], string>>(
    `SELECT count(*) AS faces,
            (SELECT count(*) FROM "Review") AS reviews,
            count(*) FILTER (WHERE "verdicts" > 0) AS "reviewedFaces",
            count(*) FILTER (WHERE "open") AS "openFaces",
            count(*) FILTER (WHERE "open" AND "verdicts" > 0) AS "openWithVerdict",
            count(*) FILTER (WHERE "needed" - CASE WHEN "secondLook" THEN 1 ELSE 0 END = 2) AS "needTwo",
            count(*) FILTER (WHERE "state" = 'AGREED') AS agreed,
            count(*) FILTER (WHERE "state" = 'CONFLICT') AS conflicts,
            count(*) FILTER (WHERE "secondLook") AS "secondLooks",
            count(*) FILTER (WHERE "suspect") AS suspect,
            COALESCE(sum("needed" - "verdicts") FILTER (WHERE "open"), 0) AS "verdictsNeeded"
     FROM "FaceState"`,
  );
  const row = r.rows[0]!;
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)])) as SeedResult["counts"];
}

/**
 * A fresh database (on TEST_DATABASE_URL's server, else an embedded one) seeded with `faces` faces
 * and 8 reviewers as the scale benches (browse, stats) read it, saying where and how long.
 */
export async function seedFreshDatabase(faces: number): Promise<{ database: TestDatabase; seed: SeedResult }> {
  if (!getEnv().TEST_DATABASE_URL) console.log("TEST_DATABASE_URL is unset: seeding an embedded database.");
  const database = await createTestDatabase();
  try {
    console.log(`seeding ${faces.toLocaleString("en")} faces …`);
    const seed = await seedReviewDatabase(database.url, { faces, reviewers: 8, seed: 1, log: () => {} });
    console.log(`seeded in ${seed.seconds.toFixed(1)} s`);
    return { database, seed };
  } catch (err) {
    await database.drop();
    throw err;
  }
}
