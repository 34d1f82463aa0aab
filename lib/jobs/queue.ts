import PgBoss from "pg-boss";

/**
 * Delivery of training jobs through pg-boss (Postgres-backed, no other infrastructure). The
 * TrainingJob table stays the source of truth for a job's state; pg-boss only hands job ids to a
 * worker, so a restarted worker picks up whatever is still queued.
 */
export const TRAINING_QUEUE = "training";

export interface TrainingMessage {
  jobId: number;
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
