import { beforeEach, describe, expect, it } from "vitest";
import { requestCancel } from "@/lib/jobs/cancel-job";
import { requestTrainingJob } from "@/lib/jobs/request-job";
import { sweepStaleJobs } from "@/lib/jobs/sweep-stale-jobs";
import { setGolden } from "@/lib/dataset/golden";
import { trainingParamsSchema } from "@/worker/params";
import { recordVerdict } from "@/lib/review/verdicts";
import { useTestDb } from "@/test/support/use-test-db";
import { seedModelVersion, seedPredictions, seedUser } from "@/test/support/seed";

const t = useTestDb();
// The queue's delivery is not under test here; the database's singleton rule is.
const sent: unknown[] = [];
const boss = {
  send: async (_name: string, data: object) => (sent.push(data), "id"),
  getDb: () => ({ executeSql: async () => ({ rows: [] }) }),
} as never;
beforeEach(() => {
  sent.length = 0;
});

const params = trainingParamsSchema.parse({});

describe("training job requests", () => {
  it("two concurrent requests make one job; the other is a 409 naming it", async () => {
    await seedModelVersion(t.db);
    const admin = await seedUser(t.db, "admin@example.test", "ADMIN");
    const results = await Promise.allSettled([
      requestTrainingJob(t.db, boss, admin.id, params),
      requestTrainingJob(t.other, boss, admin.id, params),
    ]);
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const jobs = await t.db.trainingJob.findMany();
    expect(jobs).toHaveLength(1);
    expect(refused[0]!.reason).toMatchObject({ code: "conflict", details: { job_id: jobs[0]!.id } });
    expect(sent).toEqual([{ jobId: jobs[0]!.id }]);
  });

  it("a cancelled queued job frees the slot for the next request", async () => {
    await seedModelVersion(t.db);
    const admin = await seedUser(t.db, "admin@example.test", "ADMIN");
    const first = await requestTrainingJob(t.db, boss, admin.id, params);
    await requestCancel(t.db, admin.id, first.id);
    expect((await t.db.trainingJob.findUniqueOrThrow({ where: { id: first.id } })).status).toBe("CANCELLED");
    const second = await requestTrainingJob(t.db, boss, admin.id, params);
    expect(second.id).not.toBe(first.id);
  });

  it("ends a running job whose heartbeat stopped as FAILED with the reason", async () => {
    await seedModelVersion(t.db);
    const admin = await seedUser(t.db, "admin@example.test", "ADMIN");
    const job = await requestTrainingJob(t.db, boss, admin.id, params);
    const long = new Date(Date.now() - 10 * 60_000);
    await t.db.trainingJob.update({
      where: { id: job.id },
      data: { status: "RUNNING", startedAt: long, heartbeatAt: long, workerId: "box:123" },
    });
    expect(await sweepStaleJobs(t.db)).toBe(1);
    const after = await t.db.trainingJob.findUniqueOrThrow({ where: { id: job.id } });
    expect(after.status).toBe("FAILED");
    expect(after.error).toMatch(/worker box:123 stopped responding/);
    expect(after.log).toMatch(/failed: /);
  });
});

describe("golden set", () => {
  it("takes only reviewed faces and reports its size", async () => {
    const mv = await seedModelVersion(t.db);
    const admin = await seedUser(t.db, "admin@example.test", "ADMIN");
    const { predictions } = await seedPredictions(t.db, {
      userId: admin.id,
      modelVersionId: mv.id,
      margins: [0.1, 0.2],
    });
    await recordVerdict(t.db, admin.id, { prediction_id: predictions[0]!.id, verdict: "correct" });
    const [reviewed, unreviewed] = [predictions[0]!.faceId, predictions[1]!.faceId];
    await expect(setGolden(t.db, admin.id, { face_ids: [unreviewed], golden: true })).rejects.toMatchObject({
      code: "unprocessable",
    });
    expect(await setGolden(t.db, admin.id, { face_ids: [reviewed], golden: true })).toEqual({ changed: 1, size: 1 });
    expect(await setGolden(t.db, admin.id, { face_ids: [reviewed], golden: false })).toEqual({ changed: 1, size: 0 });
    expect(await t.db.auditLog.count({ where: { action: { in: ["golden.add", "golden.remove"] } } })).toBe(2);
  });
});
