import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MOVED_MARKER, movePgliteDataOnce, parentsFirst, pendingPgliteDir } from "@/lib/db/move-pglite";
import { createDb } from "@/lib/db/client";
import { createTestDatabase, type TestDatabase } from "@/test/support/database";
import { makePgliteInstall } from "@/test/support/pglite-install";

// The data of an install from before the embedded PostgreSQL, in a real PGlite folder made here with
// the project's migrations, moved into a real migrated PostgreSQL database (TEST_DATABASE_URL's
// server, or an embedded one).

const TABLES = [
  "User",
  "ApiToken",
  "Upload",
  "Face",
  "ModelVersion",
  "Prediction",
  "Review",
  "AuditLog",
  "TrainingJob",
];

/** The schema of the last install that kept its data in PGlite (before the consensus queue). */
const PGLITE_ERA = 3;

/** Rows of every kind, with the values most likely to come out changed: quotes, unicode, NULLs,
 * milliseconds, floats without a short decimal form, arrays, nested JSON, a self-reference, and ids
 * with gaps (deleted rows) so that a sequence must continue past the largest id, not the count. */
const SEED = `
INSERT INTO "User" (email, name, "passwordHash", role, "disabledAt", "createdAt", "updatedAt") VALUES
  ('admin@example.test', 'Ada "Admin" O''Neil', '$argon2id$v=19$m=19456,t=2,p=1$abc$def', 'ADMIN', NULL, '2026-01-02 03:04:05.678', '2026-01-02 03:04:05.678'),
  ('gone@example.test', NULL, 'x', 'REVIEWER', NULL, '2026-01-03 00:00:00', '2026-01-03 00:00:00'),
  ('rev@example.test', 'Zoë Ødegård — 評価', 'y', 'REVIEWER', '2026-02-01 12:00:00.001', '2026-01-04 00:00:00', '2026-01-05 00:00:00');
DELETE FROM "User" WHERE email = 'gone@example.test';
INSERT INTO "ApiToken" ("userId", name, prefix, "tokenHash", "lastUsedAt") VALUES (1, 'ci', 'el_ab', 'hash1', '2026-03-01 00:00:00.5');
INSERT INTO "Upload" ("userId", sha256, format, bytes, width, height, "isFaceCrop", "imagePath", "createdAt") VALUES
  (1, repeat('a', 64), 'jpeg', 12345, 640, 480, false, 'uploads/a.jpg', '2026-01-06 00:00:00'),
  (3, repeat('b', 64), 'png', 999, 48, 48, true, 'uploads/b.png', '2026-01-07 00:00:00');
INSERT INTO "Face" ("uploadId", position, "boxX", "boxY", "boxWidth", "boxHeight", "detectionScore", "cropPath", "cropSha256", golden, "goldenAt", "goldenById") VALUES
  (1, 0, 1, 2, 30, 40, 0.9876543210987654, 'faces/1.png', repeat('c', 64), true, '2026-01-08 00:00:00', 1),
  (1, 1, 5, 6, 70, 80, NULL, 'faces/2.png', repeat('d', 64), false, NULL, NULL),
  (2, 0, 0, 0, 48, 48, 1, 'faces/3.png', repeat('e', 64), false, NULL, NULL);
INSERT INTO "ModelVersion" (version, name, status, "statusReason", "artifactPath", checksum, labels, metadata, metrics, "parentId", "activatedAt", "activatedById") VALUES
  (1, 'baseline', 'ARCHIVED', NULL, 'baseline', repeat('0', 64), '{angry,disgust,fear,happy,sad,surprise,neutral}',
   '{"labels": ["angry"], "inputShape": [48, 48, 1], "nested": {"a": [1, 2.5, null, "x\\"y"]}}', '{"accuracy": 0.6473}', NULL, '2026-01-01 00:00:00', NULL),
  (2, 'v2', 'ACTIVE', 'passed the gate', 'versions/v2', repeat('1', 64), '{angry,"with space","with,comma"}',
   '{}', NULL, 1, '2026-01-09 00:00:00', 1);
INSERT INTO "Prediction" ("faceId", "modelVersionId", label, confidence, probabilities, margin, "claimedById", "claimExpiresAt") VALUES
  (1, 2, 'happy', 0.30000000000000004, '{0.1,0.2,0.30000000000000004,1e-300,0,0,0.39999999999999997}', 0.1, 3, '2026-01-10 00:00:00.999'),
  (2, 2, 'sad', 0.5, '{0.5,0.5,0,0,0,0,0}', 0, NULL, NULL),
  (3, 1, 'fear', 1, '{0,0,1,0,0,0,0}', 1, NULL, NULL);
DELETE FROM "Prediction" WHERE id = 3;
INSERT INTO "Review" ("predictionId", "reviewerId", verdict, "correctedLabel", note, "updatedAt") VALUES
  (1, 3, 'CORRECT', NULL, NULL, '2026-01-11 00:00:00'),
  (2, 3, 'INCORRECT', 'angry', E'line one\\nline two\\ttab \\\\ backslash', '2026-01-12 00:00:00'),
  (2, 1, 'INCORRECT', 'neutral', '', '2026-01-13 00:00:00');
INSERT INTO "AuditLog" ("actorId", action, "targetType", "targetId", details) VALUES
  (1, 'model.activate', 'ModelVersion', '2', '{"from": 1, "to": 2}'),
  (NULL, 'system.start', 'System', NULL, NULL);
INSERT INTO "TrainingJob" (status, params, "baseVersionId", "candidateVersionId", snapshot, "snapshotHash", "snapshotSize", progress, curves, log, error, decision, "workerId", "createdById", "startedAt", "finishedAt", "heartbeatAt") VALUES
  ('SUCCEEDED', '{"epochs": 2}', 1, 2, '{"faces": [1, 2]}', 'abc123', 2, '{"epoch": 2, "batch": 1}', '[{"epoch": 1, "loss": 1.25}]', E'line\\nline', NULL, '{"promote": true}', 'host:123', 1, '2026-01-09 00:00:00', '2026-01-09 00:10:00', '2026-01-09 00:10:00'),
  ('FAILED', '{}', 2, NULL, NULL, NULL, NULL, NULL, NULL, '', 'stopped responding', NULL, NULL, 3, NULL, '2026-01-14 00:00:00', NULL);
`;

/** Every row of a table as JSON, in id order: what the app would read back. */
async function rowsOf(query: (sql: string) => Promise<{ rows: unknown[] }>, table: string) {
  const r = await query(`SELECT to_jsonb(t)::text AS row FROM "${table}" t ORDER BY id`);
  return (r.rows as { row: string }[]).map((x) => JSON.parse(x.row) as Record<string, unknown>);
}

async function countAll(client: pg.Client) {
  const counts: Record<string, number> = {};
  for (const t of TABLES) counts[t] = Number((await client.query(`SELECT count(*) FROM "${t}"`)).rows[0].count);
  return counts;
}

// Each PGlite start (WASM Postgres, recovery included) takes seconds on a busy machine.
describe("moving an earlier PGlite install into PostgreSQL", { timeout: 240_000 }, () => {
  let target: TestDatabase;
  let client: pg.Client;
  let dataDir: string;
  const log: string[] = [];

  beforeAll(async () => {
    target = await createTestDatabase();
    client = new pg.Client({ connectionString: target.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await target?.drop();
  });
  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "el-move-"));
    log.length = 0;
    await client.query(`TRUNCATE ${TABLES.map((t) => `"${t}"`).join(", ")} RESTART IDENTITY CASCADE`);
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const move = (pgliteDir: string) => movePgliteDataOnce({ pgliteDir, url: target.url, log: (l) => log.push(l) });

  it("copies every row with its id and values, continues the sequences, and runs once", async () => {
    const pgliteDir = await makePgliteInstall(dataDir, { migrations: PGLITE_ERA, seed: SEED });
    expect(pendingPgliteDir(dataDir)).toBe(pgliteDir);

    const report = await move(pgliteDir);
    expect(report?.alreadyThere).toBe(false);
    // Parents before children, and every table with its count.
    expect(Object.fromEntries(report!.tables.map((t) => [t.table, t.rows]))).toEqual({
      User: 2,
      ApiToken: 1,
      Upload: 2,
      Face: 3,
      ModelVersion: 2,
      Prediction: 2,
      Review: 3,
      AuditLog: 2,
      TrainingJob: 2,
      // Created by later migrations; nothing in them.
      SignInThrottle: 0,
      ReviewSettings: 0,
      Adjudication: 0,
      FaceScore: 0,
      Import: 0,
      Video: 0,
      VideoTrack: 0,
    });
    const order = report!.tables.map((t) => t.table);
    for (const [child, parent] of [
      ["Face", "Upload"],
      ["Prediction", "ModelVersion"],
      ["Review", "Prediction"],
      ["TrainingJob", "User"],
    ]) {
      expect(order.indexOf(child!)).toBeGreaterThan(order.indexOf(parent!));
    }

    const old = await PGlite.create(pgliteDir);
    try {
      for (const t of TABLES) {
        const before = await rowsOf((sql) => old.query(sql), t);
        expect(before.length).toBeGreaterThan(0);
        const after = await rowsOf((sql) => client.query(sql), t);
        // The columns both schemas have: the claim left Prediction, Review gained its face.
        const shared = (row: Record<string, unknown>) =>
          Object.fromEntries(Object.entries(row).filter(([k]) => k in before[0]! && k in after[0]!));
        expect(after.map(shared), t).toEqual(before.map(shared));
      }
    } finally {
      await old.close();
    }

    // Derived on the way in: each verdict's face, each face's review state, the golden face's label.
    const reviews = (
      await client.query(
        `SELECT r."faceId", p."faceId" AS expected FROM "Review" r JOIN "Prediction" p ON p.id = r."predictionId"`,
      )
    ).rows;
    expect(reviews.length).toBe(3);
    for (const r of reviews) expect(r.faceId).toBe(r.expected);
    const states = (
      await client.query(`SELECT "faceId", verdicts, "consensusLabel", state::text FROM "FaceState" ORDER BY "faceId"`)
    ).rows;
    expect(states).toEqual([
      { faceId: 1, verdicts: 1, consensusLabel: "happy", state: expect.stringMatching(/OPEN|AGREED/) },
      // Two reviewers, two labels (angry, neutral): no majority.
      { faceId: 2, verdicts: 2, consensusLabel: null, state: "CONFLICT" },
    ]);
    expect((await client.query(`SELECT "goldenLabel" FROM "Face" WHERE id = 1`)).rows).toEqual([
      { goldenLabel: "happy" },
    ]);

    // New rows continue after the largest id (User 3 after the deleted 2, Prediction 3 after 2).
    const prisma = createDb(target.url);
    try {
      const user = await prisma.user.create({ data: { email: "new@example.test", passwordHash: "z" } });
      expect(user.id).toBe(4);
      const job = await prisma.trainingJob.create({ data: { params: {}, createdById: user.id } });
      expect(job.id).toBe(3);
    } finally {
      await prisma.$disconnect();
    }

    expect(fs.readFileSync(path.join(pgliteDir, MOVED_MARKER), "utf8")).toMatch(/^Moved to PostgreSQL on .*User 2, /);
    expect(log.join("\n")).toMatch(new RegExp(`The old folder stays at ${pgliteDir}`));
    expect(pendingPgliteDir(dataDir)).toBeNull();

    // Once: the second run leaves the database alone.
    const counts = await countAll(client);
    expect(await move(pgliteDir)).toBeNull();
    expect(await countAll(client)).toEqual(counts);
  });

  it("moves an install at the first migration's schema: the columns it had, defaults for the rest", async () => {
    const seed = `
      INSERT INTO "User" (email, "passwordHash", "updatedAt") VALUES ('old@example.test', 'x', '2025-12-01 00:00:00');
      INSERT INTO "Upload" ("userId", sha256, format, bytes, width, height, "imagePath") VALUES (1, 'f', 'jpeg', 1, 1, 1, 'u.jpg');
      INSERT INTO "Face" ("uploadId", position, "boxX", "boxY", "boxWidth", "boxHeight", "cropPath", "cropSha256") VALUES (1, 0, 0, 0, 1, 1, 'f.png', 'f');`;
    const pgliteDir = await makePgliteInstall(dataDir, { migrations: 1, seed });
    const report = await move(pgliteDir);
    expect(report!.tables.find((t) => t.table === "Face")?.rows).toBe(1);
    expect(report!.tables.find((t) => t.table === "TrainingJob")?.rows).toBe(0);
    const face = (await client.query(`SELECT id, "cropPath", golden, "goldenById" FROM "Face"`)).rows;
    expect(face).toEqual([{ id: 1, cropPath: "f.png", golden: false, goldenById: null }]);
  });

  it.each([
    [
      "a row the new schema refuses (a duplicate review, once the unique index is gone)",
      `DROP INDEX "Review_predictionId_reviewerId_key";`,
      SEED +
        `INSERT INTO "Review" ("predictionId", "reviewerId", verdict, "updatedAt") VALUES (1, 3, 'CORRECT', now());`,
      /Copying table "Review" failed: duplicate key value violates unique constraint "Review_predictionId_reviewerId_key"/,
    ],
    [
      "a table with rows that the new schema does not have",
      `CREATE TABLE "Legacy" (id SERIAL PRIMARY KEY); INSERT INTO "Legacy" DEFAULT VALUES;`,
      SEED,
      /PGlite table "Legacy" has 1 rows and the new database has no such table/,
    ],
  ])("moves nothing and writes no marker on %s", async (_name, extra, seed, error) => {
    const pgliteDir = await makePgliteInstall(dataDir, { migrations: PGLITE_ERA, extra, seed });
    await expect(move(pgliteDir)).rejects.toThrow(error);
    expect(Object.values(await countAll(client)).every((n) => n === 0)).toBe(true);
    expect(fs.existsSync(path.join(pgliteDir, MOVED_MARKER))).toBe(false);
    expect(pendingPgliteDir(dataDir)).toBe(pgliteDir);
  });

  it("refuses a database that already holds other rows, and recognises one holding exactly these", async () => {
    const pgliteDir = await makePgliteInstall(dataDir, { migrations: PGLITE_ERA, seed: SEED });
    await client.query(
      `INSERT INTO "User" (email, "passwordHash", "updatedAt") VALUES ('other@example.test', 'x', now())`,
    );
    await expect(move(pgliteDir)).rejects.toThrow(/already holds rows \(User 1\) that differ from the PGlite data/);
    expect(fs.existsSync(path.join(pgliteDir, MOVED_MARKER))).toBe(false);

    // A move that committed but stopped before its marker: the next start only writes the marker.
    await client.query(`TRUNCATE "User" RESTART IDENTITY CASCADE`);
    await move(pgliteDir);
    fs.rmSync(path.join(pgliteDir, MOVED_MARKER));
    const counts = await countAll(client);
    expect((await move(pgliteDir))?.alreadyThere).toBe(true);
    expect(await countAll(client)).toEqual(counts);
    expect(fs.existsSync(path.join(pgliteDir, MOVED_MARKER))).toBe(true);
  });
});

describe("parentsFirst", () => {
  it.each([
    [
      "a chain",
      ["C", "B", "A"],
      [
        ["C", "B"],
        ["B", "A"],
      ],
      ["A", "B", "C"],
    ],
    [
      "a key to itself",
      ["M", "U"],
      [
        ["M", "M"],
        ["M", "U"],
      ],
      ["U", "M"],
    ],
    ["keys to tables outside the set", ["A"], [["A", "Elsewhere"]], ["A"]],
  ] as const)("orders %s", (_name, tables, keys, expected) => {
    expect(
      parentsFirst(
        [...tables],
        keys.map(([c, p]) => [c, p]),
      ),
    ).toEqual(expected);
  });

  it("names a cycle", () => {
    expect(() =>
      parentsFirst(
        ["A", "B"],
        [
          ["A", "B"],
          ["B", "A"],
        ],
      ),
    ).toThrow(/cycle through "A"/);
  });
});
