// Noise flags judged by the active model: the shipped baseline scores real face crops (the sample
// photos' faces as uploads cut them); the flags move with a promotion and back with a rollback, and a
// face the active version's lineage trained on keeps the held-out prediction the queue served.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db/client";
import { cropName } from "@/lib/faces/crop";
import { extractFaces } from "@/lib/faces/pipeline";
import { decodeUpload } from "@/lib/images/decode";
import { EMOTION_LABELS } from "@/lib/model/labels";
import { loadModelFromDir, type LoadedModel } from "@/lib/model/predictor";
import { faceDetail } from "@/lib/review/face-detail";
import { lineageTrainedCrops, scoreFacesStep, type FaceScorer } from "@/lib/review/face-scores";
import { countRemaining } from "@/lib/review/queue";
import { recordVerdict } from "@/lib/review/verdicts";
import { useEnv } from "@/test/support/env";
import { samplePhoto } from "@/test/support/http";
import { seedModelVersion, seedUser } from "@/test/support/seed";
import { useTestDb } from "@/test/support/use-test-db";

const feedbackDir = path.join(os.tmpdir(), `face-scores-${process.pid}`);
useEnv({ FEEDBACK_IMAGES_DIR: feedbackDir });
const t = useTestDb();

/** Real crops with the baseline's probabilities on each. */
let crops: { png: Buffer; sha256: string; fileName: string; probs: Float32Array }[] = [];
let baseline: LoadedModel;

beforeAll(async () => {
  baseline = await loadModelFromDir(path.resolve("models/baseline"));
  for (const n of [1, 2, 3, 4, 5, 6]) {
    const faces = await extractFaces(await decodeUpload(samplePhoto(n)), { isFaceCrop: false });
    for (const f of faces) crops.push({ png: f.png, ...cropName(f.png), probs: new Float32Array(0) });
  }
  const probs = await baseline.predictImages(crops.map((c) => c.png));
  // Faces the baseline is sure of and gives some label under 0.10 first: seeded against the model.
  crops = crops
    .map((c, i) => ({ ...c, probs: probs[i]! }))
    .sort((a, b) => Number(confident(b.probs)) - Number(confident(a.probs)));
  await fs.mkdir(feedbackDir, { recursive: true });
  for (const c of crops) await fs.writeFile(path.join(feedbackDir, c.fileName), c.png);
}, 120_000);
afterAll(async () => {
  baseline?.dispose();
  await fs.rm(feedbackDir, { recursive: true, force: true });
});

const confident = (p: Float32Array) => Math.max(...p) >= 0.7 && Math.min(...p) < 0.1;
const argmax = (p: Float32Array) => p.indexOf(Math.max(...p));
const argmin = (p: Float32Array) => p.indexOf(Math.min(...p));

/**
 * v1 (active, a stand-in with flat predictions: never confident, so it flags nothing) served every
 * face; v2 is the real baseline, registered as a candidate. Each face has one verdict from one
 * reviewer: on the `against` faces the label the baseline finds least likely, on the others its own.
 * A face needs `perFace` verdicts (no extra share, no controls). With `copies` each crop is the crop
 * of that many faces (as the same photo uploaded again would be).
 */
async function seed(db: Db, against: number, perFace = 1, copies = 1) {
  await db.reviewSettings.create({ data: { id: 1, verdictsPerFace: perFace, extraReviewShare: 0, controlShare: 0 } });
  const v1 = await seedModelVersion(db, 1);
  const v2 = await db.modelVersion.create({
    data: {
      version: 2,
      name: "baseline",
      status: "CANDIDATE",
      artifactPath: "baseline",
      checksum: "1".repeat(64),
      labels: [...EMOTION_LABELS],
      metadata: {},
      parentId: v1.id,
    },
  });
  const admin = await seedUser(db, "admin@example.test", "ADMIN");
  const reviewer = await seedUser(db, "ada@example.test");
  const upload = await db.upload.create({
    data: {
      userId: admin.id,
      sha256: "b".repeat(64),
      format: "jpeg",
      bytes: 1,
      width: 48,
      height: 48,
      imagePath: "x.jpg",
    },
  });
  const faces = [];
  for (const [n, c] of Array.from({ length: copies }, () => crops)
    .flat()
    .entries()) {
    const i = n % crops.length;
    const face = await db.face.create({
      data: {
        uploadId: upload.id,
        position: n,
        boxX: 0,
        boxY: 0,
        boxWidth: 48,
        boxHeight: 48,
        cropPath: c.fileName,
        cropSha256: c.sha256,
      },
    });
    const flat = EMOTION_LABELS.map((_, k) => (k === 0 ? 0.16 : 0.14));
    const p = await db.prediction.create({
      data: {
        faceId: face.id,
        modelVersionId: v1.id,
        label: "angry",
        confidence: 0.16,
        probabilities: flat,
        margin: 0.02,
      },
    });
    const label = EMOTION_LABELS[i < against ? argmin(c.probs) : argmax(c.probs)]!;
    await recordVerdict(
      db,
      reviewer.id,
      label === "angry"
        ? { prediction_id: p.id, verdict: "correct" }
        : { prediction_id: p.id, verdict: "incorrect", corrected_label: label },
    );
    faces.push({ face, label, crop: c });
  }
  return { v1, v2, admin, reviewer, faces };
}

async function activate(db: Db, id: number) {
  await db.modelVersion.updateMany({ where: { status: "ACTIVE" }, data: { status: "ARCHIVED" } });
  await db.modelVersion.update({ where: { id }, data: { status: "ACTIVE", activatedAt: new Date() } });
}

/** The worker's loop, to the end: steps until nothing is left; the steps' totals. */
async function scoreAll(db: Db, scorer: FaceScorer, trained = new Set<string>(), limit = 4) {
  const total = { steps: 0, faces: 0, scored: 0, trained: 0, unreadable: 0 };
  for (;;) {
    const step = await scoreFacesStep(db, scorer, trained, limit);
    if (step.faces === 0) return total;
    total.steps++;
    for (const k of ["faces", "scored", "trained", "unreadable"] as const) total[k] += step[k];
    expect(total.steps).toBeLessThan(100);
  }
}

const states = (db: Db) => db.faceState.findMany({ orderBy: { faceId: "asc" } });

describe("noise flags judged by the active version", () => {
  it("uses the real crops the test needs: faces the baseline is sure of and a label it all but rules out", () => {
    expect(crops.length).toBeGreaterThanOrEqual(10);
    expect(crops.slice(0, 3).every((c) => confident(c.probs))).toBe(true);
  });

  it("flags move with a promotion and back with a rollback", async () => {
    const db = t.db;
    const { v1, v2, admin, faces } = await seed(db, 3);
    const scorer: FaceScorer = { versionId: v2.id, model: async () => baseline };

    // Under v1 (flat probabilities) nothing is suspect, and the flags were judged for v1.
    for (const s of await states(db)) {
      expect(s.suspect).toBe(false);
      expect(s.flagsVersionId).toBe(v1.id);
    }
    // v1 active: its own predictions are the scores; nothing to do for a scorer of v1.
    expect(
      await scoreAll(db, { versionId: v1.id, model: () => Promise.reject(new Error("not called")) }),
    ).toMatchObject({
      faces: 0,
    });

    await activate(db, v2.id);
    const run = await scoreAll(db, scorer);
    expect(run).toMatchObject({ faces: faces.length, scored: faces.length, trained: 0, unreadable: 0 });
    const after = await states(db);
    for (const [i, s] of after.entries()) {
      expect(s.flagsVersionId).toBe(v2.id);
      // Suspect exactly where the baseline gives the consensus label < 0.10 with another ≥ 0.70.
      const p = faces[i]!.crop.probs;
      const k = EMOTION_LABELS.indexOf(faces[i]!.label as (typeof EMOTION_LABELS)[number]);
      const expected = p[k]! < 0.1 && Math.max(...[...p].filter((_, j) => j !== k)) >= 0.7;
      expect({ face: i, suspect: s.suspect }).toEqual({ face: i, suspect: expected });
    }
    const suspect = after.filter((s) => s.suspect);
    expect(suspect.length).toBe(3);
    // A suspect face goes back for one more verdict (a second look), once.
    for (const s of suspect) expect(s).toMatchObject({ open: true, secondLook: true, needed: 2, verdicts: 1 });
    // The stored score is the model's served probabilities on the crop.
    const score = await db.faceScore.findUniqueOrThrow({
      where: { faceId_modelVersionId: { faceId: faces[0]!.face.id, modelVersionId: v2.id } },
    });
    expect(score.kind).toBe("scored");
    expect(score.probabilities.map((x) => x.toFixed(5))).toEqual([...faces[0]!.crop.probs].map((x) => x.toFixed(5)));
    // The face's detail says what the flag was judged with.
    const detail = await faceDetail(db, faces[0]!.face.id, { userId: admin.id, admin: true });
    expect(detail.flags).toContain("suspect");
    expect(detail.flags_judged_by).toMatchObject({ model_version: { id: v2.id, version: 2 }, source: "own_score" });
    expect(detail.flags_judged_by!.probabilities[faces[0]!.label]).toBeCloseTo(
      faces[0]!.crop.probs[EMOTION_LABELS.indexOf(faces[0]!.label as (typeof EMOTION_LABELS)[number])]!,
      5,
    );

    // Rolled back to v1: its own (flat) predictions judge again, and the scores of v2 stay stored.
    await activate(db, v1.id);
    expect(
      await scoreAll(db, { versionId: v1.id, model: () => Promise.reject(new Error("not called")) }),
    ).toMatchObject({
      faces: faces.length,
      scored: 0,
    });
    for (const s of await states(db))
      expect({ suspect: s.suspect, flags: s.flagsVersionId }).toEqual({ suspect: false, flags: v1.id });
    expect((await faceDetail(db, faces[0]!.face.id, { userId: admin.id, admin: true })).flags_judged_by).toMatchObject({
      model_version: { id: v1.id },
      source: "served",
      probabilities: { angry: 0.16 },
    });
    expect(await db.faceScore.count({ where: { modelVersionId: v2.id } })).toBe(faces.length);

    // Promoted again: the stored scores judge at once, for every face the scorer passes over.
    await activate(db, v2.id);
    const again = await scoreAll(db, { versionId: v2.id, model: () => Promise.reject(new Error("not called")) });
    expect(again).toMatchObject({ faces: faces.length, scored: 0 });
    expect((await states(db)).filter((s) => s.suspect)).toHaveLength(3);
  });

  it("a face the version's lineage trained on keeps the held-out prediction; a missing crop is marked unreadable", async () => {
    const db = t.db;
    const { v1, v2, admin, faces } = await seed(db, 3);
    // v2 was trained (by a job on v1) on the first face's crop; that face is one seeded against the model.
    await db.trainingJob.create({
      data: {
        status: "SUCCEEDED",
        params: {},
        baseVersionId: v1.id,
        candidateVersionId: v2.id,
        createdById: admin.id,
        snapshot: {
          items: [
            {
              cropSha256: faces[0]!.crop.sha256,
              cropPath: faces[0]!.crop.fileName,
              label: faces[0]!.label,
              reviewIds: [],
            },
          ],
        },
      },
    });
    const trained = await lineageTrainedCrops(db, v2.id);
    expect([...trained]).toEqual([faces[0]!.crop.sha256]);
    // A child of v2 inherits what v2 trained on.
    const v3 = await db.modelVersion.create({
      data: {
        version: 3,
        name: "v3",
        status: "CANDIDATE",
        artifactPath: "v3",
        checksum: "3".repeat(64),
        labels: [...EMOTION_LABELS],
        metadata: {},
        parentId: v2.id,
      },
    });
    expect([...(await lineageTrainedCrops(db, v3.id))]).toEqual([faces[0]!.crop.sha256]);
    expect([...(await lineageTrainedCrops(db, v1.id))]).toEqual([]);

    await fs.rename(path.join(feedbackDir, faces[1]!.crop.fileName), path.join(feedbackDir, "moved.png"));
    try {
      await activate(db, v2.id);
      const run = await scoreAll(db, { versionId: v2.id, model: async () => baseline }, trained);
      expect(run).toMatchObject({ faces: faces.length, trained: 1, unreadable: 1, scored: faces.length - 2 });
    } finally {
      await fs.rename(path.join(feedbackDir, "moved.png"), path.join(feedbackDir, faces[1]!.crop.fileName));
    }
    const [first, second, third] = await states(db);
    // Trained on and unreadable: judged for v2 with the served (flat) prediction, so not suspect.
    expect(first).toMatchObject({ suspect: false, flagsVersionId: v2.id });
    expect((await faceDetail(db, faces[0]!.face.id, { userId: admin.id, admin: true })).flags_judged_by).toMatchObject({
      model_version: { id: v2.id },
      source: "served_held_out",
      probabilities: { angry: 0.16 },
    });
    expect(second).toMatchObject({ suspect: false, flagsVersionId: v2.id });
    expect(third).toMatchObject({ suspect: true, flagsVersionId: v2.id });
    const kinds = await db.faceScore.findMany({
      where: { faceId: { in: [faces[0]!.face.id, faces[1]!.face.id] } },
      orderBy: { faceId: "asc" },
    });
    expect(kinds.map((k) => [k.kind, k.probabilities])).toEqual([
      ["trained", []],
      ["unreadable", []],
    ]);
  });

  it("a model that cannot be had fails the step and stores nothing; a crop the model cannot take is unreadable", async () => {
    const db = t.db;
    const { v1, v2, faces } = await seed(db, 0);
    await activate(db, v2.id);
    await expect(
      scoreFacesStep(db, { versionId: v2.id, model: () => Promise.reject(new Error("files missing")) }, new Set()),
    ).rejects.toThrow("files missing");
    expect(await db.faceScore.count()).toBe(0);
    for (const s of await states(db)) expect(s.flagsVersionId).toBe(v1.id);

    // The last face's crop file holds bytes that are no image: that face alone is unreadable.
    const last = faces.at(-1)!;
    const file = path.join(feedbackDir, last.crop.fileName);
    await fs.writeFile(file, Buffer.from("not an image"));
    try {
      const run = await scoreAll(db, { versionId: v2.id, model: async () => baseline }, new Set(), 64);
      expect(run).toMatchObject({ faces: faces.length, scored: faces.length - 1, unreadable: 1, trained: 0 });
    } finally {
      await fs.writeFile(file, last.crop.png);
    }
    const stored = await db.faceScore.findUniqueOrThrow({
      where: { faceId_modelVersionId: { faceId: last.face.id, modelVersionId: v2.id } },
    });
    expect(stored.kind).toBe("unreadable");
    for (const s of await states(db)) expect(s.flagsVersionId).toBe(v2.id);
  });

  it("while reviewers give verdicts on the same faces from another connection: nothing fails, every verdict counts, every flag is judged by the active version", async () => {
    const db = t.db;
    // 10 faces per crop, each with one of its two verdicts; the copies of the first three crops
    // carry the label the baseline all but rules out.
    const { v2, faces } = await seed(db, 3, 2, 10);
    await activate(db, v2.id);
    const ben = await seedUser(t.other, "ben@example.test");
    const predictions = await t.other.prediction.findMany({ select: { id: true, faceId: true } });
    const byFace = new Map(predictions.map((p) => [p.faceId, p.id]));
    const failures: string[] = [];
    // Ben agrees with every first verdict, in an order of his own, while the scorer works through
    // the faces in small steps.
    const benWork = (async () => {
      for (const f of [...faces].reverse()) {
        const prediction_id = byFace.get(f.face.id)!;
        const answer =
          f.label === "angry"
            ? ({ prediction_id, verdict: "correct" } as const)
            : ({ prediction_id, verdict: "incorrect", corrected_label: f.label } as const);
        await recordVerdict(t.other, ben.id, answer).catch((e: unknown) => failures.push(String(e)));
      }
    })();
    const scorer: FaceScorer = { versionId: v2.id, model: async () => baseline };
    const [scored] = await Promise.all([scoreAll(db, scorer, new Set(), 8).catch((e: unknown) => String(e)), benWork]);
    expect(failures).toEqual([]);
    expect(typeof scored).toBe("object");
    // Faces Ben reached after the scorer had passed them are judged on its next pass.
    await scoreAll(db, scorer, new Set(), 8);
    expect(await db.review.count({ where: { reviewerId: ben.id } })).toBe(faces.length);
    const after = await states(db);
    expect(after.every((s) => s.flagsVersionId === v2.id)).toBe(true);
    const suspect = after.filter((s) => s.suspect).map((s) => s.faceId);
    expect(suspect.sort((a, b) => a - b)).toEqual(
      faces.filter((f) => f.label === EMOTION_LABELS[argmin(f.crop.probs)]).map((f) => f.face.id),
    );
    // Suspect faces ask a third reviewer; the others are agreed; the tally matches the states.
    for (const s of after)
      expect(s).toMatchObject(
        s.suspect
          ? { verdicts: 2, needed: 3, open: true, secondLook: true }
          : { verdicts: 2, open: false, state: "AGREED" },
      );
    expect(await countRemaining(db)).toEqual({ faces: suspect.length, verdicts: suspect.length, conflicts: 0 });
  });

  it("a verdict after scoring is judged with the active version's score", async () => {
    const db = t.db;
    const { v2, faces } = await seed(db, 0, 3);
    await activate(db, v2.id);
    await scoreAll(db, { versionId: v2.id, model: async () => baseline });
    expect((await states(db)).some((s) => s.suspect)).toBe(false);
    // A second reviewer and a third say the baseline's least likely label on the first face: 2 to 1.
    const face = faces[0]!;
    const prediction = await db.prediction.findFirstOrThrow({ where: { faceId: face.face.id } });
    const least = EMOTION_LABELS[argmin(face.crop.probs)]!;
    for (const email of ["ben@example.test", "cy@example.test"]) {
      const r = await seedUser(db, email);
      await recordVerdict(db, r.id, { prediction_id: prediction.id, verdict: "incorrect", corrected_label: least });
    }
    const [s] = await states(db);
    // Suspect by v2's score (not by the flat served prediction), so it asks a fourth reviewer.
    expect(s).toMatchObject({
      consensusLabel: least,
      support: 2,
      flagsVersionId: v2.id,
      suspect: true,
      secondLook: true,
      needed: 4,
      state: "OPEN",
    });
  });
});
