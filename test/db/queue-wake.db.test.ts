import pg from "pg";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendAndWake, startQueue, TRAINING_QUEUE, wakeWorkers } from "@/lib/jobs/queue";
import { createTestDatabase, type TestDatabase } from "@/test/support/database";

// pg-boss on a real Postgres. The worker polls only every 30 s here, so a message it handles within
// a few seconds is one it was woken for.
const POLL_SECONDS = 30;

let tdb: TestDatabase;
let producer: PgBoss;
let worker: PgBoss;
let wake: { stop(): Promise<void> };
const handled: number[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
  producer = await startQueue(tdb.url, "producer");
  worker = await startQueue(tdb.url, "worker");
  const id = await worker.work<{ n: number }>(
    TRAINING_QUEUE,
    { batchSize: 1, pollingIntervalSeconds: POLL_SECONDS },
    async (jobs) => {
      for (const job of jobs) handled.push(job.data.n);
    },
  );
  wake = await wakeWorkers(tdb.url, worker, { [TRAINING_QUEUE]: id });
  // The worker's first poll (at start, on an empty queue) is over: the next is 30 s away.
  await new Promise((r) => setTimeout(r, 1_000));
}, 60_000);

afterAll(async () => {
  await wake?.stop();
  await worker?.stop({ graceful: false, close: true, wait: false }).catch(() => {});
  await producer?.stop({ graceful: false, close: true, wait: false }).catch(() => {});
  await tdb?.drop();
});

describe("waking a queue's worker when a message is sent", () => {
  it("a message sent without waking waits for the worker's next poll; sendAndWake has it handled at once", async () => {
    await producer.send(TRAINING_QUEUE, { n: 1 });
    await new Promise((r) => setTimeout(r, 3_000));
    expect(handled).toEqual([]); // still waiting for the poll
    await sendAndWake(producer, TRAINING_QUEUE, { n: 2 });
    // Woken, the worker fetches long before its next poll: one message a fetch (batchSize 1), the
    // oldest first.
    await expect.poll(() => handled, { timeout: 10_000, interval: 100 }).toEqual([1]);
  }, 30_000);

  it("listens again after its connection is cut, and wakes the worker as before", async () => {
    const admin = new pg.Client({ connectionString: tdb.url });
    await admin.connect();
    try {
      const cut = await admin.query<{ pid: number }>(
        "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'",
      );
      expect(cut.rowCount).toBe(1);
      // Reconnected within RELISTEN_MS (5 s): a new connection listening, not the cut one, which
      // may still show in pg_stat_activity for a moment while it ends.
      await expect
        .poll(
          async () =>
            (
              await admin.query(
                "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid <> $1",
                [cut.rows[0]!.pid],
              )
            ).rows[0].n,
          { timeout: 15_000, interval: 250 },
        )
        .toBe(1);
    } finally {
      await admin.end();
    }
    expect(handled).toEqual([1]); // message 2 still waits
    await sendAndWake(producer, TRAINING_QUEUE, { n: 3 });
    await expect.poll(() => handled, { timeout: 10_000, interval: 100 }).toEqual([1, 2]);
  }, 40_000);

  it("with two worker processes listening, each message sent is handled once, by one of them, at once", async () => {
    // A second worker (its own pg-boss and listening connection, as another process has) on a queue
    // of its own here, so the first worker's message 2, still waiting for its poll, stays out of it.
    const queue = "wake-two-workers";
    const bosses = [await startQueue(tdb.url, "worker"), await startQueue(tdb.url, "worker")];
    const seen: { worker: number; n: number }[] = [];
    const wakes: { stop(): Promise<void> }[] = [];
    try {
      await producer.createQueue(queue, { name: queue });
      for (const [w, boss] of bosses.entries()) {
        const id = await boss.work<{ n: number }>(
          queue,
          { batchSize: 1, pollingIntervalSeconds: POLL_SECONDS },
          async (jobs) => {
            for (const job of jobs) seen.push({ worker: w, n: job.data.n });
          },
        );
        wakes.push(await wakeWorkers(tdb.url, boss, { [queue]: id }));
      }
      await new Promise((r) => setTimeout(r, 1_000)); // both first polls are over
      for (let n = 1; n <= 6; n++) {
        await sendAndWake(producer, queue, { n });
        await expect.poll(() => seen.length, { timeout: 10_000, interval: 50 }).toBe(n);
      }
      expect(seen.map((s) => s.n).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
      // Nothing handled twice a moment later either (by the other worker's poll, say).
      await new Promise((r) => setTimeout(r, 1_000));
      expect(seen).toHaveLength(6);
    } finally {
      for (const wake of wakes) await wake.stop();
      for (const boss of bosses) await boss.stop({ graceful: false, close: true, wait: false }).catch(() => {});
    }
  }, 90_000);
});
