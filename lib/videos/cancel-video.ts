import "server-only";
import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { audit } from "@/lib/audit/audit";
import { visibleTo, type VideoViewer } from "@/lib/videos/viewer";

/**
 * Cancels a queued or running analysis at once: the row turns CANCELLED here, and a worker running
 * it sees that within a second, kills its ffmpeg and stores nothing (its final write requires the
 * row to still be RUNNING).
 */
export async function cancelVideo(db: Db, viewer: VideoViewer, id: number) {
  return db.$transaction(async (tx) => {
    const { count } = await tx.video.updateMany({
      where: { ...visibleTo(viewer, id), status: { in: ["QUEUED", "RUNNING"] } },
      data: { status: "CANCELLED", finishedAt: new Date() },
    });
    if (count === 0) {
      const video = await tx.video.findFirst({ where: visibleTo(viewer, id), select: { status: true } });
      if (!video) throw new AppError("not_found", `No video ${id}.`);
      throw new AppError(
        "conflict",
        `Video ${id} is ${video.status.toLowerCase()}; only a queued or running analysis can be cancelled.`,
      );
    }
    await audit(tx, { actorId: viewer.userId, action: "video.cancel", targetType: "video", targetId: id });
    return tx.video.findUniqueOrThrow({ where: { id } });
  });
}
