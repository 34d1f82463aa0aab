export type VideoFormat = "mp4" | "mov" | "webm";

export const VIDEO_MIME: Record<VideoFormat, string> = {
  mp4: "video/mp4",
  mov: "video/quicktime",
  webm: "video/webm",
};

/**
 * A video's container from its first bytes, never from its name: an ISO base media `ftyp` box
 * (MP4, or QuickTime when its brand is `qt  `) or an EBML header (WebM / Matroska). Null otherwise.
 */
export function sniffVideoFormat(head: Uint8Array): VideoFormat | null {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return "webm";
  if (b.length >= 12 && b.toString("latin1", 4, 8) === "ftyp") {
    const size = b.readUInt32BE(0);
    // A real ftyp box holds at least its size, type and major brand + minor version.
    if (size < 16 && size !== 1) return null;
    return b.toString("latin1", 8, 12) === "qt  " ? "mov" : "mp4";
  }
  return null;
}
