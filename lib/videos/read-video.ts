import "server-only";
import type { Db } from "@/lib/db/client";
import type { Video } from "@/lib/db/generated/prisma/client";
import { AppError } from "@/lib/errors/app-error";
import { EMOTION_LABELS } from "@/lib/model/labels";
import { dominantSegments, summarizeFaceTime } from "@/lib/videos/segments";
import type { StoredFrame } from "@/lib/videos/stored-frame";
import { sweepStaleVideos } from "@/lib/videos/sweep-stale-videos";
import { visibleTo, type VideoViewer } from "@/lib/videos/viewer";

type VideoStatusName = "queued" | "running" | "done" | "failed" | "cancelled";

/** A video as lists show it. */
export function presentVideoRow(v: Video) {
  return {
    id: v.id,
    name: v.name,
    status: v.status.toLowerCase() as VideoStatusName,
    progress: v.progress,
    duration_s: v.durationS,
    fps: v.fps,
    width: v.width,
    height: v.height,
    bytes: v.bytes,
    format: v.format,
    target_emotions: v.targetEmotions,
    frames_sampled: v.framesSampled,
    message: v.message,
    error: v.error,
    file_url: v.filePath ? `/api/videos/${v.id}/file` : null,
    created_at: v.createdAt.toISOString(),
    started_at: v.startedAt?.toISOString() ?? null,
    finished_at: v.finishedAt?.toISOString() ?? null,
  };
}

/** The caller's own videos, newest first (at most 100). */
export async function listVideos(db: Db, viewer: VideoViewer) {
  await sweepStaleVideos(db);
  const rows = await db.video.findMany({
    where: { userId: viewer.userId },
    orderBy: { id: "desc" },
    take: 100,
  });
  return { videos: rows.map(presentVideoRow) };
}

/**
 * One video with its tracks (each frame's box, label, confidence and probabilities by label), each
 * emotion's share of face-time, and the segments where a target emotion dominates a track.
 */
export async function getVideo(db: Db, viewer: VideoViewer, id: number) {
  await sweepStaleVideos(db);
  const video = await db.video.findFirst({
    where: visibleTo(viewer, id),
    include: { tracks: { orderBy: { trackNo: "asc" } } },
  });
  if (!video) throw new AppError("not_found", `No video ${id}.`);
  const model = video.modelVersionId
    ? await db.modelVersion.findUnique({
        where: { id: video.modelVersionId },
        select: { id: true, version: true, name: true, labels: true },
      })
    : null;
  const labels = model?.labels ?? [...EMOTION_LABELS];
  const tracks = video.tracks.map((track) => ({
    track_id: track.trackNo,
    frames: (track.frames as unknown as StoredFrame[]).map((f) => ({
      t: f.t,
      box: f.box,
      label: f.label,
      confidence: f.confidence,
      probabilities: Object.fromEntries(labels.map((l, i) => [l, f.probabilities[i] ?? 0])),
    })),
  }));
  const sentToReview = await db.upload.groupBy({
    by: ["videoTrack"],
    where: { videoId: video.id },
    _count: { _all: true },
  });
  return {
    ...presentVideoRow(video),
    labels,
    model_version: model ? { id: model.id, version: model.version, name: model.name } : null,
    tracks: tracks.map((t) => ({
      ...t,
      sent_to_review: sentToReview.find((s) => s.videoTrack === t.track_id)?._count._all ?? 0,
    })),
    summary: summarizeFaceTime(tracks, labels),
    segments: dominantSegments(tracks, video.targetEmotions, video.fps, video.durationS ?? Infinity),
  };
}
