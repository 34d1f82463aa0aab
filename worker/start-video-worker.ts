import "server-only";
import type PgBoss from "pg-boss";
import type { Db } from "@/lib/db/client";
import { workOneAtATime } from "@/lib/jobs/queue";
import { getFfmpeg } from "@/lib/videos/ffmpeg";
import { ensureVideoQueue, VIDEO_QUEUE, type VideoMessage } from "@/lib/videos/queue";
import { sweepStaleVideos } from "@/lib/videos/sweep-stale-videos";
import { runVideoJob } from "@/worker/run-video-job";

/**
 * The worker's video analyses: one video at a time from the videos queue, beside (not behind) the
 * training queue. At start it ends analyses a dead worker left RUNNING; when told to stop it ends
 * its own running one as FAILED with the reason.
 */
export async function startVideoWorker(
  db: Db,
  boss: PgBoss,
  workerId: string,
): Promise<{ bossWorkerId: string; running(): boolean; stop(reason: string): Promise<void> }> {
  try {
    getFfmpeg();
  } catch (err) {
    console.error(`[worker] video files cannot be analysed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const swept = await sweepStaleVideos(db);
  if (swept) console.log(`[worker] ended ${swept} video analysis(es) left running by a stopped worker`);
  await ensureVideoQueue(boss);
  const videos = await workOneAtATime<VideoMessage>(boss, VIDEO_QUEUE, async ({ videoId }) => {
    const stats = await runVideoJob(db, videoId, workerId);
    if (stats) {
      console.log(
        `[worker] video ${videoId}: ${stats.frames} frames, ${stats.faces} faces, ${stats.tracks} tracks ` +
          `in ${stats.seconds.toFixed(1)} s (${(stats.frames / stats.seconds).toFixed(2)} frames/s; ` +
          `${stats.fullDetections} full detections, ${stats.regionSearches} searches around faces)`,
      );
    }
  });
  return {
    bossWorkerId: videos.id,
    running: () => videos.running() !== null,
    async stop(reason: string) {
      const current = videos.running()?.videoId ?? null;
      if (current === null) return;
      await db.video
        .updateMany({
          where: { id: current, status: "RUNNING" },
          data: {
            status: "FAILED",
            error: `The worker stopped (${reason}); upload the video again.`,
            finishedAt: new Date(),
          },
        })
        .catch(() => {});
    },
  };
}
