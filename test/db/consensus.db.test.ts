import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import pg from "pg";
import { ADVISORY_LOCKS } from "@/lib/db/advisory-locks";
import type { Db } from "@/lib/db/client";
import { claimNext, countRemaining, getQueueItem } from "@/lib/review/queue";
import { recordVerdict } from "@/lib/review/verdicts";
import { adjudicate, claimConflict, countConflicts, releaseConflict } from "@/lib/review/adjudication";
import { agreementSummary } from "@/lib/review/agreement";
import { faceDetail } from "@/lib/review/face-detail";
import { updateReviewSettings } from "@/lib/review/settings";
import { setGolden } from "@/lib/dataset/golden";
import { freezeSnapshot } from "@/lib/dataset/freeze-snapshot";
import { EMOTION_LABELS } from "@/lib/model/labels";
import { useTestDb } from "@/test/support/use-test-db";
import { seedModelVersion, seedPredictions, seedUser } from "@/test/support/seed";

// Overlap, consensus, adjudication, controls and flags, on a real database with the triggers that keep
// each face's review state. Seeded predictions all say "angry".

const t = useTestDb();

async function settings(s: { verdictsPerFace?: number; extraReviewShare?: number; controlShare?: number }) {
  await t.db.reviewSettings.upsert({
    where: { id: 1 },
    create: { id: 1, extraReviewShare: 0, controlShare: 0, ...s },
    update: { extraReviewShare: 0, controlShare: 0, ...s },
  });
}

async function setup(n: number, reviewers = ["alice", "bob", "carol"]) {
  const mv = await seedModelVersion(t.db);
  const admin = await seedUser(t.db, "admin@example.test", "ADMIN");
  const users = [];
  for (const name of reviewers) users.push(await seedUser(t.db, `${name}@example.test`));
  const { predictions } = await seedPredictions(t.db, {
    userId: admin.id,
    modelVersionId: mv.id,
    margins: Array.from({ length: n }, (_, i) => (i + 1) / 100),
  });
  return { admin, users, predictions };
}

/** Claims and answers until the queue has nothing for this reviewer; returns the faces answered. */
async function drain(
  db: Db,
  reviewerId: number,
  answer: (predictionId: number) => Parameters<typeof recordVerdict>[2],
) {
  const done: number[] = [];
  for (;;) {
    const c = await claimNext(db, reviewerId, { order: "uncertain", exclude: [], random: () => 0.99 });
    if (!c) return done;
    await recordVerdict(db, reviewerId, answer(c.predictionId));
    done.push(c.faceId);
  }
}

/** The first `n` rows, each known to be there. */
function take<T>(rows: T[], n: 2): [T, T];
function take<T>(rows: T[], n: 3): [T, T, T];
function take<T>(rows: T[], n: number): T[] {
  if (rows.length < n) throw new Error(`expected ${n} rows, got ${rows.length}`);
  return rows.slice(0, n);
}

const state = (faceId: number) => t.db.faceState.findUniqueOrThrow({ where: { faceId } });

describe("overlap", () => {
  it("keeps a face in the queue until it has the verdicts it needs, and never serves it to the same reviewer twice", async () => {
    await settings({ verdictsPerFace: 2 });
    const { users } = await setup(3);
    const [alice, bob, carol] = take(users, 3);
    expect(await countRemaining(t.db)).toEqual({ faces: 3, verdicts: 6, conflicts: 0 });
    const a = await drain(t.db, alice.id, (id) => ({ prediction_id: id, verdict: "correct" }));
    expect(a.sort()).toEqual([1, 2, 3]);
    // Alice has judged all three: nothing more for her, although each still needs a verdict.
    expect(await claimNext(t.db, alice.id, { order: "uncertain", exclude: [] })).toBeNull();
    expect(await countRemaining(t.db)).toEqual({ faces: 3, verdicts: 3, conflicts: 0 });
    const b = await drain(t.db, bob.id, (id) => ({ prediction_id: id, verdict: "correct" }));
    expect(b.sort()).toEqual([1, 2, 3]);
    expect(await claimNext(t.db, carol.id, { order: "uncertain", exclude: [] })).toBeNull();
    expect(await countRemaining(t.db)).toEqual({ faces: 0, verdicts: 0, conflicts: 0 });
    for (const f of [1, 2, 3]) {
      expect(await state(f)).toMatchObject({ state: "AGREED", consensusLabel: "angry", support: 2, verdicts: 2 });
    }
  });

  it("asks one verdict more of the faces a seeded hash picks for the extra-review share", async () => {
    await settings({ verdictsPerFace: 1, extraReviewShare: 0.5 });
    await setup(40);
    // The same rule as the database's review_share_key: the first 32 bits of md5("<seed>:<face id>").
    const key = (id: number) =>
      parseInt(crypto.createHash("md5").update(`emotion-loop:${id}`).digest("hex").slice(0, 8), 16) / 2 ** 32;
    const rows = await t.db.faceState.findMany({ orderBy: { faceId: "asc" } });
    expect(rows.map((r) => r.needed)).toEqual(rows.map((r) => (key(r.faceId) < 0.5 ? 2 : 1)));
    const extra = rows.filter((r) => r.needed === 2).length;
    expect(extra).toBeGreaterThan(8);
    expect(extra).toBeLessThan(32);
  });

  it("applies a new setting to faces still open and leaves decided faces as they are, audited", async () => {
    await settings({ verdictsPerFace: 1 });
    const { admin, users, predictions } = await setup(3);
    await recordVerdict(t.db, users[0]!.id, { prediction_id: predictions[0]!.id, verdict: "correct" });
    await recordVerdict(t.db, users[0]!.id, { prediction_id: predictions[1]!.id, verdict: "correct" });
    // Tried: raise the overlap to 2 → the two decided faces stay agreed; the open one now needs 2.
    const { faces_affected } = await updateReviewSettings(t.db, admin.id, {
      verdicts_per_face: 2,
      extra_review_share: 0,
    });
    expect(faces_affected).toBe(1);
    expect(await state(1)).toMatchObject({ state: "AGREED", needed: 1, open: false });
    expect(await state(3)).toMatchObject({ state: "OPEN", needed: 2, open: true });
    expect(await countRemaining(t.db)).toEqual({ faces: 1, verdicts: 2, conflicts: 0 });
    const log = await t.db.auditLog.findFirstOrThrow({ where: { action: "settings.review.update" } });
    expect(log.actorId).toBe(admin.id);
    expect(log.details).toMatchObject({ from: { verdicts_per_face: 1 }, to: { verdicts_per_face: 2 } });
  });
});

describe("review settings under two admins", () => {
  it("keeps both changes when two admins change different settings at once", async () => {
    const { admin } = await setup(2);
    const other = await t.db.user.create({ data: { email: "admin2@example.test", passwordHash: "x", role: "ADMIN" } });
    // Tried: both start while a third session holds the settings lock, so both are under way before
    // either can write (each from its own connection pool); then the lock is let go.
    const holder = new pg.Client({ connectionString: t.url });
    await holder.connect();
    await holder.query("BEGIN");
    await holder.query("SELECT pg_advisory_xact_lock($1)", [ADVISORY_LOCKS.reviewSettings]);
    const both = Promise.all([
      updateReviewSettings(t.db, admin.id, { verdicts_per_face: 3 }),
      updateReviewSettings(t.other, other.id, { control_share: 0.2 }),
    ]);
    await new Promise((res) => setTimeout(res, 500));
    await holder.query("COMMIT");
    await holder.end();
    await both;
    expect(await t.db.reviewSettings.findUniqueOrThrow({ where: { id: 1 } })).toMatchObject({
      verdictsPerFace: 3,
      controlShare: 0.2,
    });
    expect(await t.db.auditLog.count({ where: { action: "settings.review.update" } })).toBe(2);
  });
});

describe("consensus and adjudication", () => {
  it("a 2–1 split is agreed and disputed; a tie is a conflict an admin decides, once, and that label trains", async () => {
    await settings({ verdictsPerFace: 3 });
    const { admin, users, predictions } = await setup(2);
    const [p1, p2] = take(predictions, 2);
    const [alice, bob, carol] = take(users, 3);
    await recordVerdict(t.db, alice.id, { prediction_id: p1.id, verdict: "correct" });
    await recordVerdict(t.db, bob.id, { prediction_id: p1.id, verdict: "correct" });
    await recordVerdict(t.db, carol.id, { prediction_id: p1.id, verdict: "incorrect", corrected_label: "sad" });
    expect(await state(1)).toMatchObject({ state: "AGREED", consensusLabel: "angry", support: 2, disputed: true });

    await updateReviewSettings(t.db, admin.id, { verdicts_per_face: 2 });
    await recordVerdict(t.db, alice.id, { prediction_id: p2.id, verdict: "incorrect", corrected_label: "fear" });
    await recordVerdict(t.db, bob.id, { prediction_id: p2.id, verdict: "incorrect", corrected_label: "sad" });
    expect(await state(2)).toMatchObject({ state: "CONFLICT", consensusLabel: null, open: false });
    expect(await countConflicts(t.db)).toBe(1);

    // A tie waits for adjudication: not in the training data yet.
    const job = await t.db.trainingJob.create({ data: { params: {}, createdById: admin.id } });
    const before = await freezeSnapshot(t.db, job.id);
    expect(before.items.map((i) => i.label)).toEqual(["angry"]);
    expect(before.excluded.ties).toBe(1);

    expect(await claimConflict(t.db, admin.id)).toBe(2);
    // Another admin finds nothing while it is held; a skip hands it over at once; only the holder may skip.
    const other = await t.db.user.create({ data: { email: "admin2@example.test", passwordHash: "x", role: "ADMIN" } });
    expect(await claimConflict(t.db, other.id)).toBeNull();
    await expect(releaseConflict(t.db, other.id, 2)).rejects.toMatchObject({ status: 404 });
    await releaseConflict(t.db, admin.id, 2);
    expect(await claimConflict(t.db, other.id)).toBe(2);
    await releaseConflict(t.db, other.id, 2);
    expect(await claimConflict(t.db, admin.id)).toBe(2);
    // Tried: a label the model does not know → 422, nothing stored.
    await expect(adjudicate(t.db, admin.id, { face_id: 2, label: "contempt" })).rejects.toMatchObject({ status: 422 });
    await adjudicate(t.db, admin.id, { face_id: 2, label: "sad", note: "eyebrows" });
    expect(await state(2)).toMatchObject({ state: "ADJUDICATED", consensusLabel: "sad", claimedById: null });
    expect(await countConflicts(t.db)).toBe(0);
    expect(await claimConflict(t.db, admin.id)).toBeNull();
    // Tried: deciding again → 409; the first decision stands.
    await expect(adjudicate(t.db, admin.id, { face_id: 2, label: "fear" })).rejects.toMatchObject({ status: 409 });
    // A later verdict does not move an adjudicated label.
    await recordVerdict(t.db, carol.id, { prediction_id: p2.id, verdict: "incorrect", corrected_label: "fear" });
    expect(await state(2)).toMatchObject({ state: "ADJUDICATED", consensusLabel: "sad" });
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { action: "adjudication.decide" } });
    expect(audit).toMatchObject({ actorId: admin.id, targetType: "face", targetId: "2" });

    const after = await freezeSnapshot(t.db, job.id);
    const decided = after.items.find((i) => i.label === "sad");
    expect(decided?.formed).toMatchObject({ method: "adjudicated", votes: 3 });
    expect(after.items.find((i) => i.label === "angry")?.formed).toEqual({ method: "majority", votes: 3, support: 2 });
  });

  it("'not a face' and 'can't tell' are answers: counted, shown as the consensus, never trained on", async () => {
    await settings({ verdictsPerFace: 1 });
    const { admin, users, predictions } = await setup(3);
    const alice = users[0]!.id;
    await recordVerdict(t.db, alice, { prediction_id: predictions[0]!.id, verdict: "not_a_face" });
    await recordVerdict(t.db, alice, { prediction_id: predictions[1]!.id, verdict: "unsure" });
    await recordVerdict(t.db, alice, { prediction_id: predictions[2]!.id, verdict: "correct" });
    expect(await state(1)).toMatchObject({ state: "AGREED", consensusLabel: "not_a_face" });
    expect(await state(2)).toMatchObject({ state: "AGREED", consensusLabel: "unsure" });
    // Tried: a corrected label with "not a face" → refused by the schema the API uses.
    const { reviewInputSchema } = await import("@/lib/review/schemas");
    expect(
      reviewInputSchema.safeParse({ prediction_id: 1, verdict: "not_a_face", corrected_label: "sad" }).success,
    ).toBe(false);
    const job = await t.db.trainingJob.create({ data: { params: {}, createdById: admin.id } });
    const snap = await freezeSnapshot(t.db, job.id);
    expect(snap.items.map((i) => i.label)).toEqual(["angry"]);
    expect(snap.excluded).toMatchObject({ notAFace: 1, unsure: 1 });
    const summary = await agreementSummary(t.db);
    expect(summary.faces).toMatchObject({ not_a_face: 1, unsure: 1, agreed: 3 });
    expect(summary.reviewers[0]).toMatchObject({ verdicts: 3, not_a_face: 1, unsure: 1 });
  });
});

describe("control faces", () => {
  it("serves golden faces blind at the control share; a control verdict scores the reviewer and never changes the label", async () => {
    await settings({ verdictsPerFace: 1 });
    const { admin, users, predictions } = await setup(2);
    const [alice, bob] = take(users, 2);
    await recordVerdict(t.db, alice.id, { prediction_id: predictions[0]!.id, verdict: "correct" });
    await setGolden(t.db, admin.id, { face_ids: [1], golden: true });
    expect((await t.db.face.findUniqueOrThrow({ where: { id: 1 } })).goldenLabel).toBe("angry");
    await updateReviewSettings(t.db, admin.id, {
      control_share: 0.2,
      control_min_accuracy: 0.5,
      control_min_answers: 1,
    });

    // A draw under the share → a control; it looks like any other item (no golden mark, a lease shown).
    const control = await claimNext(t.db, bob.id, { order: "uncertain", exclude: [], random: () => 0.1 });
    expect(control).toMatchObject({ faceId: 1, control: true });
    const item = await getQueueItem(t.db, control!);
    expect(JSON.stringify(item)).not.toMatch(/golden/);
    expect(item.lease_expires_at).not.toBeNull();
    // A draw above the share → the regular queue.
    expect(await claimNext(t.db, bob.id, { order: "uncertain", exclude: [], random: () => 0.5 })).toMatchObject({
      faceId: 2,
      control: false,
    });

    await recordVerdict(t.db, bob.id, {
      prediction_id: predictions[0]!.id,
      verdict: "incorrect",
      corrected_label: "sad",
    });
    const review = await t.db.review.findFirstOrThrow({ where: { reviewerId: bob.id, faceId: 1 } });
    expect(review.control).toBe(true);
    expect((await t.db.face.findUniqueOrThrow({ where: { id: 1 } })).goldenLabel).toBe("angry");
    expect(await state(1)).toMatchObject({ verdicts: 1, consensusLabel: "angry" });
    // Bob has now answered the only golden face: no second control for him.
    expect(await claimNext(t.db, bob.id, { order: "uncertain", exclude: [], random: () => 0.1 })).toMatchObject({
      faceId: 2,
      control: false,
    });
    const job = await t.db.trainingJob.create({ data: { params: {}, createdById: admin.id } });
    expect((await freezeSnapshot(t.db, job.id)).golden).toEqual([
      expect.objectContaining({
        label: "angry",
        reviewIds: [1],
        formed: expect.objectContaining({ method: "golden" }),
      }),
    ]);

    const summary = await agreementSummary(t.db);
    const bobRow = summary.reviewers.find((r) => r.id === bob.id)!;
    expect(bobRow).toMatchObject({ controls: 1, control_accuracy: 0, verdicts: 0, flagged: true });
    expect(summary.reviewers.find((r) => r.id === alice.id)).toMatchObject({ controls: 0, flagged: false });
  });
});

describe("noise flags and the second look", () => {
  it("flags a face whose label the model all but rules out, sends it to a different reviewer, and serves it first in second-look order", async () => {
    await settings({ verdictsPerFace: 1 });
    const { users, predictions } = await setup(3);
    const [alice, bob] = take(users, 2);
    // Face 3: the model is sure of "angry" (0.9) and gives "sad" 0.01.
    await t.db.prediction.update({
      where: { id: predictions[2]!.id },
      data: { probabilities: [0.9, 0.03, 0.02, 0.02, 0.01, 0.01, 0.01], confidence: 0.9, margin: 0.87 },
    });
    await recordVerdict(t.db, alice.id, {
      prediction_id: predictions[2]!.id,
      verdict: "incorrect",
      corrected_label: "sad",
    });
    expect(await state(3)).toMatchObject({ suspect: true, secondLook: true, needed: 2, open: true, state: "OPEN" });
    expect(await claimNext(t.db, alice.id, { order: "second_look", exclude: [] })).toMatchObject({ faceId: 1 });
    const forBob = await claimNext(t.db, bob.id, { order: "second_look", exclude: [], random: () => 0.99 });
    expect(forBob).toMatchObject({ faceId: 3 });
    await recordVerdict(t.db, bob.id, { prediction_id: predictions[2]!.id, verdict: "correct" });
    // Bob says angry, Alice said sad: a tie → conflict; the flags stay on the face.
    expect(await state(3)).toMatchObject({ state: "CONFLICT", disputed: true });
    const detail = await faceDetail(t.db, 3, { userId: bob.id, admin: false });
    expect(detail.consensus).toMatchObject({ state: "conflict", verdicts: 2 });
    expect(detail.flags).toEqual(["disputed"]);
    expect(detail.verdicts.map((v) => v.label).sort()).toEqual(["angry", "sad"]);
    // Someone who has not judged the face sees neither the verdicts nor the consensus.
    const carol = users[2]!;
    expect(await faceDetail(t.db, 3, { userId: carol.id, admin: false })).toMatchObject({
      consensus: null,
      verdicts: [],
      flags: [],
      golden: null,
    });
  });
});

describe("agreement", () => {
  it("measures reviewers on faces they share, against a hand count", async () => {
    await settings({ verdictsPerFace: 2 });
    const { users, predictions } = await setup(4, ["alice", "bob"]);
    const [alice, bob] = take(users, 2);
    const labels = ["angry", "sad", "happy", "fear"];
    for (const [i, p] of predictions.entries()) {
      await recordVerdict(t.db, alice.id, { prediction_id: p.id, verdict: "correct" });
      // Bob agrees on faces 1 and 2, says sad on 3 and happy on 4.
      const bobLabel = i < 2 ? "angry" : labels[i - 1]!;
      await recordVerdict(
        t.db,
        bob.id,
        bobLabel === "angry"
          ? { prediction_id: p.id, verdict: "correct" }
          : { prediction_id: p.id, verdict: "incorrect", corrected_label: bobLabel },
      );
    }
    const s = await agreementSummary(t.db);
    // Pairs (alice, bob): (a,a) (a,a) (a,s) (a,h) → 2 of 4 agree.
    expect(s.overall.faces).toBe(4);
    expect(s.overall.percent_agreement).toBeCloseTo(0.5, 10);
    // Cohen's κ for Bob against Alice: po = 0.5; Alice always "angry" (pA = 1), Bob angry 0.5 → pe = 0.5 → κ = 0.
    const b = s.reviewers.find((r) => r.id === bob.id)!;
    expect(b).toMatchObject({ compared: 4, agreement: 0.5 });
    expect(b.kappa).toBeCloseTo(0, 10);
    const angry = EMOTION_LABELS.indexOf("angry");
    expect(b.confusion[angry]![angry]).toBe(2);
    expect(s.faces).toMatchObject({ conflict: 2, agreed: 2 });
  });
});

describe("a newer prediction of a face", () => {
  it("becomes the one the queue serves and the face's state is recomputed with it; a new face starts open", async () => {
    await settings({ verdictsPerFace: 1 });
    const { users, predictions } = await setup(1);
    expect(await state(1)).toMatchObject({ state: "OPEN", open: true, verdicts: 0, predictionId: predictions[0]!.id });
    await recordVerdict(t.db, users[0]!.id, {
      prediction_id: predictions[0]!.id,
      verdict: "incorrect",
      corrected_label: "sad",
    });
    expect(await state(1)).toMatchObject({ state: "AGREED", suspect: false });
    // A second version, sure of "angry" and all but ruling out "sad": the face turns suspect.
    const v2 = await seedModelVersion(t.db, 2);
    const newer = await t.db.prediction.create({
      data: {
        faceId: 1,
        modelVersionId: v2.id,
        label: "angry",
        confidence: 0.9,
        probabilities: [0.9, 0.03, 0.02, 0.02, 0.01, 0.01, 0.01],
        margin: 0.87,
      },
    });
    expect(await state(1)).toMatchObject({ predictionId: newer.id, verdicts: 1, consensusLabel: "sad", suspect: true });
  });
});

describe("verdict_label (SQL)", () => {
  it("gives every verdict the label verdictLabel gives it", async () => {
    const { verdictLabel } = await import("@/lib/dataset/verdict-label");
    for (const [verdict, corrected] of [
      ["CORRECT", null],
      ["INCORRECT", "sad"],
      ["INCORRECT", null],
      ["NOT_A_FACE", null],
      ["UNSURE", null],
    ] as const) {
      const [row] = await t.db.$queryRaw<{ label: string }[]>`
        SELECT verdict_label(${verdict}::"Verdict", ${corrected}, 'happy') AS label`;
      expect(row?.label, verdict).toBe(verdictLabel({ verdict, correctedLabel: corrected }, "happy"));
    }
  });
});
