import "server-only";
import fs from "node:fs";
import { Readable } from "node:stream";
import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { videoFullPath } from "@/lib/videos/files";
import { parseRange } from "@/lib/videos/range";
import { VIDEO_MIME, type VideoFormat } from "@/lib/videos/sniff";
import { visibleTo, type VideoViewer } from "@/lib/videos/viewer";

/** The stored video file, whole (200) or the one byte range asked for (206), streamed from disk. */
export async function serveVideoFile(db: Db, viewer: VideoViewer, id: number, rangeHeader: string | null) {
  const video = await db.video.findFirst({ where: visibleTo(viewer, id), select: { filePath: true, format: true } });
  if (!video) throw new AppError("not_found", `No video ${id}.`);
  if (!video.filePath) throw new AppError("not_found", `The file of video ${id} is no longer stored.`);
  const full = videoFullPath(video.filePath);
  const stat = await fs.promises.stat(full).catch(() => {
    throw new AppError("not_found", `The file of video ${id} is missing.`);
  });
  const headers: Record<string, string> = {
    "content-type": VIDEO_MIME[video.format as VideoFormat] ?? "application/octet-stream",
    "accept-ranges": "bytes",
    "cache-control": "private, max-age=31536000, immutable",
  };
  const range = parseRange(rangeHeader, stat.size);
  if (range === "unsatisfiable") {
    return new Response(null, { status: 416, headers: { ...headers, "content-range": `bytes */${stat.size}` } });
  }
  const { start, end } = range ?? { start: 0, end: stat.size - 1 };
  const body = Readable.toWeb(fs.createReadStream(full, { start, end })) as ReadableStream<Uint8Array>;
  return new Response(body, {
    status: range ? 206 : 200,
    headers: {
      ...headers,
      "content-length": String(end - start + 1),
      ...(range ? { "content-range": `bytes ${start}-${end}/${stat.size}` } : {}),
    },
  });
}
