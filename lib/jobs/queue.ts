import PgBoss from "pg-boss";

/**
 * Delivery of training jobs and bulk imports through pg-boss (Postgres-backed, no other
 * infrastructure). The TrainingJob and Import tables stay the source of truth for their state;
 * pg-boss only hands ids to a worker, so a restarted worker picks up whatever is still queued.
 */
export const TRAINING_QUEUE = "training";

export interface TrainingMessage {
  jobId: number;
}

/** Bulk imports (lib/imports): a queue of their own, so that a training run never holds one up. */
export const IMPORTS_QUEUE = "imports";

export interface ImportMessage {
  importId: number;
}

export async function startQueue(connectionString: string, role: "producer" | "worker"): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString,
    schema: "pgboss",
    max: role === "worker" ? 4 : 2,
    // Maintenance and cron belong to the worker; the web process only sends.
    supervise: role === "worker",
    schedule: false,
  });
  boss.on("error", (err: unknown) => console.error("[queue]", err instanceof Error ? err.message : err));
  await boss.start();
  await boss.createQueue(TRAINING_QUEUE, {
    name: TRAINING_QUEUE,
    // A training run may take hours; a failed run is reported, not retried behind the admin's back.
    expireInHours: 23,
    retryLimit: 0,
  });
  await boss.createQueue(IMPORTS_QUEUE, {
    name: IMPORTS_QUEUE,
    expireInHours: 23,
    // A worker that stops mid-import hands it on through the stale-import sweep, which resumes it
    // after the last photo counted; pg-boss retrying too would run it twice.
    retryLimit: 0,
  });
  return boss;
}

const producer = globalThis as unknown as { emotionLoopQueue?: Promise<PgBoss> };

/** The web process's sender, started on first use and kept for the process. */
export function getProducer(connectionString: string): Promise<PgBoss> {
  producer.emotionLoopQueue ??= startQueue(connectionString, "producer").catch((err: unknown) => {
    producer.emotionLoopQueue = undefined;
    throw err;
  });
  return producer.emotionLoopQueue;
}
