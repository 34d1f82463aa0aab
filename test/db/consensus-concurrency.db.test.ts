import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/lib/db/client";
import { getEnv } from "@/lib/env/env";
import { applyMigrations } from "@/lib/db/migrate";
import { claimNext, countRemaining } from "@/lib/review/queue";
import { recordVerdict } from "@/lib/review/verdicts";
import { createEmbeddedDatabase, createServerDatabase, type TestDatabase } from "@/test/support/database";
import { seedModelVersion, seedPredictions, seedUser } from "@/test/support/seed";

// Four reviewers, each with their own connection pool (four app servers, as far as the database can
// tell), race through a queue with overlap 2 until nothing is left: on the PostgreSQL server of
// TEST_DATABASE_URL and on the embedded PostgreSQL.

const FACES = 40;
const REVIEWERS = 4;

const kinds: ["server" | "embedded", () => Promise<TestDatabase>][] = [["embedded", createEmbeddedDatabase]];
const serverUrl = getEnv().TEST_DATABASE_URL;
if (serverUrl) kinds.unshift(["server", () => createServerDatabase(serverUrl)]);
else console.warn("TEST_DATABASE_URL is unset: the overlap race runs on the embedded database only.");

describe.each(kinds)("overlap 2 under concurrent reviewers (%s database)", { timeout: 240_000 }, (_kind, create) => {
  let tdb: TestDatabase;
  const clients: Db[] = [];
  beforeAll(async () => {
    tdb = await create();
    await applyMigrations(tdb.url);
    for (let i = 0; i <= REVIEWERS; i++) clients.push(createDb(tdb.url));
  });
  afterAll(async () => {
    for (const c of clients) await c.$disconnect();
    await tdb?.drop();
  });

  it("gives each face exactly the verdicts it needs, each from a different reviewer, one lease at a time, nothing lost", async () => {
    const db = clients[0]!;
    await db.reviewSettings.create({ data: { id: 1, verdictsPerFace: 2, extraReviewShare: 0, controlShare: 0 } });
    const mv = await seedModelVersion(db);
    const admin = await seedUser(db, "admin@example.test", "ADMIN");
    await seedPredictions(db, {
      userId: admin.id,
      modelVersionId: mv.id,
      // Small margins: the model is never confident enough for a suspect flag, whose second look would
      // (rightly) ask a third reviewer and make the count here depend on who answered what.
      margins: Array.from({ length: FACES }, (_, i) => (i % 7) / 100),
    });
    const reviewers = [];
    for (let i = 0; i < REVIEWERS; i++) reviewers.push(await seedUser(db, `r${i}@example.test`));

    // Every claim a reviewer gets, with the span it was surely held: from the moment the claim came
    // back to the moment its verdict was sent. The lease itself is longer at both ends (taken before
    // the answer arrived, released when the verdict commits), so two of these spans overlapping on
    // one face would mean two live leases at once.
    const claims: { faceId: number; reviewer: number; from: number; to: number }[] = [];
    const refusals: string[] = [];
    async function work(client: Db, reviewerId: number, i: number) {
      let n = 0;
      for (;;) {
        const c = await claimNext(client, reviewerId, { order: i % 2 ? "random" : "uncertain", exclude: [] });
        if (!c) {
          // SKIP LOCKED passes over a face another transaction holds at that instant (a verdict being
          // written), so "nothing for you now" is not "nothing left": stop only when no open face is
          // left that this reviewer has not judged, as a reviewer's "check again" would find.
          const [row] = await client.$queryRaw<{ left: bigint }[]>`
            SELECT count(*) AS left FROM "FaceState" s WHERE s."open"
              AND NOT EXISTS (SELECT 1 FROM "Review" r WHERE r."faceId" = s."faceId" AND r."reviewerId" = ${reviewerId})`;
          if (Number(row?.left ?? 0) === 0) return n;
          await new Promise((res) => setTimeout(res, 20));
          continue;
        }
        const claim = { faceId: c.faceId, reviewer: reviewerId, from: performance.now(), to: Infinity };
        claims.push(claim);
        const verdict =
          (c.faceId + i) % 3 === 0
            ? ({ prediction_id: c.predictionId, verdict: "incorrect", corrected_label: "sad" } as const)
            : ({ prediction_id: c.predictionId, verdict: "correct" } as const);
        claim.to = performance.now();
        await recordVerdict(client, reviewerId, verdict).catch((e: { code?: string }) => {
          refusals.push(String(e.code));
        });
        n++;
      }
    }
    const answered = await Promise.all(reviewers.map((r, i) => work(clients[i + 1]!, r.id, i)));

    // No reviewer was handed a face twice, and every face went to exactly two reviewers.
    const byFace = new Map<number, number[]>();
    for (const c of claims) byFace.set(c.faceId, [...(byFace.get(c.faceId) ?? []), c.reviewer]);
    // One lease per face at a time: each face's holds, in the order taken, never overlap.
    const overlapping: string[] = [];
    for (const faceId of byFace.keys()) {
      const held = claims.filter((c) => c.faceId === faceId).sort((a, b) => a.from - b.from);
      for (let k = 1; k < held.length; k++)
        if (held[k]!.from < held[k - 1]!.to)
          overlapping.push(`face ${faceId}: reviewers ${held[k - 1]!.reviewer} and ${held[k]!.reviewer}`);
    }
    expect(overlapping).toEqual([]);
    expect(byFace.size).toBe(FACES);
    for (const [, who] of byFace) {
      expect(who).toHaveLength(2);
      expect(new Set(who).size).toBe(2);
    }
    expect(refusals).toEqual([]);
    expect(answered.reduce((a, b) => a + b, 0)).toBe(FACES * 2);
    const reviews = await db.review.groupBy({ by: ["faceId"], _count: { _all: true } });
    expect(reviews).toHaveLength(FACES);
    for (const r of reviews) expect(r._count._all).toBe(2);
    // Each face's state matches its verdicts, and the tally matches the states.
    const states = await db.faceState.findMany();
    for (const s of states) {
      expect(s.verdicts).toBe(2);
      expect(s.open).toBe(false);
      expect(s.claimedById).toBeNull();
      expect(["AGREED", "CONFLICT"]).toContain(s.state);
    }
    const conflicts = states.filter((s) => s.state === "CONFLICT").length;
    expect(await countRemaining(db)).toEqual({ faces: 0, verdicts: 0, conflicts });
  });
});
