// A bulk import handed to another worker (the sweep re-queued it while this one was slow or stopping)
// must not be advanced by the first one: its counters and the store that goes with them roll back.
import { describe, expect, it } from "vitest";
import { advance, ImportHandedOver } from "@/lib/imports/run-import";
import { seedUser } from "@/test/support/seed";
import { useTestDb } from "@/test/support/use-test-db";

const t = useTestDb();

async function runningImport(workerId: string | null) {
  const user = await seedUser(t.db, `owner-${workerId ?? "none"}@example.test`);
  return t.db.import.create({
    data: { userId: user.id, status: "RUNNING", kind: "images", sources: [], spoolDir: "imports/x", workerId },
  });
}

describe("advance (one more file of an import)", () => {
  it("counts the file for the worker that holds the import", async () => {
    const row = await runningImport("worker-a");
    await advance(t.db, row, { faces: 2, error: { file: "b.txt", message: "not a photo" } });
    expect(await t.db.import.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({
      processed: 1,
      faces: 2,
      errors: [{ file: "b.txt", message: "not a photo" }],
    });
  });

  it("refuses a worker the import was taken from, and rolls back what it stored with the count", async () => {
    const row = await runningImport("worker-a");
    // The sweep re-queued it (workerId cleared) and worker b claimed it.
    await t.db.import.update({ where: { id: row.id }, data: { workerId: "worker-b" } });
    const auditsBefore = await t.db.auditLog.count();
    await expect(
      t.db.$transaction(async (tx) => {
        await tx.auditLog.create({ data: { action: "import.create", targetType: "import", targetId: String(row.id) } });
        await advance(tx, row, { faces: 3 });
      }),
    ).rejects.toBeInstanceOf(ImportHandedOver);
    expect(await t.db.import.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ processed: 0, faces: 0 });
    expect(await t.db.auditLog.count()).toBe(auditsBefore);
    // Nor once it is queued again with no worker, or finished.
    await t.db.import.update({ where: { id: row.id }, data: { status: "QUEUED", workerId: null } });
    await expect(advance(t.db, { id: row.id, workerId: null }, { duplicates: 1 })).rejects.toBeInstanceOf(
      ImportHandedOver,
    );
  });
});
