import { describe, expect, it } from "vitest";
import { listFaces } from "@/lib/dataset/browse";
import { faceBulkSchema, faceQuerySchema } from "@/lib/dataset/schemas";
import { bulkAction } from "@/lib/dataset/bulk";
import { freezeSnapshot } from "@/lib/dataset/freeze-snapshot";
import { claimNext } from "@/lib/review/queue";
import { recordVerdict } from "@/lib/review/verdicts";
import { faceDetail } from "@/lib/review/face-detail";
import { useTestDb } from "@/test/support/use-test-db";
import { seedModelVersion, seedPredictions, seedUser } from "@/test/support/seed";

// The dataset browser's filters and keyset pagination on a seeded database.

const t = useTestDb();

async function setup(n: number) {
  await t.db.reviewSettings.create({ data: { id: 1, extraReviewShare: 0, controlShare: 0 } });
  const mv = await seedModelVersion(t.db);
  const admin = await seedUser(t.db, "admin@example.test", "ADMIN");
  const alice = await seedUser(t.db, "alice@example.test");
  // Margins repeat (i % 5) so that keyset paging has to break ties on the id.
  const { predictions } = await seedPredictions(t.db, {
    userId: admin.id,
    modelVersionId: mv.id,
    margins: Array.from({ length: n }, (_, i) => (i % 5) / 10),
  });
  // Spread the prediction times so "newest" has an order of its own.
  for (const [i, p] of predictions.entries()) {
    await t.db.faceState.update({
      where: { predictionId: p.id },
      data: { predictedAt: new Date(Date.UTC(2026, 10, 1, 0, i % 7)) },
    });
  }
  return { admin: { userId: admin.id, admin: true }, alice: { userId: alice.id, admin: false }, predictions };
}

const q = (input: Record<string, string>) => faceQuerySchema.parse(input);

describe("GET /api/faces (listFaces)", () => {
  it.each(["newest", "oldest", "margin", "-margin", "confidence", "-confidence"])(
    "walks every face exactly once, in %s order, page by page",
    async (sort) => {
      const { admin } = await setup(23);
      const seen: { id: number; key: number | string }[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 20; pages++) {
        const page = await listFaces(t.db, q({ sort, limit: "4", ...(cursor ? { cursor } : {}) }), admin);
        for (const it of page.items) {
          const key = sort.includes("margin")
            ? it.prediction.margin
            : sort.includes("confidence")
              ? it.prediction.confidence
              : it.predicted_at;
          seen.push({ id: it.id, key });
        }
        expect(page.total_estimate).toEqual({ count: 23, exact: true });
        if (!page.next_cursor) break;
        cursor = page.next_cursor;
      }
      expect(seen.map((s) => s.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
      const desc = sort === "newest" || sort.startsWith("-");
      for (let i = 1; i < seen.length; i++) {
        const [a, b] = [seen[i - 1]!, seen[i]!];
        const cmp = a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
        // Sorted by the key, ties by id, in the sort's direction.
        expect(desc ? cmp >= 0 : cmp <= 0).toBe(true);
        if (cmp === 0) expect(desc ? a.id > b.id : a.id < b.id).toBe(true);
      }
    },
  );

  it("filters by review state, consensus, verdict, reviewer, margin, golden and date, and counts the matches", async () => {
    const { admin, alice, predictions } = await setup(10);
    for (const p of predictions.slice(0, 4)) {
      await recordVerdict(t.db, alice.userId, { prediction_id: p.id, verdict: "incorrect", corrected_label: "sad" });
    }
    await recordVerdict(t.db, alice.userId, { prediction_id: predictions[4]!.id, verdict: "not_a_face" });
    await t.db.face.update({ where: { id: 1 }, data: { golden: true, goldenLabel: "sad" } });
    const ids = async (input: Record<string, string>, who = admin) =>
      (await listFaces(t.db, q({ sort: "oldest", ...input }), who)).items.map((i) => i.id).sort((a, b) => a - b);
    expect(await ids({ state: "open" })).toEqual([6, 7, 8, 9, 10]);
    expect(await ids({ state: "agreed", label: "sad" })).toEqual([1, 2, 3, 4]);
    expect(await ids({ label: "not_a_face" })).toEqual([5]);
    expect(await ids({ verdict: "incorrect" })).toEqual([1, 2, 3, 4]);
    expect(await ids({ verdict: "none" })).toEqual([6, 7, 8, 9, 10]);
    expect(await ids({ reviewer: String(alice.userId), verdict: "not_a_face" })).toEqual([5]);
    expect(await ids({ golden: "true" })).toEqual([1]);
    expect(await ids({ margin_min: "0.3" })).toEqual([4, 5, 9, 10]);
    expect(await ids({ margin_max: "0.1", predicted: "angry" })).toEqual([1, 2, 6, 7]);
    // Confidence (1 + margin) / 2 here: the bounds one range implies on the other keep faces on the edge.
    expect(await ids({ confidence_min: "0.6" })).toEqual([3, 4, 5, 8, 9, 10]);
    expect(await ids({ margin_max: "0.2", confidence_min: "0.6", sort: "-confidence" })).toEqual([3, 8]);
    expect(await ids({ from: "2026-11-01T00:05:00Z" })).toEqual([6, 7]);
    expect(await ids({ model_version: "2" })).toEqual([]);
    const page = await listFaces(t.db, q({ state: "agreed" }), admin);
    expect(page.total_estimate).toEqual({ count: 5, exact: true });
    expect(page.items[0]).toMatchObject({ consensus: { state: "agreed", verdicts: 1 }, flags: [] });
    // A reviewer lists their own verdicts and sees no consensus or golden marks.
    expect(await ids({ verdict: "incorrect" }, alice)).toEqual([1, 2, 3, 4]);
    const own = await listFaces(t.db, q({ verdict: "incorrect" }), alice);
    expect(own.items[0]).toMatchObject({ golden: null, consensus: null, flags: null });
  });

  it("refuses admin-only filters for a reviewer, someone else's verdicts, and a forged cursor", async () => {
    const { admin, alice } = await setup(3);
    // Tried: golden / consensus filters as a reviewer → 403 naming them.
    await expect(listFaces(t.db, q({ golden: "true", label: "sad" }), alice)).rejects.toMatchObject({
      status: 403,
      message: expect.stringMatching(/label, golden/),
    });
    await expect(listFaces(t.db, q({ reviewer: String(admin.userId) }), alice)).rejects.toMatchObject({ status: 403 });
    // Tried: a cursor that is not base64 JSON, one of another sort's kind → 400.
    for (const cursor of ["%%%", Buffer.from('["x", 1]').toString("base64url")]) {
      await expect(listFaces(t.db, q({ sort: "margin", cursor }), admin)).rejects.toMatchObject({ status: 400 });
    }
    // Tried: bad filter values → the schema refuses them (400 at the route).
    for (const bad of [
      { margin_min: "2" },
      { from: "yesterday" },
      { sort: "random" },
      { limit: "500" },
      { colour: "red" },
    ]) {
      expect(faceQuerySchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe("POST /api/faces/bulk (bulkAction)", () => {
  it("excludes matching faces from training with a reason, includes them again, and audits both", async () => {
    const { admin, alice, predictions } = await setup(6);
    for (const p of predictions) {
      await recordVerdict(t.db, alice.userId, { prediction_id: p.id, verdict: "incorrect", corrected_label: "sad" });
    }
    // Everything with a margin of 0.1 or less: faces 1, 2 and 6.
    const r = await bulkAction(t.db, admin.userId, {
      filter: { margin_max: "0.1" },
      action: "exclude",
      reason: "blurred",
    });
    expect(r).toEqual({ action: "exclude", matched: 3, changed: 3 });
    const excluded = await t.db.face.findMany({ where: { excludedAt: { not: null } }, orderBy: { id: "asc" } });
    expect(excluded.map((f) => [f.id, f.excludedReason, f.excludedById])).toEqual([
      [1, "blurred", admin.userId],
      [2, "blurred", admin.userId],
      [6, "blurred", admin.userId],
    ]);
    const job = await t.db.trainingJob.create({ data: { params: {}, createdById: admin.userId } });
    const snap = await freezeSnapshot(t.db, job.id);
    expect(snap.items).toHaveLength(3);
    expect(snap.excluded.byAdmin).toBe(3);
    const log = await t.db.auditLog.findFirstOrThrow({ where: { action: "faces.exclude" } });
    expect(log.details).toMatchObject({
      selection: { filter: { margin_max: "0.1" } },
      matched: 3,
      changed: 3,
      reason: "blurred",
    });

    expect(await bulkAction(t.db, admin.userId, { face_ids: [1, 2], action: "include" })).toMatchObject({ changed: 2 });
    expect((await freezeSnapshot(t.db, job.id)).items).toHaveLength(5);
    expect(await t.db.auditLog.count({ where: { action: "faces.include" } })).toBe(1);
  });

  it("sends decided faces back to the queue for a different reviewer, adds to the golden set, and refuses bad selections", async () => {
    const { admin, alice, predictions } = await setup(3);
    await recordVerdict(t.db, alice.userId, { prediction_id: predictions[0]!.id, verdict: "correct" });
    expect(await bulkAction(t.db, admin.userId, { face_ids: [1, 2], action: "requeue" })).toMatchObject({
      matched: 2,
      // Face 2 is still open (no verdict): nothing to send back.
      changed: 1,
    });
    expect(await t.db.faceState.findUniqueOrThrow({ where: { faceId: 1 } })).toMatchObject({
      open: true,
      needed: 2,
      verdicts: 1,
    });
    expect(await claimNext(t.db, alice.userId, { order: "uncertain", exclude: [], random: () => 0.99 })).toMatchObject({
      faceId: 2,
    });
    // Golden: only a face with a consensus emotion qualifies; face 3 has no verdict → 422, nothing changes.
    await expect(bulkAction(t.db, admin.userId, { face_ids: [1, 3], action: "golden_add" })).rejects.toMatchObject({
      status: 422,
    });
    expect(await t.db.face.count({ where: { golden: true } })).toBe(0);
    expect(await bulkAction(t.db, admin.userId, { face_ids: [1], action: "golden_add" })).toMatchObject({ changed: 1 });
    // Tried: an unknown face → 404; a bad filter → 400; exclude without a reason / ids and filter together → schema.
    await expect(bulkAction(t.db, admin.userId, { face_ids: [999], action: "include" })).rejects.toMatchObject({
      status: 404,
    });
    await expect(
      bulkAction(t.db, admin.userId, { filter: { margin_min: "7" }, action: "include" }),
    ).rejects.toMatchObject({ status: 400 });
    expect(faceBulkSchema.safeParse({ face_ids: [1], action: "exclude" }).success).toBe(false);
    expect(faceBulkSchema.safeParse({ face_ids: [1], filter: {}, action: "include" }).success).toBe(false);
  });
});

describe("GET /api/faces/:id (faceDetail) audit trail", () => {
  it("gives admins the face's audit rows, newest first: verdict changes, golden changes and bulk actions that listed it", async () => {
    const { admin, alice, predictions } = await setup(3);
    const [p1, p2] = [predictions[0]!, predictions[1]!];
    await recordVerdict(t.db, alice.userId, { prediction_id: p1.id, verdict: "correct" });
    // A changed verdict is audited against the review.
    await recordVerdict(t.db, alice.userId, { prediction_id: p1.id, verdict: "incorrect", corrected_label: "sad" });
    await recordVerdict(t.db, alice.userId, { prediction_id: p2.id, verdict: "correct" });
    await bulkAction(t.db, admin.userId, { face_ids: [1], action: "golden_add" });
    await bulkAction(t.db, admin.userId, { face_ids: [1, 2], action: "exclude", reason: "blurred" });
    expect((await faceDetail(t.db, 1, admin)).excluded).toMatchObject({ reason: "blurred" });
    const listed = await listFaces(t.db, q({ sort: "oldest" }), admin);
    expect(listed.items.map((i) => i.excluded)).toEqual([true, true, false]);
    // Not face 1's: another face's golden change, and an action on a filter (it names no faces).
    await bulkAction(t.db, admin.userId, { face_ids: [2], action: "golden_add" });
    await bulkAction(t.db, admin.userId, { filter: { margin_min: "0" }, action: "include" });

    const detail = await faceDetail(t.db, 1, admin);
    expect(detail.audit?.map((a) => a.action)).toEqual(["faces.exclude", "golden.add", "review.change"]);
    expect(detail.audit?.[0]).toMatchObject({
      actor: { id: admin.userId, email: "admin@example.test" },
      details: { faces: 2, matched: 2, changed: 2, reason: "blurred" },
    });
    // The golden row's lists of faces and labels come down to this face's label.
    expect(detail.audit?.[1]?.details).toEqual({ faces: 1, changed: 1, label: "sad" });
    expect(detail.audit?.[2]).toMatchObject({
      actor: { email: "alice@example.test" },
      details: { from: { verdict: "CORRECT" }, to: { verdict: "INCORRECT", correctedLabel: "sad" } },
    });
    // Excluded by the first action, included again by the one on a filter.
    expect(detail.excluded).toBeNull();
    // Reviewers get no audit trail, not even of a face they judged.
    expect(await faceDetail(t.db, 1, alice)).toMatchObject({ audit: null, excluded: null });
  });
});
