import path from "node:path";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import sharp from "sharp";
import pg from "pg";
import { signIn, startTestApp, type TestApp } from "@/test/support/app-server";
import { client, listFiles, samplePhoto } from "@/test/support/http";
import { parseServerTiming } from "@/lib/uploads/stage-times";

// The whole loop through the real server: a production build, a real Postgres database, the
// real face detector and a small real TF.js model.
let app: TestApp;
let db: pg.Client;
let admin: ReturnType<typeof client>;

beforeAll(async () => {
  app = await startTestApp();
  db = new pg.Client({ connectionString: app.databaseUrl });
  await db.connect();
  admin = client(app.baseUrl, { cookie: await signIn(app.baseUrl, app.admin.email, app.admin.password) });
}, 300_000);
afterAll(async () => {
  await db?.end();
  await app?.stop();
});

interface UploadBody {
  upload_id: number;
  faces: {
    id: number;
    prediction_id: number;
    box: { x: number; y: number; width: number; height: number };
    crop_url: string;
    label: string;
    confidence: number;
    probabilities: Record<string, number>;
    model_version: { version: number };
  }[];
}

describe("upload → faces → predictions", () => {
  let body: UploadBody;

  it("finds the faces in sample1.jpg and stores one 48x48 crop and one prediction per face", async () => {
    const res = await admin.upload(samplePhoto(1));
    expect(res.status).toBe(201);
    body = (await res.json()) as UploadBody;
    expect(body.faces.length).toBeGreaterThanOrEqual(2);
    // Where the time went, stage by stage, for a browser's network panel and bench:serve.
    const stages = parseServerTiming(res.headers.get("server-timing"));
    expect(Object.keys(stages)).toEqual(["decode", "detect", "crop", "model", "store"]);
    for (const ms of Object.values(stages)) expect(ms).toBeGreaterThan(0);

    const faces = await db.query(`SELECT * FROM "Face" WHERE "uploadId" = $1 ORDER BY position`, [body.upload_id]);
    const preds = await db.query(
      `SELECT p.* FROM "Prediction" p JOIN "Face" f ON f.id = p."faceId" WHERE f."uploadId" = $1`,
      [body.upload_id],
    );
    expect(faces.rows).toHaveLength(body.faces.length);
    expect(preds.rows).toHaveLength(body.faces.length);
    for (const [i, f] of body.faces.entries()) {
      const row = faces.rows[i];
      const file = path.join(app.feedbackDir, row.cropPath);
      const meta = await sharp(fs.readFileSync(file)).metadata();
      expect(meta).toMatchObject({ width: 48, height: 48, format: "png", channels: 1 });
      expect(path.basename(file)).toBe(`${row.cropSha256}.png`);
      const probs = Object.values(f.probabilities);
      expect(probs).toHaveLength(7);
      expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      // float8[] may come back one unit in the last place off; equal to 12 digits is equal here.
      expect(f.confidence).toBeCloseTo(Math.max(...probs), 12);
      expect(f.probabilities[f.label]).toBeCloseTo(f.confidence, 12);
      expect(f.model_version.version).toBe(1);
      const crop = await admin.get(f.crop_url);
      expect(crop.status).toBe(200);
      expect(crop.headers.get("content-type")).toBe("image/png");
    }
    // The rows are the answer's, face by face (all stored in one statement: a slip in how the
    // probability vectors are cut apart, or which face gets which, shows here).
    const byFace = new Map(preds.rows.map((p) => [p.faceId as number, p]));
    const states = await db.query(`SELECT "faceId", "predictionId" FROM "FaceState" WHERE "faceId" = ANY($1)`, [
      body.faces.map((f) => f.id),
    ]);
    for (const [i, f] of body.faces.entries()) {
      const row = faces.rows[i];
      expect(row.id).toBe(f.id);
      expect(row.position).toBe(i);
      expect({ x: row.boxX, y: row.boxY, width: row.boxWidth, height: row.boxHeight }).toEqual(f.box);
      const pred = byFace.get(f.id);
      expect(pred?.id).toBe(f.prediction_id);
      expect(pred?.label).toBe(f.label);
      expect(pred?.probabilities).toHaveLength(7);
      Object.values(f.probabilities).forEach((p, k) => expect(pred?.probabilities[k]).toBeCloseTo(p, 12));
      // Queued for review by the prediction's trigger.
      expect(states.rows.find((s) => s.faceId === f.id)?.predictionId).toBe(f.prediction_id);
    }
  });

  it("skips detection for an image flagged as a face crop", async () => {
    const face = await sharp(samplePhoto(1)).extract({ left: 0, top: 0, width: 120, height: 120 }).png().toBuffer();
    const res = await admin.upload(face, { isFaceCrop: true, type: "image/png" });
    expect(res.status).toBe(201);
    const b = (await res.json()) as UploadBody;
    expect(b.faces).toHaveLength(1);
    expect(b.faces[0]?.box).toEqual({ x: 0, y: 0, width: 120, height: 120 });
  });

  it("answers zero faces as a normal 201", async () => {
    const blank = await sharp({ create: { width: 200, height: 160, channels: 3, background: "#7a8" } })
      .jpeg()
      .toBuffer();
    const res = await admin.upload(blank);
    expect(res.status).toBe(201);
    expect(((await res.json()) as UploadBody).faces).toEqual([]);
  });

  it("accepts the image as JSON base64 too", async () => {
    const res = await admin.json("POST", "/api/predictions", { image_base64: samplePhoto(2).toString("base64") });
    expect(res.status).toBe(201);
  });

  it("reviews through the queue: claim, verdict, duplicate stored once, history, undo", async () => {
    const next = await admin.get("/api/review/next");
    expect(next.status).toBe(200);
    const item = (await next.json()) as {
      prediction_id: number;
      prediction: { label: string };
      lease_expires_at: string;
    };
    expect(new Date(item.lease_expires_at).getTime()).toBeGreaterThan(Date.now());
    const wrong = item.prediction.label === "sad" ? "happy" : "sad";
    const verdict = { prediction_id: item.prediction_id, verdict: "incorrect", corrected_label: wrong, note: "eyes" };
    const first = await admin.json("POST", "/api/reviews", verdict);
    expect(first.status).toBe(201);
    const again = await admin.json("POST", "/api/reviews", verdict);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true });
    const stored = await db.query(`SELECT * FROM "Review" WHERE "predictionId" = $1`, [item.prediction_id]);
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]).toMatchObject({ verdict: "INCORRECT", correctedLabel: wrong, note: "eyes" });

    const history = (await (await admin.get(`/api/reviews?verdict=incorrect&label=${wrong}`)).json()) as {
      reviews: { id: number; prediction: { id: number } }[];
    };
    expect(history.reviews.map((r) => r.prediction.id)).toContain(item.prediction_id);

    const reviewId = stored.rows[0].id as number;
    expect((await admin.delete(`/api/reviews/${reviewId}`)).status).toBe(200);
    expect((await db.query(`SELECT 1 FROM "Review" WHERE id = $1`, [reviewId])).rowCount).toBe(0);
  });

  it("reports database, model version and backend on /api/health without secrets", async () => {
    const res = await fetch(`${app.baseUrl}/api/health`);
    expect(res.status).toBe(200);
    const h = (await res.json()) as { database: { ok: boolean }; model: { version: number }; backend: string };
    expect(h.database.ok).toBe(true);
    expect(h.model.version).toBe(1);
    expect(["tensorflow", "wasm", "cpu"]).toContain(h.backend);
    const text = JSON.stringify(h);
    expect(text).not.toMatch(/postgres|password|secret/i);
  });

  it("keeps every file it wrote under the feedback folder with content-derived names", () => {
    const files = listFiles(app.feedbackDir);
    // The tests above uploaded photos and crops: an empty list would mean nothing was checked.
    expect(files.some((f) => f.startsWith("uploads/"))).toBe(true);
    expect(files.some((f) => !f.startsWith("uploads/"))).toBe(true);
    for (const f of files) expect(f).toMatch(/^(uploads\/)?[0-9a-f]{64}\.(png|jpg|webp)$/);
  });
});
