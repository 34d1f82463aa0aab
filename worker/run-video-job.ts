import "server-only";
import type { Db } from "@/lib/db/client";
import type { Prisma } from "@/lib/db/generated/prisma/client";
import { getEnv } from "@/lib/env/env";
import { isAppError } from "@/lib/errors/app-error";
import { activeFaceDetector, type FaceBox } from "@/lib/faces/detector";
import { FaceFollower } from "@/lib/faces/face-follower";
import { detect, predictImages } from "@/lib/faces/inference";
import { cropFramePixels } from "@/lib/faces/pipeline";
import { IouTracker } from "@/lib/faces/track";
import { topPrediction } from "@/lib/model/top-prediction";
import { requireActiveModel } from "@/lib/registry/model-versions";
import { formatDuration } from "@/lib/videos/create-video";
import { probeVideo, readFrames, UnreadableVideo, type FrameReader } from "@/lib/videos/ffmpeg";
import { videoFullPath } from "@/lib/videos/files";
import { decodeSize, framePixels } from "@/lib/videos/frame-pixels";
import type { StoredFrame } from "@/lib/videos/stored-frame";

/** Frames analysed at once (see runVideoJob). */
const FRAMES_UNDER_WAY = 3;
/** Frames a face must be seen in to be kept as a track (see below). */
const MIN_TRACK_FRAMES = 2;
/** How often a running analysis writes its progress and looks for a cancel. */
const POLL_MS = 1_000;

/** Ends an analysis as FAILED with a message meant for the user. */
class VideoFailure extends Error {}
/** The row stopped being RUNNING (cancelled, or swept as stale): stop and store nothing. */
class NoLongerRunning extends Error {}

export interface VideoJobStats {
  frames: number;
  faces: number;
  tracks: number;
  seconds: number;
  /** Frames searched whole, and frames searched only around the faces before (see FaceFollower). */
  fullDetections: number;
  regionSearches: number;
}

/**
 * Analyses one queued video: probe it (refusing one too long), decode frames at its `fps` through
 * ffmpeg, detect the faces in each frame, follow them across frames (IoU tracker), predict each with
 * the active model (the same crops and preprocessing as photos), and store the tracks in the same
 * transaction that marks the video DONE. A cancel (the row turning CANCELLED) is seen within about a
 * second: ffmpeg is killed and nothing is stored. Any failure ends the video FAILED with the reason.
 */
export async function runVideoJob(db: Db, videoId: number, workerId: string): Promise<VideoJobStats | null> {
  const started = Date.now();
  const now = new Date();
  const claimed = await db.video.updateMany({
    where: { id: videoId, status: "QUEUED" },
    data: { status: "RUNNING", startedAt: now, heartbeatAt: now, workerId, progress: 0 },
  });
  if (claimed.count === 0) return null; // cancelled before it started, or another worker has it

  let reader: FrameReader | null = null;
  try {
    const video = await db.video.findUniqueOrThrow({ where: { id: videoId } });
    if (!video.filePath) throw new VideoFailure("The video's file is missing.");
    const file = videoFullPath(video.filePath);
    const probe = await probeVideo(file).catch((err: unknown) => {
      throw err instanceof UnreadableVideo ? new VideoFailure(err.message) : err;
    });
    const max = getEnv().VIDEO_MAX_SECONDS;
    if (probe.durationS > max) {
      throw new VideoFailure(
        `The video is ${formatDuration(probe.durationS)} long; the limit is ${formatDuration(max)}.`,
      );
    }
    const active = await requireActiveModel(db).catch((err: unknown) => {
      throw isAppError(err) ? new VideoFailure(err.message) : err;
    });
    const labels = active.version.labels;

    const fps = video.fps;
    const size = decodeSize(probe.width, probe.height);
    // Boxes are found in the decoded frame and stored in the video's own pixels.
    const sx = probe.width / size.width;
    const sy = probe.height / size.height;
    const expected = Math.max(1, Math.ceil(probe.durationS * fps - 1e-6));
    // At most FRAMES_UNDER_WAY frames are being analysed while the next one is read (see below).
    reader = readFrames(file, { fps, ...size, buffers: FRAMES_UNDER_WAY + 2 });

    const tracker = new IouTracker();
    const tracks = new Map<number, StoredFrame[]>();
    let sampled = 0;
    let lastT = 0;
    let lastPoll = Date.now();

    // A frame's faces, cropped and predicted. Frames overlap: while the inference thread searches
    // one frame, this thread decodes the next and crops the one before, whose faces the thread
    // predicts next. Searches run one after another in frame order: between full detections, a
    // frame is searched only around the faces of the frame before (FaceFollower).
    const follower = new FaceFollower<FaceBox>({ regionSearch: activeFaceDetector() === "tiny" });
    let searched: Promise<unknown> = Promise.resolve();
    const analyse = (rgb: Buffer, t: number) => {
      const pixels = framePixels(rgb, size.width, size.height);
      const detected = searched.then(async () => {
        const frame = await pixels;
        const { faces } = await follower.next(
          t,
          frame.rgb,
          () => detect(frame.rgb),
          (regions) => detect(frame.rgb, "tiny", regions),
        );
        return { frame, faces };
      });
      searched = detected.catch(() => {});
      return detected.then(async ({ frame, faces }) => {
        const found = await cropFramePixels(frame, faces);
        const probabilities = found.length
          ? await predictImages(
              active.model,
              found.map((f) => f.gray),
            )
          : [];
        return { t, found, probabilities };
      });
    };
    // Frames are recorded in order: the tracker follows faces from one frame to the next.
    const record = ({ t, found, probabilities }: Awaited<ReturnType<typeof analyse>>) => {
      const ids = tracker.update(found.map((f) => f.box));
      found.forEach((f, i) => {
        const probs = Array.from(probabilities[i] ?? []);
        const stored: StoredFrame = {
          t: Math.round(t * 1000) / 1000,
          box: {
            x: Math.round(f.box.x * sx),
            y: Math.round(f.box.y * sy),
            width: Math.round(f.box.width * sx),
            height: Math.round(f.box.height * sy),
          },
          score: f.score ?? 0,
          ...topPrediction(probs, labels),
          probabilities: probs,
        };
        const id = ids[i]!;
        const list = tracks.get(id);
        if (list) list.push(stored);
        else tracks.set(id, [stored]);
      });
    };
    const underWay: Promise<Awaited<ReturnType<typeof analyse>>>[] = [];
    try {
      for await (const frame of reader.frames) {
        const t = frame.index / fps;
        // The fps filter may round one frame past the end.
        if (t >= probe.durationS) continue;
        sampled++;
        lastT = t;
        const analysed = analyse(frame.rgb, t);
        analysed.catch(() => {}); // awaited in order below
        underWay.push(analysed);
        if (underWay.length >= FRAMES_UNDER_WAY) record(await underWay.shift()!);
        if (Date.now() - lastPoll >= POLL_MS) {
          lastPoll = Date.now();
          const progress = Math.min(0.99, (t + 1 / fps) / probe.durationS);
          const { count } = await db.video.updateMany({
            where: { id: videoId, status: "RUNNING" },
            data: { progress, heartbeatAt: new Date() },
          });
          if (count === 0) throw new NoLongerRunning();
        }
      }
      while (underWay.length) record(await underWay.shift()!);
    } finally {
      // Nothing is left running after a failure or a cancel.
      await Promise.allSettled(underWay);
    }

    const { code, errors } = await reader.done;
    const lastError = errors.trim().split("\n").at(-1) ?? "";
    if (code !== 0) throw new VideoFailure(`ffmpeg could not decode the video (${lastError || `exit code ${code}`}).`);
    // ffmpeg ends a truncated file early with errors but exit code 0: compare with the header's length.
    if (sampled === 0 || (errors.trim() && sampled < expected * 0.95 - 1)) {
      throw new VideoFailure(
        `The video is truncated or damaged: frames could be decoded only up to ${formatDuration(lastT)} of ` +
          `${formatDuration(probe.durationS)}${lastError ? ` (${lastError.replace(/^.*?: /, "")})` : ""}.`,
      );
    }

    // A face seen in one sampled frame only is not kept (as trackers confirm a track by its second
    // hit): nearly always something a full detection took for a face that the searches around
    // faces in the next frame did not find again. A video of a single frame keeps its faces.
    const kept = [...tracks.entries()].filter(([, frames]) => frames.length >= MIN_TRACK_FRAMES || sampled < 2);
    const rows = kept.map(([trackNo, frames]) => ({
      videoId,
      trackNo,
      frames: frames as unknown as Prisma.InputJsonValue,
    }));
    await db.$transaction(
      async (tx) => {
        const { count } = await tx.video.updateMany({
          where: { id: videoId, status: "RUNNING" },
          data: {
            status: "DONE",
            progress: 1,
            finishedAt: new Date(),
            framesSampled: sampled,
            durationS: probe.durationS,
            width: probe.width,
            height: probe.height,
            modelVersionId: active.version.id,
            message: rows.length ? null : "No faces were found in the video.",
          },
        });
        if (count === 0) throw new NoLongerRunning();
        if (rows.length) await tx.videoTrack.createMany({ data: rows });
      },
      { timeout: 60_000 },
    );
    const searches = follower.counts();
    return {
      frames: sampled,
      faces: kept.reduce((n, [, frames]) => n + frames.length, 0),
      tracks: rows.length,
      seconds: (Date.now() - started) / 1000,
      fullDetections: searches.fullDetections,
      regionSearches: searches.regionSearches,
    };
  } catch (err) {
    if (err instanceof NoLongerRunning) return null;
    const message =
      err instanceof VideoFailure ? err.message : "The analysis failed unexpectedly; the worker's log says why.";
    if (!(err instanceof VideoFailure)) console.error(`[worker] video ${videoId} failed`, err);
    await db.video.updateMany({
      where: { id: videoId, status: "RUNNING" },
      data: { status: "FAILED", error: message, finishedAt: new Date() },
    });
    return null;
  } finally {
    reader?.kill();
  }
}
