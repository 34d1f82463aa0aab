import "server-only";
import os from "node:os";
import type PgBoss from "pg-boss";
import type { Db } from "@/lib/db/client";
import { startQueue, TRAINING_QUEUE, wakeWorkers, workOneAtATime, type TrainingMessage } from "@/lib/jobs/queue";
import { VIDEO_QUEUE } from "@/lib/videos/queue";
import { finishJob } from "@/lib/jobs/finish-job";
import { sweepStaleJobs } from "@/lib/jobs/sweep-stale-jobs";
import { runTrainingJob } from "@/worker/run-training-job";
import { startVideoWorker } from "@/worker/start-video-worker";
import { startFaceScorer } from "@/worker/face-scorer";
import { getTf } from "@/lib/tf/backend";

export interface Worker {
  id: string;
  stop(reason: string): Promise<void>;
}

/**
 * A training worker: takes one job at a time from the queue. At start it ends jobs a dead worker
 * left RUNNING; when told to stop it ends its own running job as FAILED with the reason instead
 * of leaving it behind.
 */
export async function startWorker(db: Db, connectionString: string): Promise<Worker> {
  const id = `${os.hostname()}:${process.pid}`;
  const rt = await getTf();
  console.log(`[worker] ${id} on backend ${rt.backend}`);
  const swept = await sweepStaleJobs(db);
  if (swept) console.log(`[worker] ended ${swept} job(s) left running by a stopped worker`);
  const boss: PgBoss = await startQueue(connectionString, "worker");
  const training = await workOneAtATime<TrainingMessage>(boss, TRAINING_QUEUE, (job) =>
    runTrainingJob(db, job.jobId, id),
  );
  const videos = await startVideoWorker(db, boss, id);
  // The scorer yields the CPU to a training run or a video analysis of this worker.
  const faceScorer = startFaceScorer(db, { busy: () => training.running() !== null || videos.running() });
  const wake = await wakeWorkers(connectionString, boss, {
    [TRAINING_QUEUE]: training.id,
    [VIDEO_QUEUE]: videos.bossWorkerId,
  });
  return {
    id,
    async stop(reason: string) {
      await wake.stop();
      await faceScorer.stop();
      await videos.stop(reason);
      const current = training.running();
      if (current !== null)
        await finishJob(db, current.jobId, "FAILED", {
          error: `The worker stopped (${reason}); the active model is unchanged.`,
        }).catch(() => {});
      await boss.stop({ graceful: false, close: true, wait: false }).catch(() => {});
    },
  };
}
