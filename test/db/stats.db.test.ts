import { beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db/client";
import { EMOTION_LABELS } from "@/lib/model/labels";
import { setGolden } from "@/lib/dataset/golden";
import { dashboardStats } from "@/lib/stats/dashboard-stats";
import { useTestDb } from "@/test/support/use-test-db";
import { seedModelVersion, seedUser } from "@/test/support/seed";

// The dashboard's figures on a database seeded day by day, against figures worked out by hand below.

const t = useTestDb();

const DAY = 86_400_000;
const now = new Date();
const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
/** A minute into the UTC day `k` days ago: never later than now (but in the first minute of a day). */
const daysAgo = (k: number) => new Date(Math.min(today - k * DAY + 60_000, now.getTime()));

type Verdict = "CORRECT" | "INCORRECT" | "NOT_A_FACE" | "UNSURE";

let position = 0;
async function face(db: Db, uploadId: number, enteredDaysAgo: number, predictions: [number, string][]) {
  const f = await db.face.create({
    data: {
      uploadId,
      position: position++,
      boxX: 0,
      boxY: 0,
      boxWidth: 48,
      boxHeight: 48,
      cropPath: `crop-${position}.png`,
      cropSha256: String(position).padStart(64, "0"),
    },
  });
  const ids: number[] = [];
  // In the order given: the last is the face's newest prediction, the one the queue serves.
  for (const [modelVersionId, label] of predictions) {
    const p = await db.prediction.create({
      data: {
        faceId: f.id,
        modelVersionId,
        label,
        confidence: 0.6,
        probabilities: EMOTION_LABELS.map((l) => (l === label ? 0.6 : 0.4 / 6)),
        margin: 0.5,
        createdAt: daysAgo(enteredDaysAgo),
      },
    });
    ids.push(p.id);
  }
  return { id: f.id, predictionId: ids[ids.length - 1]! };
}

async function verdict(
  db: Db,
  reviewerId: number,
  f: { id: number; predictionId: number },
  at: number,
  v: Verdict,
  opts: { correctedLabel?: string; control?: boolean } = {},
) {
  await db.review.create({
    data: {
      predictionId: f.predictionId,
      faceId: f.id,
      reviewerId,
      verdict: v,
      correctedLabel: opts.correctedLabel ?? null,
      control: opts.control ?? false,
      createdAt: daysAgo(at),
      updatedAt: daysAgo(at),
    },
  });
}

let ids: { admin: number; alice: number; bob: number; v1: number; v2: number };

beforeEach(async () => {
  const db = t.db;
  await db.reviewSettings.create({ data: { id: 1, verdictsPerFace: 1, extraReviewShare: 0, controlShare: 0 } });
  const v1 = await seedModelVersion(db, 1);
  await db.modelVersion.update({ where: { id: v1.id }, data: { status: "ARCHIVED", createdAt: daysAgo(90) } });
  const v2 = await seedModelVersion(db, 2);
  const admin = await seedUser(db, "admin@example.test", "ADMIN");
  const alice = await seedUser(db, "alice@example.test");
  const bob = await seedUser(db, "bob@example.test");
  ids = { admin: admin.id, alice: alice.id, bob: bob.id, v1: v1.id, v2: v2.id };
  const upload = await db.upload.create({
    data: {
      userId: admin.id,
      sha256: "a".repeat(64),
      format: "png",
      bytes: 100,
      width: 48,
      height: 48,
      imagePath: "uploads/x.png",
    },
  });
  position = 0;

  // Ten golden faces from long ago, all happy by Bob's verdicts and version 2; version 1 said happy
  // for eight of them and sad for two.
  const golden = [];
  for (let i = 0; i < 10; i++) {
    const g = await face(db, upload.id, 60, [
      [v1.id, i < 8 ? "happy" : "sad"],
      [v2.id, "happy"],
    ]);
    await verdict(db, bob.id, g, 60, "CORRECT");
    golden.push(g);
  }
  await setGolden(db, admin.id, { face_ids: golden.map((g) => g.id), golden: true });
  // Alice gets the first golden face as a control today: her work, nobody's label.
  await verdict(db, alice.id, golden[0]!, 0, "CORRECT", { control: true });

  // The window's faces, all predicted by version 2 (the active one).
  const f1 = await face(db, upload.id, 40, [[v2.id, "happy"]]);
  await verdict(db, alice.id, f1, 40, "CORRECT"); // decided before the window
  const f2 = await face(db, upload.id, 2, [[v2.id, "happy"]]);
  await verdict(db, alice.id, f2, 1, "INCORRECT", { correctedLabel: "sad" }); // decided yesterday
  const f3 = await face(db, upload.id, 2, [[v2.id, "sad"]]);
  await verdict(db, bob.id, f3, 0, "CORRECT"); // decided today
  await face(db, upload.id, 1, [[v2.id, "angry"]]); // f4: open
  const f5 = await face(db, upload.id, 0, [[v2.id, "angry"]]);
  await verdict(db, alice.id, f5, 0, "NOT_A_FACE"); // decided today
  await face(db, upload.id, 0, [[v2.id, "neutral"]]); // f6: open
  const f7 = await face(db, upload.id, 3, [[v2.id, "fear"]]);
  await verdict(db, alice.id, f7, 3, "CORRECT"); // in and out on one day
  await face(db, upload.id, 45, [[v2.id, "surprise"]]); // f8: open since before the window
  const f9 = await face(db, upload.id, 5, [[v2.id, "disgust"]]);
  // An admin overrules f9 yesterday, before anyone judged it.
  await db.adjudication.create({
    data: { faceId: f9.id, label: "surprise", adjudicatorId: admin.id, createdAt: daysAgo(1) },
  });
});

describe("dashboardStats", () => {
  it("counts the queue now and walks it back day by day", async () => {
    const s = await dashboardStats(t.db, { kind: "everyone" }, now);
    expect(s.days).toHaveLength(30);
    expect(s.days[29]).toBe(now.toISOString().slice(0, 10));
    // Open now: f4, f6, f8.
    expect(s.queue).toMatchObject({ remaining: 3, verdicts_needed: 3, conflicts: 0 });
    // End of each day: f8 alone until f9 came (5 days ago); f7 in and out 3 days ago; f2, f3 came 2 days
    // ago; yesterday f4 came while f2 and f9 were decided; today f5, f6 came, f3 and f5 were decided.
    expect(s.queue.burn_down).toEqual([...Array(24).fill(1), 2, 2, 2, 4, 3, 3]);
  });

  it("gives verdicts per day per reviewer to admins (controls included), and only their own to a reviewer", async () => {
    const everyone = await dashboardStats(t.db, { kind: "everyone" }, now);
    const series = (s: typeof everyone) =>
      Object.fromEntries(s.verdicts.reviewers.map((r) => [r.email, { total: r.total, recent: r.per_day.slice(-4) }]));
    expect(everyone.scope).toBe("everyone");
    expect(series(everyone)).toEqual({
      "alice@example.test": { total: 4, recent: [1, 0, 1, 2] },
      "bob@example.test": { total: 1, recent: [0, 0, 0, 1] },
    });
    const own = await dashboardStats(t.db, { kind: "own", reviewerId: ids.bob }, now);
    expect(own.scope).toBe("own");
    expect(series(own)).toEqual({ "bob@example.test": { total: 1, recent: [0, 0, 0, 1] } });
    // A reviewer with no verdicts in the window still gets their (empty) series.
    const admin = await dashboardStats(t.db, { kind: "own", reviewerId: ids.admin }, now);
    expect(admin.verdicts.reviewers).toEqual([
      expect.objectContaining({ email: "admin@example.test", total: 0, per_day: Array(30).fill(0) }),
    ]);
  });

  it("sets decided faces' consensus beside the active version's predictions", async () => {
    const s = await dashboardStats(t.db, { kind: "everyone" }, now);
    expect(s.labels.model_version).toMatchObject({ id: ids.v2, version: 2 });
    expect(s.labels.labels).toEqual([...EMOTION_LABELS, "not_a_face", "unsure"]);
    const by = (counts: number[]) => Object.fromEntries(s.labels.labels.map((l, i) => [l, counts[i]]));
    // Consensus: 10 golden + f1 happy, f2 and f3 sad, f5 not a face, f7 fear, f9 surprise (adjudicated).
    expect(by(s.labels.consensus)).toEqual({
      angry: 0,
      disgust: 0,
      fear: 1,
      happy: 11,
      sad: 2,
      surprise: 1,
      neutral: 0,
      not_a_face: 1,
      unsure: 0,
    });
    // Version 2's predictions of all 19 faces.
    expect(by(s.labels.predicted)).toEqual({
      angry: 2,
      disgust: 1,
      fear: 1,
      happy: 12,
      sad: 1,
      surprise: 1,
      neutral: 1,
      not_a_face: 0,
      unsure: 0,
    });
  });

  it("confuses the active version with the window's verdicts, controls and non-emotions left out", async () => {
    const s = await dashboardStats(t.db, { kind: "everyone" }, now);
    const c = s.confusion!;
    const at = (truth: string, predicted: string) => c.matrix[c.labels.indexOf(truth)]![c.labels.indexOf(predicted)];
    // f2: sad for a predicted happy; f3: sad, sad; f7: fear, fear. f5 (not a face) is left out; f1 is
    // older than the window; Alice's control on a golden face is not a label.
    expect(c.verdicts).toBe(3);
    expect(c.left_out).toBe(1);
    expect(at("sad", "happy")).toBe(1);
    expect(at("sad", "sad")).toBe(1);
    expect(at("fear", "fear")).toBe(1);
    expect(c.matrix.flat().reduce((a, b) => a + b, 0)).toBe(3);
  });

  it("scores every version on the golden set with a 95 % Wilson interval, oldest version first", async () => {
    const s = await dashboardStats(t.db, { kind: "own", reviewerId: ids.alice }, now);
    expect(s.golden.size).toBe(10);
    expect(s.golden.min_n).toBe(100);
    const [v1, v2] = s.golden.versions;
    expect(s.golden.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(v1).toMatchObject({ id: ids.v1, status: "ARCHIVED", n: 10, correct: 8, accuracy: 0.8 });
    // 8 of 10: Wilson's [0.490, 0.943] (Newcombe 1998, method 3).
    expect(v1!.ci_low).toBeCloseTo(0.4902, 4);
    expect(v1!.ci_high).toBeCloseTo(0.9433, 4);
    expect(v2).toMatchObject({ id: ids.v2, status: "ACTIVE", n: 10, correct: 10, accuracy: 1, ci_high: 1 });
    expect(v2!.ci_low).toBeCloseTo(0.7225, 4);

    // One more golden face that version 2 gets wrong and version 1 never saw: only version 2's n moves.
    const [f2] = await t.db.faceState.findMany({
      where: { consensusLabel: "sad", verdicts: 1 },
      orderBy: { faceId: "asc" },
      take: 1,
    });
    await setGolden(t.db, ids.admin, { face_ids: [f2!.faceId], golden: true });
    const after = await dashboardStats(t.db, { kind: "everyone" }, now);
    expect(after.golden.size).toBe(11);
    expect(after.golden.versions.map((v) => [v.n, v.correct])).toEqual([
      [10, 8],
      [11, 10],
    ]);
  });

  it("answers an empty database with zeros and no model figures", async () => {
    await t.db.$executeRawUnsafe(
      `TRUNCATE "Adjudication", "FaceState", "QueueTally", "Review", "Prediction", "Face", "ModelVersion" RESTART IDENTITY CASCADE`,
    );
    const s = await dashboardStats(t.db, { kind: "everyone" }, now);
    expect(s.queue).toEqual({ remaining: 0, verdicts_needed: 0, conflicts: 0, burn_down: Array(30).fill(0) });
    expect(s.verdicts.reviewers).toEqual([]);
    expect(s.labels.model_version).toBeNull();
    expect(s.labels.consensus.every((n) => n === 0)).toBe(true);
    expect(s.confusion).toBeNull();
    expect(s.golden).toEqual({ size: 0, min_n: 100, versions: [] });
  });
});
