import "server-only";
import os from "node:os";
import type PgBoss from "pg-boss";
import type { Db } from "@/lib/db/client";
import { IMPORTS_QUEUE, startQueue, wakeWorkers, workOneAtATime, type ImportMessage } from "@/lib/jobs/queue";
import { runImport } from "@/lib/imports/run-import";
import { requeueStaleImports } from "@/lib/imports/sweep-stale-imports";
import { getTf } from "@/lib/tf/backend";
import type { Worker } from "@/worker/start-worker";

/** How often a worker looks for imports a stopped worker left behind. */
const SWEEP_INTERVAL_MS = 30_000;

/**
 * An import worker: its own process and work loop beside the training worker's, so a training run
 * never holds up an upload. It detects faces, so it runs on the app's own TensorFlow.js (never the
 * native training accelerator, whose tfjs face-api cannot use). Imports a stopped worker left
 * RUNNING are queued again at start and every 30 s once their heartbeat is stale; one this worker
 * is running when told to stop is marked stale at once, so the next worker resumes it.
 */
export async function startImportWorker(db: Db, connectionString: string): Promise<Worker> {
  const id = `${os.hostname()}:${process.pid}:imports`;
  const rt = await getTf();
  console.log(`[import worker] ${id} on backend ${rt.backend}`);
  const boss: PgBoss = await startQueue(connectionString, "worker");
  const requeue = async () => {
    for (const importId of await requeueStaleImports(db)) {
      await boss.send(IMPORTS_QUEUE, { importId } satisfies ImportMessage);
      console.log(`[import worker] import ${importId} was left by a stopped worker; queued again`);
    }
  };
  await requeue();
  const timer = setInterval(() => {
    requeue().catch((err: unknown) =>
      console.error("[import worker] sweep:", err instanceof Error ? err.message : err),
    );
  }, SWEEP_INTERVAL_MS);
  timer.unref();
  const imports = await workOneAtATime<ImportMessage>(boss, IMPORTS_QUEUE, (job) => runImport(db, job.importId, id));
  const wake = await wakeWorkers(connectionString, boss, { [IMPORTS_QUEUE]: imports.id });
  return {
    id,
    async stop(reason: string) {
      clearInterval(timer);
      await wake.stop();
      const current = imports.running()?.importId ?? null;
      if (current !== null) {
        console.log(`[import worker] stopping (${reason}); import ${current} will be resumed by the next worker`);
        await db.import
          .updateMany({ where: { id: current, status: "RUNNING" }, data: { heartbeatAt: new Date(0) } })
          .catch(() => {});
      }
      await boss.stop({ graceful: false, close: true, wait: false }).catch(() => {});
    },
  };
}
