import "server-only";
import { streamMultipartToFile } from "@/lib/api/multipart-stream";
import { AppError } from "@/lib/errors/app-error";
import { getEnv } from "@/lib/env/env";
import { newIncomingPath, removeVideoFile } from "@/lib/videos/files";
import { sniffVideoFormat, type VideoFormat } from "@/lib/videos/sniff";

export interface ReceivedVideo {
  /** The first value of a text field. */
  get(name: string): string | undefined;
  /** Every value of a text field. */
  getAll(name: string): string[];
  file: { relative: string; name: string; bytes: number; format: VideoFormat };
}

export function maxVideoBytes(): number {
  return Math.floor(getEnv().VIDEO_MAX_MB * 1024 * 1024);
}

/**
 * Streams a POST /api/videos form to disk: the `video` field goes to a new file in the videos
 * folder, refused by its first bytes unless it is MP4, MOV or WebM (415) and as soon as it passes
 * VIDEO_MAX_MB (413). `handle` runs with the form; if it throws, the file is removed.
 */
export async function receiveVideo<T>(req: Request, handle: (form: ReceivedVideo) => Promise<T>): Promise<T> {
  const type = req.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("multipart/form-data")) {
    throw new AppError("unsupported_media_type", 'Send multipart/form-data with the video in the field "video".');
  }
  const max = maxVideoBytes();
  const incoming = await newIncomingPath();
  let format: VideoFormat | null = null;
  const form = await streamMultipartToFile(req, {
    fileField: "video",
    dest: incoming.full,
    maxFileBytes: max,
    tooLarge: `The video is larger than ${formatMb(max)}.`,
    checkHead: (head) => {
      if (head.length === 0) throw new AppError("bad_request", "The video file is empty.");
      format = sniffVideoFormat(head);
      if (!format) {
        throw new AppError(
          "unsupported_media_type",
          "The file is not a video this app reads: MP4, MOV or WebM, recognised by its content, not its name.",
        );
      }
    },
  });
  try {
    if (!form.file || !format) throw new AppError("bad_request", 'Send the video in the multipart field "video".');
    const fields = form.fields;
    return await handle({
      get: (name) => fields.get(name)?.[0],
      getAll: (name) => fields.get(name) ?? [],
      file: { relative: incoming.relative, name: form.file.filename || "video", bytes: form.file.bytes, format },
    });
  } catch (err) {
    await removeVideoFile(incoming.relative).catch(() => {});
    throw err;
  }
}

function formatMb(bytes: number): string {
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
}
