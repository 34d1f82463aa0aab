import type PgBoss from "pg-boss";

/**
 * Delivery of video analyses through pg-boss, beside the training queue. The Video row is the
 * source of truth for a video's state; the queue only hands its id to a worker.
 */
export const VIDEO_QUEUE = "videos";

export interface VideoMessage {
  videoId: number;
}

const created = new WeakMap<PgBoss, Promise<void>>();

/** Creates the queue once per pg-boss instance (the web process's sender and each worker). */
export function ensureVideoQueue(boss: PgBoss): Promise<void> {
  let done = created.get(boss);
  if (!done) {
    done = boss
      .createQueue(VIDEO_QUEUE, {
        name: VIDEO_QUEUE,
        // A 10-minute video at 10 frames a second on a slow machine takes well under this.
        expireInHours: 6,
        // A failed analysis says why; it is not retried behind the user's back.
        retryLimit: 0,
      })
      .catch((err: unknown) => {
        created.delete(boss);
        throw err;
      });
    created.set(boss, done);
  }
  return done;
}
