import "server-only";
import sharp from "sharp";
import { DETECTOR_MAX_SIDE, type RgbImage } from "@/lib/images/decode";

/** Longest side frames are decoded at: larger frames are scaled down by ffmpeg before anything else. */
export const DECODE_MAX_SIDE = 1280;

/** The size to decode a `width` × `height` video at: at most DECODE_MAX_SIDE on the longer side, even. */
export function decodeSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, DECODE_MAX_SIDE / Math.max(width, height));
  const even = (n: number) => Math.max(2, 2 * Math.round((n * scale) / 2));
  return { width: even(width), height: even(height) };
}

/**
 * A decoded RGB frame as the photo pipeline sees a photo: an RGB copy of at most DETECTOR_MAX_SIDE
 * for the detector, and the full frame, from which the faces' crops are cut (lib/faces/pipeline's
 * cropFramePixels: grey only inside their boxes).
 */
export async function framePixels(
  rgb: Buffer,
  width: number,
  height: number,
): Promise<{ rgb: RgbImage; full: RgbImage }> {
  const full: RgbImage = { data: view(rgb), width, height, channels: 3 };
  if (Math.max(width, height) <= DETECTOR_MAX_SIDE) return { rgb: full, full };
  const small = await sharp(rgb, { raw: { width, height, channels: 3 } })
    .resize(DETECTOR_MAX_SIDE, DETECTOR_MAX_SIDE, { fit: "inside" })
    .raw({ depth: "uchar" })
    .toBuffer({ resolveWithObject: true });
  return { rgb: { data: view(small.data), width: small.info.width, height: small.info.height, channels: 3 }, full };
}

function view(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}
