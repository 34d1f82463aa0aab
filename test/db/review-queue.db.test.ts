import pg from "pg";
import { describe, expect, it } from "vitest";
import { createDb, type Db } from "@/lib/db/client";
import { claimNext as claimFace, countRemaining, releaseClaim } from "@/lib/review/queue";
import { recordVerdict, undoVerdict } from "@/lib/review/verdicts";
import { useTestDb } from "@/test/support/use-test-db";
import { seedModelVersion, seedPredictions, seedUser } from "@/test/support/seed";

const t = useTestDb();

/** The claimed prediction's id, as the API hands it out. */
async function claimNext(db: Db, reviewerId: number, opts: Parameters<typeof claimFace>[2]) {
  return (await claimFace(db, reviewerId, opts))?.predictionId ?? null;
}

async function setup(margins: number[]) {
  // One verdict per face and no controls: the rules of a single-verdict queue (overlap has its own file).
  await t.db.reviewSettings.create({ data: { id: 1, extraReviewShare: 0, controlShare: 0 } });
  const mv = await seedModelVersion(t.db);
  const alice = await seedUser(t.db, "alice@example.test");
  const bob = await seedUser(t.db, "bob@example.test");
  const { predictions } = await seedPredictions(t.db, { userId: alice.id, modelVersionId: mv.id, margins });
  return { alice, bob, predictions };
}

describe("review queue", () => {
  it("serves the most uncertain prediction first, then newest and random on request", async () => {
    const { alice, predictions } = await setup([0.5, 0.05, 0.3]);
    const first = await claimNext(t.db, alice.id, { order: "uncertain", exclude: [] });
    expect(first).toBe(predictions[1]?.id);
    const next = await claimNext(t.db, alice.id, { order: "uncertain", exclude: [first!] });
    expect(next).toBe(predictions[2]?.id);
    const newest = await claimNext(t.db, alice.id, { order: "newest", exclude: [] });
    expect(newest).toBe(predictions[2]?.id);
    const random = await claimNext(t.db, alice.id, { order: "random", exclude: [] });
    expect(predictions.map((p) => p.id)).toContain(random);
  });

  it("never gives two concurrent reviewers the same item", async () => {
    const n = 30;
    const { alice, bob } = await setup(Array.from({ length: n }, (_, i) => i / 100));
    const claimed: { reviewer: number; id: number | null }[] = [];
    // Both reviewers claim in parallel, each excluding what they already hold, until empty.
    async function work(client: Db, reviewer: number) {
      const mine: number[] = [];
      for (;;) {
        const id = await claimNext(client, reviewer, { order: "uncertain", exclude: mine });
        claimed.push({ reviewer, id });
        if (id === null) return mine;
        mine.push(id);
      }
    }
    const [a, b] = await Promise.all([work(t.db, alice.id), work(t.other, bob.id)]);
    expect(a.length + b.length).toBe(n);
    expect(new Set([...a, ...b]).size).toBe(n);
    expect(a.filter((id) => b.includes(id))).toEqual([]);
    const rows = await t.db.faceState.findMany({ select: { predictionId: true, claimedById: true } });
    for (const r of rows) expect(r.claimedById).toBe(a.includes(r.predictionId) ? alice.id : bob.id);
  });

  it("refuses a first verdict on a face another reviewer holds under a live lease, and takes it once the lease has run out", async () => {
    const { alice, bob } = await setup([0.1]);
    const id = await claimNext(t.db, alice.id, { order: "uncertain", exclude: [], leaseSeconds: 60 });
    // Tried: Bob answers the face Alice holds → 409 claimed_by_another, nothing stored, Alice's claim intact.
    await expect(recordVerdict(t.other, bob.id, { prediction_id: id!, verdict: "correct" })).rejects.toMatchObject({
      code: "claimed_by_another",
      status: 409,
    });
    expect(await t.db.review.count()).toBe(0);
    expect((await t.db.faceState.findUniqueOrThrow({ where: { predictionId: id! } })).claimedById).toBe(alice.id);
    // Tried: the lease runs out → Bob's verdict is taken.
    await t.db.faceState.update({
      where: { predictionId: id! },
      data: { claimExpiresAt: new Date(Date.now() - 1000) },
    });
    const { created } = await recordVerdict(t.other, bob.id, { prediction_id: id!, verdict: "correct" });
    expect(created).toBe(true);
  });

  it("lets a reviewer change their own verdict while another reviewer holds the face", async () => {
    const { alice, bob, predictions } = await setup([0.1]);
    const id = predictions[0]!.id;
    await recordVerdict(t.db, bob.id, { prediction_id: id, verdict: "correct" });
    // A lease taken by Alice after Bob's verdict (as an undo would hand it back) does not lock Bob out of his own.
    await t.db.faceState.update({
      where: { predictionId: id },
      data: { claimedById: alice.id, claimExpiresAt: new Date(Date.now() + 60_000) },
    });
    const changed = await recordVerdict(t.db, bob.id, {
      prediction_id: id,
      verdict: "incorrect",
      corrected_label: "sad",
    });
    expect(changed.review.correctedLabel).toBe("sad");
    expect(await t.db.review.count()).toBe(1);
  });

  it("under a race between a claim and a verdict, never stores a verdict for a face claimed by someone else first", async () => {
    const n = 20;
    const { alice, bob } = await setup(Array.from({ length: n }, (_, i) => i / 100));
    const all = await t.db.prediction.findMany({ orderBy: { id: "asc" } });
    // Alice claims faces one by one while Bob answers every face directly, at the same time.
    const claims = (async () => {
      const mine: number[] = [];
      for (;;) {
        const got = await claimNext(t.db, alice.id, { order: "uncertain", exclude: mine });
        if (got === null) return mine;
        mine.push(got);
      }
    })();
    const answers = Promise.all(
      all.map((p) =>
        recordVerdict(t.other, bob.id, { prediction_id: p.id, verdict: "correct" }).then(
          () => p.id,
          (e: { code?: string }) => {
            if (e.code !== "claimed_by_another") throw e;
            return null;
          },
        ),
      ),
    );
    const [aliceHolds, bobStored] = await Promise.all([claims, answers]);
    const stored = bobStored.filter((x): x is number => x !== null);
    // Every face went to exactly one of them: a face Alice still holds has no verdict of Bob's.
    expect(stored.filter((id) => aliceHolds.includes(id))).toEqual([]);
    expect(await t.db.review.count()).toBe(stored.length);
  });

  it("hands an item to another reviewer once the lease has expired", async () => {
    const { alice, bob } = await setup([0.1]);
    const id = await claimNext(t.db, alice.id, { order: "uncertain", exclude: [], leaseSeconds: 60 });
    expect(await claimNext(t.db, bob.id, { order: "uncertain", exclude: [] })).toBeNull();
    await t.db.faceState.update({
      where: { predictionId: id! },
      data: { claimExpiresAt: new Date(Date.now() - 1000) },
    });
    expect(await claimNext(t.db, bob.id, { order: "uncertain", exclude: [] })).toBe(id);
  });

  it("release (skip) frees only the reviewer's own claim", async () => {
    const { alice, bob } = await setup([0.1]);
    const id = (await claimNext(t.db, alice.id, { order: "uncertain", exclude: [] }))!;
    await expect(releaseClaim(t.db, bob.id, id)).rejects.toMatchObject({ code: "not_found" });
    await releaseClaim(t.db, alice.id, id);
    expect(await claimNext(t.db, bob.id, { order: "uncertain", exclude: [] })).toBe(id);
  });
});

describe("a database server whose time zone is not UTC", () => {
  it("gives leases and the database's own times in UTC, as the app reads them", async () => {
    const { alice, predictions } = await setup([0.1]);
    const name = new URL(t.url).pathname.slice(1);
    await t.db.$executeRawUnsafe(`ALTER DATABASE "${name}" SET timezone TO 'Pacific/Auckland'`);
    // A connection without the app's setting takes the server's zone (so this test can fail)…
    const url = new URL(t.url);
    const plain = new pg.Client({ connectionString: url.toString() });
    await plain.connect();
    const app = createDb(t.url);
    try {
      expect((await plain.query("SHOW timezone")).rows[0].TimeZone).toBe("Pacific/Auckland");
      // …the app's connections work in UTC.
      expect((await app.$queryRaw<{ TimeZone: string }[]>`SHOW timezone`)[0]?.TimeZone).toBe("UTC");
      const before = Date.now();
      const claimed = await claimFace(app, alice.id, { order: "uncertain", exclude: [], leaseSeconds: 300 });
      expect(claimed?.predictionId).toBe(predictions[0]!.id);
      const lease = claimed!.read!.item.claimExpiresAt!.getTime();
      expect(lease).toBeGreaterThanOrEqual(before + 299_000);
      expect(lease).toBeLessThanOrEqual(Date.now() + 301_000);
      // A row the database dates itself (the column's default).
      const [row] = await app.$queryRaw<{ createdAt: Date }[]>`
        INSERT INTO "Upload" ("userId", "sha256", "format", "bytes", "width", "height", "imagePath")
        VALUES (${alice.id}, ${"b".repeat(64)}, 'jpeg', 1, 1, 1, 'uploads/zone.jpg') RETURNING "createdAt"`;
      expect(Math.abs(row!.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    } finally {
      await plain.end();
      await app.$disconnect();
    }
  });
});

describe("verdicts", () => {
  it("stores a verdict submitted twice once, and the item leaves the queue", async () => {
    const { alice, predictions } = await setup([0.1, 0.2]);
    const p = predictions[0]!;
    const input = { prediction_id: p.id, verdict: "incorrect" as const, corrected_label: "sad", note: "frown" };
    const [r1, r2] = await Promise.all([recordVerdict(t.db, alice.id, input), recordVerdict(t.other, alice.id, input)]);
    expect([r1.created, r2.created].sort()).toEqual([false, true]);
    expect(r1.review.id).toBe(r2.review.id);
    const rows = await t.db.review.findMany({ where: { predictionId: p.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ verdict: "INCORRECT", correctedLabel: "sad", note: "frown", reviewerId: alice.id });
    expect((await countRemaining(t.db)).faces).toBe(1);
    expect(await claimNext(t.db, alice.id, { order: "uncertain", exclude: [] })).toBe(predictions[1]?.id);
  });

  it("answers a first verdict with the row as stored, its times in UTC whatever the server's time zone", async () => {
    const { alice, bob, predictions } = await setup([0.1, 0.2]);
    // A session in New York: now() there is five hours off UTC's wall clock.
    const url = new URL(t.url);
    url.searchParams.set("options", "-c TimeZone=America/New_York");
    const newYork = createDb(url.toString());
    try {
      const zone = await newYork.$queryRaw<{ TimeZone: string }[]>`SHOW TIMEZONE`;
      expect(zone[0]?.TimeZone).toBe("America/New_York");
      // Claimed first (a duration), and not claimed (none), with a correction and a note.
      const claimed = (await claimNext(t.db, alice.id, { order: "uncertain", exclude: [] }))!;
      const before = Date.now();
      const held = await recordVerdict(newYork, alice.id, { prediction_id: claimed, verdict: "correct" });
      const free = await recordVerdict(newYork, bob.id, {
        prediction_id: predictions[1]!.id,
        verdict: "incorrect",
        corrected_label: "sad",
        note: "frown",
      });
      const after = Date.now();
      for (const answer of [held, free]) {
        expect(answer).toMatchObject({ created: true, duplicate: false });
        expect(answer.review).toEqual(await t.db.review.findUniqueOrThrow({ where: { id: answer.review.id } }));
        expect(answer.review.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
        expect(answer.review.createdAt.getTime()).toBeLessThanOrEqual(after + 1000);
      }
      expect(held.review.durationMs).not.toBeNull();
      expect(free.review).toMatchObject({ durationMs: null, correctedLabel: "sad", note: "frown", control: false });
      // The lease was released with the verdict: nobody holds the face now.
      const state = await t.db.faceState.findUniqueOrThrow({ where: { faceId: held.review.faceId } });
      expect(state).toMatchObject({ claimedById: null, claimExpiresAt: null });
    } finally {
      await newYork.$disconnect();
    }
  });

  it("refuses a verdict on a prediction that does not exist (404) and stores nothing", async () => {
    const { alice } = await setup([0.1]);
    await expect(recordVerdict(t.db, alice.id, { prediction_id: 999_999, verdict: "correct" })).rejects.toMatchObject({
      code: "not_found",
      message: "No prediction 999999.",
    });
    expect(await t.db.review.count()).toBe(0);
  });

  it("keeps a reviewer's last word when they change their verdict", async () => {
    const { alice, predictions } = await setup([0.1]);
    const p = predictions[0]!;
    await recordVerdict(t.db, alice.id, { prediction_id: p.id, verdict: "incorrect", corrected_label: "sad" });
    const again = await recordVerdict(t.db, alice.id, { prediction_id: p.id, verdict: "correct" });
    expect(again.created).toBe(false);
    const rows = await t.db.review.findMany({ where: { predictionId: p.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ verdict: "CORRECT", correctedLabel: null });
    expect(await t.db.auditLog.count({ where: { action: "review.change" } })).toBe(1);
  });

  it.each([
    ["an unknown label", { verdict: "incorrect" as const, corrected_label: "contempt" }, /Unknown emotion/],
    [
      "the predicted label as a correction",
      { verdict: "incorrect" as const, corrected_label: "angry" },
      /already predicted/,
    ],
  ])("refuses %s and stores nothing", async (_what, body, message) => {
    const { alice, predictions } = await setup([0.1]);
    await expect(recordVerdict(t.db, alice.id, { prediction_id: predictions[0]!.id, ...body })).rejects.toMatchObject({
      code: "unprocessable",
      message: expect.stringMatching(message),
    });
    expect(await t.db.review.count()).toBe(0);
  });

  it("undo removes the reviewer's verdict, returns the face to them and writes the audit log", async () => {
    const { alice, bob, predictions } = await setup([0.1]);
    const p = predictions[0]!;
    const { review } = await recordVerdict(t.db, alice.id, { prediction_id: p.id, verdict: "correct" });
    await expect(undoVerdict(t.db, bob.id, review.id)).rejects.toMatchObject({ code: "not_found" });
    await undoVerdict(t.db, alice.id, review.id);
    expect(await t.db.review.count()).toBe(0);
    expect(await claimNext(t.db, bob.id, { order: "uncertain", exclude: [] })).toBeNull();
    expect(await claimNext(t.db, alice.id, { order: "uncertain", exclude: [] })).toBe(p.id);
    const log = await t.db.auditLog.findFirstOrThrow({ where: { action: "review.undo" } });
    expect(log).toMatchObject({ actorId: alice.id, targetType: "review", targetId: String(review.id) });
  });
});
