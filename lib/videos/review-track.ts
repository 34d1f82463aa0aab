import "server-only";
import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { ADVISORY_LOCKS } from "@/lib/db/advisory-locks";
import { audit } from "@/lib/audit/audit";
import { decodeUpload } from "@/lib/images/decode";
import { cropFace, cropName } from "@/lib/faces/crop";
import { requireActiveModel } from "@/lib/registry/model-versions";
import { storeUploads, type UploadToStore } from "@/lib/uploads/process-upload";
import { extractFrameJpeg } from "@/lib/videos/ffmpeg";
import { videoFullPath } from "@/lib/videos/files";
import type { StoredFrame } from "@/lib/videos/stored-frame";
import { visibleTo, type VideoViewer } from "@/lib/videos/viewer";

/**
 * Sends a track's `count` most uncertain frames (smallest margin between the top two labels) to the
 * review queue: each frame becomes a normal upload (the frame as a photo, remembering the video, the
 * time and the track) with one face, the track's box, predicted by the active model like any photo.
 * Frames already sent are skipped. All of them are stored in one transaction, or none.
 */
export async function sendTrackToReview(db: Db, viewer: VideoViewer, videoId: number, trackNo: number, count: number) {
  const video = await db.video.findFirst({
    where: visibleTo(viewer, videoId),
    include: { tracks: { where: { trackNo } } },
  });
  if (!video) throw new AppError("not_found", `No video ${videoId}.`);
  const track = video.tracks[0];
  if (!track) throw new AppError("not_found", `Video ${videoId} has no track ${trackNo}.`);
  if (!video.filePath) throw new AppError("conflict", `The file of video ${videoId} is no longer stored.`);

  const sent = await db.upload.findMany({
    where: { videoId, videoTrack: trackNo },
    select: { videoTimeS: true },
  });
  const sentTimes = new Set(sent.map((s) => s.videoTimeS));
  const frames = (track.frames as unknown as StoredFrame[])
    .filter((f) => !sentTimes.has(f.t))
    .sort((a, b) => a.margin - b.margin || a.t - b.t)
    .slice(0, count);
  if (frames.length === 0) return { sent: [], already_sent: sent.length };

  const active = await requireActiveModel(db);
  const file = videoFullPath(video.filePath);
  const items: UploadToStore[] = [];
  for (const f of frames) {
    const decoded = await decodeUpload(await extractFrameJpeg(file, f.t));
    const box = insideImage(f.box, decoded.width, decoded.height);
    const png = await cropFace(decoded.gray, box);
    items.push({
      decoded,
      faces: [{ box, score: f.score, png, ...cropName(png) }],
      isFaceCrop: false,
      video: { videoId, timeS: f.t, track: trackNo },
    });
  }
  const results = await storeUploads(db, viewer.userId, active, items, {
    // Two requests for one track (a double click, two tabs) chose their frames from what was sent
    // before either stored: the second waits here, and finds the first's frames taken.
    beforeStore: async (tx) => {
      await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(${ADVISORY_LOCKS.videoTrackReview}::int, hashtext(${`${videoId}:${trackNo}`}))`;
      const taken = await tx.upload.count({
        where: { videoId, videoTrack: trackNo, videoTimeS: { in: frames.map((f) => f.t) } },
      });
      if (taken > 0) {
        throw new AppError(
          "conflict",
          `Frames of track ${trackNo} were just sent to review by another request; send again for the next ones.`,
        );
      }
    },
    inTransaction: (tx, stored) =>
      audit(tx, {
        actorId: viewer.userId,
        action: "video.review",
        targetType: "video",
        targetId: videoId,
        details: { track_id: trackNo, times: frames.map((f) => f.t), upload_ids: stored.map((r) => r.upload_id) },
      }),
  });
  return {
    sent: results.map((r, i) => ({
      t: frames[i]!.t,
      upload_id: r.upload_id,
      face_id: r.faces[0]!.id,
      prediction_id: r.faces[0]!.prediction_id,
    })),
    already_sent: sent.length,
  };
}

/** The stored box as whole pixels inside the extracted frame (it was cut from the same frame size). */
function insideImage(box: StoredFrame["box"], width: number, height: number) {
  const side = Math.max(1, Math.min(Math.round(box.width), Math.round(box.height), width, height));
  const x = Math.min(Math.max(0, Math.round(box.x)), width - side);
  const y = Math.min(Math.max(0, Math.round(box.y)), height - side);
  return { x, y, width: side, height: side };
}
