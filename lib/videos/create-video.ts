import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import type PgBoss from "pg-boss";
import type { Db } from "@/lib/db/client";
import type { Video } from "@/lib/db/generated/prisma/client";
import { AppError } from "@/lib/errors/app-error";
import { getEnv } from "@/lib/env/env";
import { audit } from "@/lib/audit/audit";
import { sendAndWake } from "@/lib/jobs/queue";
import { probeVideo, UnreadableVideo } from "@/lib/videos/ffmpeg";
import { VIDEO_FOLDER, removeVideoFile, videoFullPath } from "@/lib/videos/files";
import { ensureVideoQueue, VIDEO_QUEUE, type VideoMessage } from "@/lib/videos/queue";
import type { VideoFormat } from "@/lib/videos/sniff";

export interface IncomingVideo {
  /** The uploaded file, already on disk (relative to DATA_DIR); moved into place or removed here. */
  relative: string;
  name: string;
  bytes: number;
  format: VideoFormat;
  fps: number;
  targetEmotions: string[];
}

/**
 * A new video, queued for analysis. The file is probed first (a synchronous `ffmpeg -i`, tens of
 * milliseconds): one ffmpeg cannot read (a truncated MP4 whose index is missing, a damaged header)
 * or one longer than VIDEO_MAX_SECONDS is refused with 422 and removed, so no row is made for it.
 */
export async function createVideo(db: Db, boss: PgBoss, userId: number, input: IncomingVideo): Promise<Video> {
  let relative: string | null = input.relative;
  try {
    let probe;
    try {
      probe = await probeVideo(videoFullPath(relative));
    } catch (err) {
      if (err instanceof UnreadableVideo) throw new AppError("unprocessable", err.message);
      throw err;
    }
    const max = getEnv().VIDEO_MAX_SECONDS;
    if (probe.durationS > max) {
      throw new AppError(
        "unprocessable",
        `The video is ${formatDuration(probe.durationS)} long; the limit is ${formatDuration(max)}.`,
        { duration_s: probe.durationS, max_duration_s: max },
      );
    }
    const sha256 = await hashFile(videoFullPath(relative));
    const final = path.join(VIDEO_FOLDER, `${crypto.randomUUID()}.${input.format}`);
    await fsp.rename(videoFullPath(relative), videoFullPath(final));
    relative = final;
    await ensureVideoQueue(boss);
    const video = await db.$transaction(async (tx) => {
      const row = await tx.video.create({
        data: {
          userId,
          name: input.name.slice(0, 200),
          format: input.format,
          bytes: input.bytes,
          sha256,
          filePath: final,
          fps: input.fps,
          targetEmotions: input.targetEmotions,
          durationS: probe.durationS,
          width: probe.width,
          height: probe.height,
        },
      });
      await audit(tx, {
        actorId: userId,
        action: "video.upload",
        targetType: "video",
        targetId: row.id,
        details: { bytes: input.bytes, format: input.format, fps: input.fps, target_emotions: input.targetEmotions },
      });
      return row;
    });
    relative = null; // the row owns the file now
    try {
      await sendAndWake(boss, VIDEO_QUEUE, { videoId: video.id } satisfies VideoMessage);
    } catch (err) {
      await db.video.updateMany({
        where: { id: video.id, status: "QUEUED" },
        data: { status: "FAILED", error: "The analysis could not be queued.", finishedAt: new Date() },
      });
      throw err;
    }
    return video;
  } finally {
    if (relative) await removeVideoFile(relative).catch(() => {});
  }
}

/** "10 min", "1 min 30 s", "42 s", "0.5 s". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds * 10) / 10} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  return s ? `${m} min ${s} s` : `${m} min`;
}

function hashFile(full: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = crypto.createHash("sha256");
    fs.createReadStream(full)
      .on("data", (d) => hash.update(d))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}
