import pg from "pg";
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

/**
 * A pg-boss worker of `queue` that runs one message at a time (polling every second; sendAndWake's
 * announcements wake it at once through wakeWorkers), and the message it is running, if any: a
 * worker told to stop says what it leaves unfinished. `id` is pg-boss's worker id, for wakeWorkers.
 */
export async function workOneAtATime<T extends object>(
  boss: PgBoss,
  queue: string,
  run: (data: T) => Promise<void>,
): Promise<{ id: string; running(): T | null }> {
  let current: T | null = null;
  const id = await boss.work<T>(queue, { batchSize: 1, pollingIntervalSeconds: 1 }, async (jobs) => {
    for (const job of jobs) {
      current = job.data;
      try {
        await run(job.data);
      } finally {
        current = null;
      }
    }
  });
  return { id, running: () => current };
}

/** The Postgres channel on which a sender announces a new message; the payload is the queue's name. */
const WAKE_CHANNEL = "emotion_loop_queue";
/** How long a worker whose listening connection broke waits before listening again (it polls meanwhile). */
const RELISTEN_MS = 5_000;

/**
 * Sends `data` to `queue` and wakes the workers that listen (wakeWorkers) at once: a pg-boss worker
 * otherwise finds a new message at its next poll, up to a second later (an uploaded video waited
 * 1.0 s in bench:video before its analysis started). Waking is best effort: the poll still finds it.
 */
export async function sendAndWake(boss: Pick<PgBoss, "send" | "getDb">, queue: string, data: object): Promise<void> {
  await boss.send(queue, data);
  try {
    await boss.getDb().executeSql("SELECT pg_notify($1, $2)", [WAKE_CHANNEL, queue]);
  } catch (err) {
    console.error("[queue] wake:", err instanceof Error ? err.message : err);
  }
}

/**
 * Listens for sendAndWake's announcements on a connection of its own and wakes this process's
 * pg-boss worker of the queue named (`workers`: queue → the id boss.work gave). A broken connection
 * is opened again after a few seconds; the workers keep polling meanwhile.
 */
export async function wakeWorkers(
  connectionString: string,
  boss: PgBoss,
  workers: Record<string, string>,
): Promise<{ stop(): Promise<void> }> {
  let client: pg.Client | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | null = null;
  const listen = async (): Promise<void> => {
    const c = new pg.Client({ connectionString });
    const broken = (err: unknown) => {
      if (stopped || client !== c) return;
      client = null;
      console.error(`[queue] not listening for new messages (${err instanceof Error ? err.message : String(err)})`);
      void c.end().catch(() => {});
      retry = setTimeout(() => void listen(), RELISTEN_MS);
      retry.unref();
    };
    c.on("error", broken);
    c.on("end", () => broken(new Error("connection ended")));
    c.on("notification", (n) => {
      const id = n.payload ? workers[n.payload] : undefined;
      if (id) boss.notifyWorker(id);
    });
    client = c;
    try {
      await c.connect();
      await c.query(`LISTEN ${WAKE_CHANNEL}`);
    } catch (err) {
      broken(err);
    }
  };
  await listen();
  return {
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => {});
      client = null;
    },
  };
}
