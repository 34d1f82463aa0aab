import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDb, type Db } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env/env";
import { parseCsv } from "@/lib/feedback-io/csv";
import { openFeedbackExport } from "@/lib/feedback-io/export-feedback";
import { IMPORT_ROW_TARGET, importFeedback } from "@/lib/feedback-io/import-feedback";
import { EXPORT_COLUMNS } from "@/lib/feedback-io/schemas";
import { EMOTION_LABELS } from "@/lib/model/labels";
import { activateVersion } from "@/lib/registry/model-versions";
import { createTestDatabase, type TestDatabase } from "@/test/support/database";
import { listFiles } from "@/test/support/http";
import { seedUser } from "@/test/support/seed";

// The previous tool's layout: <work>/logs/feedback_log.csv next to <work>/logs/feedback_images/.
let tdb: TestDatabase;
let db: Db;
let work: string;
let logsDir: string;
let imagesDir: string;
let feedbackDir: string;
let modelsDir: string;
let csvPath: string;
const sha = (b: Buffer) => crypto.createHash("sha256").update(b).digest("hex");
const images: Record<string, Buffer> = {};

/** A 48x48 (or other size) 8-bit grayscale PNG with a pattern that depends on `seed`. */
function grayPng(seed: number, width = 48, height = 48): Promise<Buffer> {
  const pixels = Buffer.from(Array.from({ length: width * height }, (_, i) => (i * seed + seed * 7) % 256));
  // Without toColourspace("b-w") sharp writes one-channel pixels as an RGB PNG.
  return sharp(pixels, { raw: { width, height, channels: 1 } })
    .toColourspace("b-w")
    .png()
    .toBuffer();
}

function writeImage(rel: string, data: Buffer) {
  fs.mkdirSync(path.dirname(path.join(imagesDir, rel)), { recursive: true });
  fs.writeFileSync(path.join(imagesDir, rel), data);
  images[rel] = data;
}

function writeCsv(file: string, rows: string[]): string {
  const p = path.join(logsDir, file);
  fs.writeFileSync(
    p,
    ["timestamp,predicted_emotion,confidence,corrected_emotion,image_path", ...rows].join("\r\n") + "\r\n",
  );
  return p;
}

async function run(opts: { csv?: string; userEmail?: string; client?: Db } = {}) {
  const lines: string[] = [];
  const summary = await importFeedback(opts.client ?? db, {
    csvPath: opts.csv ?? csvPath,
    imagesDir,
    userEmail: opts.userEmail,
    log: (l) => lines.push(l),
  });
  return { summary, lines };
}

const counts = async () => ({
  uploads: await db.upload.count(),
  faces: await db.face.count(),
  predictions: await db.prediction.count(),
  reviews: await db.review.count(),
  versions: await db.modelVersion.count(),
});

let admin: { id: number };
let reviewer: { id: number; email: string };

beforeAll(async () => {
  work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "el-import-")));
  logsDir = path.join(work, "logs");
  imagesDir = path.join(logsDir, "feedback_images");
  feedbackDir = path.join(work, "feedback_store");
  modelsDir = path.join(work, "models");
  fs.mkdirSync(imagesDir, { recursive: true });
  fs.mkdirSync(modelsDir, { recursive: true });
  vi.stubEnv("FEEDBACK_IMAGES_DIR", feedbackDir);
  vi.stubEnv("MODELS_DIR", modelsDir);
  resetEnvForTests();

  writeImage("face1.png", await grayPng(3));
  writeImage("face, two.png", await grayPng(5));
  writeImage(
    "big.png",
    await sharp({ create: { width: 100, height: 80, channels: 3, background: "#c84" } })
      .png()
      .toBuffer(),
  );
  writeImage("not-an-image.png", Buffer.from("this is not a PNG\n"));
  csvPath = writeCsv("feedback_log.csv", [
    // row 2: relative to the CSV's folder, confirmed
    "2024-03-01 10:00:00,happy,0.91,happy,feedback_images/face1.png",
    // row 3: mixed case, relative to the images folder, a comma in the quoted name
    '2024-03-01T10:05:00.250000,Sad,0.55,ANGRY,"face, two.png"',
    // row 4: absolute path, 100x80 colour image → converted
    `2024-03-01 10:10:00,neutral,0.4,fear,${path.join(imagesDir, "big.png")}`,
    // row 5: missing image
    "2024-03-01 10:15:00,happy,0.8,happy,feedback_images/missing.png",
    // row 6: unknown label
    "2024-03-01 10:20:00,contempt,0.7,happy,face1.png",
    // row 7: escapes the images folder
    "2024-03-01 10:25:00,happy,0.7,sad,../../../etc/passwd",
    // row 8: not an image
    "2024-03-01 10:30:00,fear,0.6,fear,not-an-image.png",
    // row 9: the same face as row 2 judged again later: a verdict of its own
    "2024-03-02 09:00:00+01:00,happy,0.6,surprise,face1.png",
  ]);

  tdb = await createTestDatabase();
  db = createDb(tdb.url);
  admin = await seedUser(db, "admin@example.test", "ADMIN");
  await seedUser(db, "second-admin@example.test", "ADMIN");
  reviewer = await seedUser(db, "reviewer@example.test");
});
afterAll(async () => {
  await db?.$disconnect();
  await tdb?.drop();
  vi.unstubAllEnvs();
  resetEnvForTests();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const expected = [
  {
    row: 2,
    at: "2024-03-01T10:00:00.000Z",
    label: "happy",
    confidence: 0.91,
    verdict: "CORRECT",
    corrected: null,
    image: "face1.png",
  },
  {
    row: 3,
    at: "2024-03-01T10:05:00.250Z",
    label: "sad",
    confidence: 0.55,
    verdict: "INCORRECT",
    corrected: "angry",
    image: "face, two.png",
  },
  {
    row: 4,
    at: "2024-03-01T10:10:00.000Z",
    label: "neutral",
    confidence: 0.4,
    verdict: "INCORRECT",
    corrected: "fear",
    image: "big.png",
  },
  {
    row: 9,
    at: "2024-03-02T08:00:00.000Z",
    label: "happy",
    confidence: 0.6,
    verdict: "INCORRECT",
    corrected: "surprise",
    image: "face1.png",
  },
] as const;

describe("importFeedback", () => {
  it("imports the good rows, skips the rest with one warning each, and prints the summary", async () => {
    const { summary, lines } = await run();
    expect(summary).toMatchObject({ imported: 4, skipped: 4, missingImages: 1, badLabels: 1, alreadyImported: 0 });
    expect(lines).toEqual([
      "warning: row 5: image not found: feedback_images/missing.png",
      expect.stringMatching(/^warning: row 6: unknown emotion "contempt"/),
      "warning: row 7: image path leads outside the images folder: ../../../etc/passwd",
      "warning: row 8: not a readable image: not-an-image.png",
      "imported 4, skipped 4 (missing images 1, bad labels 1), already imported 0",
    ]);
  });

  it("stores uploads, faces, predictions and the first admin's verdicts dated by the CSV", async () => {
    const reviews = await db.review.findMany({
      orderBy: { createdAt: "asc" },
      include: { prediction: { include: { face: { include: { upload: true } }, modelVersion: true } } },
    });
    expect(reviews).toHaveLength(expected.length);
    for (const [i, want] of expected.entries()) {
      const r = reviews[i]!;
      const { face, modelVersion } = r.prediction;
      expect(r).toMatchObject({ reviewerId: admin.id, verdict: want.verdict, correctedLabel: want.corrected });
      expect(r.createdAt.toISOString()).toBe(want.at);
      expect(r.prediction).toMatchObject({ label: want.label, confidence: want.confidence });
      expect(r.prediction.createdAt.toISOString()).toBe(want.at);
      // Only the top label's confidence is known; the rest is spread evenly (see probabilities.ts).
      const probs = r.prediction.probabilities;
      expect(probs[EMOTION_LABELS.indexOf(want.label)]).toBeCloseTo(want.confidence, 12);
      expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(face).toMatchObject({
        position: 0,
        boxX: 0,
        boxY: 0,
        boxWidth: 48,
        boxHeight: 48,
        cropPath: `${face.cropSha256}.png`,
      });
      expect(face.upload).toMatchObject({
        userId: admin.id,
        isFaceCrop: true,
        imagePath: face.cropPath,
        width: 48,
        height: 48,
        format: "png",
      });
      expect(modelVersion).toMatchObject({
        name: "imported: feedback_log.csv",
        status: "ARCHIVED",
        artifactPath: "imported",
        checksum: "imported",
        labels: [...EMOTION_LABELS],
      });
      const stored = fs.readFileSync(path.join(feedbackDir, face.cropPath));
      expect(sha(stored)).toBe(face.cropSha256);
      expect(await sharp(stored).metadata()).toMatchObject({ format: "png", width: 48, height: 48, channels: 1 });
    }
    // A crop that already was 48x48 grayscale PNG is kept byte for byte; the 100x80 one was converted.
    expect(reviews[0]!.prediction.face.cropSha256).toBe(sha(images["face1.png"]!));
    expect(reviews[2]!.prediction.face.cropSha256).not.toBe(sha(images["big.png"]!));
    expect(reviews[3]!.prediction.face.cropSha256).toBe(reviews[0]!.prediction.face.cropSha256);
    expect(listFiles(feedbackDir)).toHaveLength(3);
    expect(await db.auditLog.count({ where: { action: "feedback.import-row", targetType: IMPORT_ROW_TARGET } })).toBe(
      4,
    );
    const log = await db.auditLog.findFirstOrThrow({ where: { action: "feedback.import" } });
    expect(log).toMatchObject({
      actorId: admin.id,
      details: expect.objectContaining({ csv: "feedback_log.csv", imported: 4, skipped: 4 }),
    });
  });

  it("creates nothing twice when run again, nor for the same rows under another file name", async () => {
    const before = await counts();
    const files = listFiles(feedbackDir);
    const again = await run();
    expect(again.summary).toMatchObject({ imported: 0, skipped: 4, alreadyImported: 4 });
    expect(again.lines.at(-1)).toBe("imported 0, skipped 4 (missing images 1, bad labels 1), already imported 4");
    const copy = path.join(logsDir, "renamed.csv");
    fs.copyFileSync(csvPath, copy);
    expect((await run({ csv: copy })).summary).toMatchObject({ imported: 0, alreadyImported: 4, modelVersionId: null });
    expect(await counts()).toEqual(before);
    expect(before).toEqual({ uploads: 4, faces: 4, predictions: 4, reviews: 4, versions: 1 });
    expect(listFiles(feedbackDir)).toEqual(files);
    expect(await db.auditLog.count({ where: { action: "feedback.import" } })).toBe(3);
  });

  it.each([
    ["no folder", () => {}],
    [
      "a folder of the same name with files",
      () => {
        fs.mkdirSync(path.join(modelsDir, "imported"), { recursive: true });
        fs.writeFileSync(path.join(modelsDir, "imported", "model.json"), "{}");
      },
    ],
  ])("leaves an imported version that can never be activated (%s)", async (_what, arrange) => {
    arrange();
    const version = await db.modelVersion.findFirstOrThrow({ where: { name: "imported: feedback_log.csv" } });
    await expect(
      activateVersion(db, { versionId: version.id, actorId: admin.id, reason: "test" }),
    ).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringMatching(/^Cannot activate: Model version \d+: its files (are missing|changed)/),
    });
    expect((await db.modelVersion.findUniqueOrThrow({ where: { id: version.id } })).status).toBe("ARCHIVED");
  });

  it("imports as the --user given, and two imports at once store each row once", async () => {
    const rows = Array.from({ length: 6 }, (_, i) => `2024-04-0${i + 1} 12:00:00,fear,0.5,sad,face1.png`);
    const csv = writeCsv("concurrent.csv", rows);
    const other = createDb(tdb.url);
    try {
      const [a, b] = await Promise.all([
        run({ csv, userEmail: "Reviewer@Example.test" }),
        run({ csv, userEmail: reviewer.email, client: other }),
      ]);
      expect(a.summary.imported + b.summary.imported).toBe(6);
      expect(a.summary.alreadyImported + b.summary.alreadyImported).toBe(6);
    } finally {
      await other.$disconnect();
    }
    const version = await db.modelVersion.findMany({ where: { name: "imported: concurrent.csv" } });
    expect(version).toHaveLength(1);
    const reviews = await db.review.findMany({ where: { prediction: { modelVersionId: version[0]!.id } } });
    expect(reviews).toHaveLength(6);
    expect(new Set(reviews.map((r) => r.reviewerId))).toEqual(new Set([reviewer.id]));
  });

  it.each([
    [
      "a missing CSV",
      () => ({ csvPath: path.join(logsDir, "nope.csv") }),
      /Cannot read the CSV file .*nope\.csv: no such file/,
    ],
    [
      "a CSV without the columns",
      () => ({ csvPath: writeCsvRaw("wrong.csv", "when,what\n1,2\n") }),
      /missing columns timestamp, predicted_emotion/,
    ],
    ["a missing images folder", () => ({ imagesDir: path.join(work, "nowhere") }), /images folder .* does not exist/],
    ["an unknown --user", () => ({ userEmail: "ghost@example.test" }), /No user with e-mail ghost@example.test/],
  ])("refuses %s with a clear message and writes nothing", async (_what, change, message) => {
    const before = await counts();
    await expect(importFeedback(db, { csvPath, imagesDir, log: () => {}, ...change() })).rejects.toThrow(message);
    expect(await counts()).toEqual(before);
  });
});

function writeCsvRaw(file: string, text: string): string {
  const p = path.join(logsDir, file);
  fs.writeFileSync(p, text);
  return p;
}

describe("feedback export (keyset pages)", () => {
  it.each([
    ["csv", 1],
    ["csv", 3],
    ["jsonl", 2],
    ["jsonl", 500],
  ] as const)("%s in pages of %d gives every verdict once, in id order", async (format, pageSize) => {
    const text = await new Response(await openFeedbackExport(db, format, { pageSize })).text();
    let records: Record<string, unknown>[];
    if (format === "csv") {
      const [header, ...rows] = parseCsv(text);
      expect(header?.fields).toEqual([...EXPORT_COLUMNS]);
      records = rows.map((r) => Object.fromEntries(EXPORT_COLUMNS.map((c, i) => [c, r.fields[i]])));
    } else {
      records = text
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    }
    const stored = await db.review.findMany({
      orderBy: { id: "asc" },
      include: { reviewer: true, prediction: { include: { face: true, modelVersion: true } } },
    });
    expect(stored.length).toBe(10);
    const str = (v: unknown) => (format === "csv" ? String(v) : v);
    expect(records).toEqual(
      stored.map((r) => ({
        timestamp: r.createdAt.toISOString(),
        predicted_emotion: r.prediction.label,
        confidence: str(r.prediction.confidence),
        corrected_emotion: r.correctedLabel ?? r.prediction.label,
        image_path: r.prediction.face.cropPath,
        reviewer: r.reviewer.email,
        verdict: r.verdict.toLowerCase(),
        model_version: str(r.prediction.modelVersion.version),
        crop_sha256: r.prediction.face.cropSha256,
      })),
    );
  });
});
