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
import { EXPORT_COLUMNS } from "@/lib/feedback-io/schemas";
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
