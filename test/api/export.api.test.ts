import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import pg from "pg";
import { createDb } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env/env";
import { parseCsv } from "@/lib/feedback-io/csv";
import { openFeedbackExport } from "@/lib/feedback-io/export-feedback";
import { importFeedback } from "@/lib/feedback-io/import-feedback";
import { DATASET_COLUMNS, EXPORT_COLUMNS } from "@/lib/feedback-io/schemas";
import { strFromU8, unzipSync } from "fflate";
import { EMOTION_LABELS } from "@/lib/model/labels";
import { signIn, startTestApp, type TestApp } from "@/test/support/app-server";
import { createTestDatabase } from "@/test/support/database";
import { client, samplePhoto } from "@/test/support/http";
import { seedUser } from "@/test/support/seed";

// GET /api/export/feedback.csv through the real server, and its output imported back.
let app: TestApp;
let db: pg.Client;
let work: string;
type Client = ReturnType<typeof client>;
const who: Record<"admin" | "reviewer" | "anonymous", Client> = {} as Record<
  "admin" | "reviewer" | "anonymous",
  Client
>;

interface UploadBody {
  faces: { prediction_id: number; label: string }[];
}

beforeAll(async () => {
  app = await startTestApp();
  db = new pg.Client({ connectionString: app.databaseUrl });
  await db.connect();
  work = fs.mkdtempSync(path.join(os.tmpdir(), "el-export-"));
  who.admin = client(app.baseUrl, { cookie: await signIn(app.baseUrl, app.admin.email, app.admin.password) });
  const created = await who.admin.json("POST", "/api/users", {
    email: "reviewer@example.test",
    password: "reviewer-password",
    role: "REVIEWER",
  });
  expect(created.status).toBe(201);
  who.reviewer = client(app.baseUrl, {
    cookie: await signIn(app.baseUrl, "reviewer@example.test", "reviewer-password"),
  });
  who.anonymous = client(app.baseUrl);

  // Verdicts of both kinds from two reviewers, one face judged by both.
  const upload = await who.admin.upload(samplePhoto(1));
  expect(upload.status).toBe(201);
  const [first, second] = ((await upload.json()) as UploadBody).faces;
  if (!first || !second) throw new Error("sample1.jpg should have at least two faces");
  const other = (label: string) => EMOTION_LABELS.find((l) => l !== label)!;
  const verdicts: [Client, Record<string, unknown>][] = [
    [who.admin, { prediction_id: first.prediction_id, verdict: "correct" }],
    [who.admin, { prediction_id: second.prediction_id, verdict: "incorrect", corrected_label: other(second.label) }],
    [
      who.reviewer,
      {
        prediction_id: first.prediction_id,
        verdict: "incorrect",
        corrected_label: other(first.label),
        note: 'says "no, really"',
      },
    ],
  ];
  for (const [c, body] of verdicts) expect((await c.json("POST", "/api/reviews", body)).status).toBe(201);
}, 300_000);
afterAll(async () => {
  await db?.end();
  await app?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** The verdicts as stored, in the export's shape (values as strings, as a CSV gives them). */
async function storedVerdicts(): Promise<Record<string, string>[]> {
  const { rows } = await db.query(`
    SELECT r."createdAt", r.verdict, r."correctedLabel", u.email, p.label, p.confidence, f."cropPath", f."cropSha256", m.version
    FROM "Review" r JOIN "User" u ON u.id = r."reviewerId" JOIN "Prediction" p ON p.id = r."predictionId"
    JOIN "Face" f ON f.id = p."faceId" JOIN "ModelVersion" m ON m.id = p."modelVersionId"
    ORDER BY r.id`);
  return rows.map((r) => ({
    timestamp: (r.createdAt as Date).toISOString(),
    predicted_emotion: r.label,
    confidence: String(r.confidence),
    corrected_emotion: r.correctedLabel ?? r.label,
    image_path: r.cropPath,
    reviewer: r.email,
    verdict: String(r.verdict).toLowerCase(),
    model_version: String(r.version),
    crop_sha256: r.cropSha256,
  }));
}

function csvRecords(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  expect(header?.fields).toEqual([...EXPORT_COLUMNS]);
  return rows.map((r) => Object.fromEntries(EXPORT_COLUMNS.map((c, i) => [c, r.fields[i] ?? ""])));
}

describe("GET /api/export/feedback.csv", () => {
  it("exports every stored verdict as CSV, as an attachment", async () => {
    const res = await who.admin.get("/api/export/feedback.csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(res.headers.get("content-disposition")).toBe("attachment; filename=feedback.csv");
    const records = csvRecords(await res.text());
    expect(records).toHaveLength(3);
    expect(records).toEqual(await storedVerdicts());
    expect(records.map((r) => r.verdict)).toEqual(["correct", "incorrect", "incorrect"]);
  });

  it("answers JSON lines with ?format=jsonl", async () => {
    const res = await who.admin.get("/api/export/feedback.csv?format=jsonl");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-ndjson");
    const text = await res.text();
    const records = text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((r) => Object.keys(r))).toEqual(records.map(() => [...EXPORT_COLUMNS]));
    expect(records.every((r) => typeof r.confidence === "number" && typeof r.model_version === "number")).toBe(true);
    const asStrings = records.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)])));
    expect(asStrings).toEqual(await storedVerdicts());
  });

  it("refuses an unknown format with a 400", async () => {
    const res = await who.admin.get("/api/export/feedback.csv?format=xlsx");
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "bad_request" } });
  });

  it.each([
    ["anonymous", 401, "unauthorized"],
    ["reviewer", 403, "forbidden"],
  ] as const)("is refused to %s (%d)", async (name, status, code) => {
    for (const query of ["", "?format=jsonl"]) {
      const res = await who[name].get(`/api/export/feedback.csv${query}`);
      expect(res.status).toBe(status);
      expect(await res.json()).toMatchObject({ error: { code } });
    }
  });

  it("round-trips: the exported CSV imported into a fresh database gives the same verdicts back", async () => {
    const exported = await (await who.admin.get("/api/export/feedback.csv")).text();
    const csvPath = path.join(work, "feedback.csv");
    fs.writeFileSync(csvPath, exported);
    vi.stubEnv("FEEDBACK_IMAGES_DIR", path.join(work, "feedback_images"));
    resetEnvForTests();
    const fresh = await createTestDatabase();
    const freshDb = createDb(fresh.url);
    try {
      await seedUser(freshDb, "importer@example.test", "ADMIN");
      const lines: string[] = [];
      // image_path is relative to the app's FEEDBACK_IMAGES_DIR, which is the images folder here.
      const summary = await importFeedback(freshDb, { csvPath, imagesDir: app.feedbackDir, log: (l) => lines.push(l) });
      expect(lines).toEqual(["imported 3, skipped 0 (missing images 0, bad labels 0), already imported 0"]);
      expect(summary.imported).toBe(3);

      const reExported = csvRecords(await new Response(await openFeedbackExport(freshDb, "csv")).text());
      // Reviewer and model version are the importer's and the imported version's; the verdicts are the same.
      const same = ({ reviewer: _r, model_version: _m, ...rest }: Record<string, string>) => rest;
      const sort = (rs: Record<string, string>[]) =>
        rs.map(same).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      expect(sort(reExported)).toEqual(sort(csvRecords(exported)));
      expect(reExported.every((r) => r.reviewer === "importer@example.test")).toBe(true);
      for (const r of reExported) {
        expect(
          fs
            .readFileSync(path.join(work, "feedback_images", r.image_path!))
            .equals(fs.readFileSync(path.join(app.feedbackDir, r.image_path!))),
        ).toBe(true);
      }
    } finally {
      await freshDb.$disconnect();
      await fresh.drop();
      vi.unstubAllEnvs();
      resetEnvForTests();
    }
  });
});

describe("GET /api/export (the labelled dataset)", () => {
  /** Faces with a training label as the database has them: the one face whose single verdict corrected it. */
  async function labelledFaces() {
    const { rows } = await db.query(`
      SELECT f.id, f."cropSha256", f."cropPath", s."consensusLabel" AS label, p.label AS predicted
      FROM "FaceState" s JOIN "Face" f ON f.id = s."faceId" JOIN "Prediction" p ON p.id = s."predictionId"
      WHERE s."consensusLabel" IS NOT NULL AND s.state <> 'CONFLICT' ORDER BY f.id`);
    return rows as { id: number; cropSha256: string; cropPath: string; label: string; predicted: string }[];
  }

  it("exports each labelled face once as CSV (the previous tool's columns first) and as JSON lines; a tie is left out", async () => {
    const expected = await labelledFaces();
    // The face two reviewers split on is a conflict, the other reviewed face has its corrected label.
    expect(expected).toHaveLength(1);
    const csv = await who.admin.get("/api/export?format=csv");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-disposition")).toBe("attachment; filename=dataset.csv");
    const [header, ...rows] = parseCsv(await csv.text());
    expect(header?.fields).toEqual([...DATASET_COLUMNS]);
    expect(header?.fields.slice(0, 5)).toEqual([
      "timestamp",
      "predicted_emotion",
      "confidence",
      "corrected_emotion",
      "image_path",
    ]);
    const records = rows.map((r) => Object.fromEntries(DATASET_COLUMNS.map((c, i) => [c, r.fields[i] ?? ""])));
    expect(records).toEqual([
      expect.objectContaining({
        face_id: String(expected[0]!.id),
        corrected_emotion: expected[0]!.label,
        predicted_emotion: expected[0]!.predicted,
        image_path: expected[0]!.cropPath,
        crop_sha256: expected[0]!.cropSha256,
        label_state: expect.stringMatching(/^(agreed|open)$/),
        golden: "false",
      }),
    ]);
    const jsonl = await who.admin.get("/api/export?format=jsonl");
    const lines = (await jsonl.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.face_id)).toEqual([expected[0]!.id]);
  });

  it("streams an imagefolder zip: <label>/<crop sha256>.png with the stored bytes, and metadata.csv naming each file", async () => {
    const expected = await labelledFaces();
    const res = await who.admin.get("/api/export?format=imagefolder");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/zip");
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    const names = Object.keys(files).sort();
    expect(names).toEqual([...expected.map((f) => `${f.label}/${f.cropSha256}.png`), "metadata.csv"].sort());
    for (const f of expected) {
      const stored = fs.readFileSync(path.join(app.feedbackDir, f.cropPath));
      expect(Buffer.from(files[`${f.label}/${f.cropSha256}.png`]!).equals(stored)).toBe(true);
    }
    const [header, ...rows] = parseCsv(strFromU8(files["metadata.csv"]!));
    expect(header?.fields.slice(0, 2)).toEqual(["file_name", "label"]);
    expect(rows.map((r) => r.fields.slice(0, 2))).toEqual(
      expected.map((f) => [`${f.label}/${f.cropSha256}.png`, f.label]),
    );
  });

  it("takes the dataset browser's filters, refuses bad ones with 400, and is for admins only", async () => {
    const [face] = await labelledFaces();
    const other = EMOTION_LABELS.find((l) => l !== face!.predicted)!;
    const none = await who.admin.get(`/api/export?format=jsonl&predicted=${other}`);
    expect(none.status).toBe(200);
    expect((await none.text()).trim()).toBe("");
    const some = await who.admin.get(`/api/export?format=jsonl&predicted=${face!.predicted}`);
    expect((await some.text()).trim().split("\n")).toHaveLength(1);
    for (const bad of ["format=xlsx", "margin_min=3", "sort=newest", "colour=red"]) {
      const res = await who.admin.get(`/api/export?${bad}`);
      expect(res.status, bad).toBe(400);
    }
    expect((await who.reviewer.get("/api/export")).status).toBe(403);
  });
});
