import "server-only";
import crypto from "node:crypto";
import sharp, { type Sharp } from "sharp";
import type { GrayImage } from "@/lib/images/decode";

/** Side of the square grayscale crops the emotion model reads (FER-2013 format). */
export const CROP_SIZE = 48;
/** Room kept around a detected face on each side, as a fraction of the face's larger side. */
export const DEFAULT_MARGIN = 0.2;

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** An encoded image (JPEG/PNG/WebP bytes) or decoded 8-bit grayscale pixels; already oriented. */
export type CropSource = Buffer | GrayImage;

/**
 * The square, whole-pixel region to cut for a face: centred on the box, side
 * `max(width, height) × (1 + 2 × margin)`, always inside the image.
 *
 * At an edge the square is shifted inward rather than cut short or padded: it stays square, so
 * the resize to 48×48 never stretches the face, and it contains only real pixels, like the
 * training data. The face is then off-centre but still whole. Only when the square is larger
 * than the image's shorter side does it shrink, to that side.
 */
export function expandBox(box: Box, imageW: number, imageH: number, margin = DEFAULT_MARGIN): Box {
  if (!(imageW >= 1 && imageH >= 1)) throw new RangeError(`expandBox: empty image ${imageW}×${imageH}`);
  const wanted = Math.round(Math.max(box.width, box.height) * (1 + 2 * margin));
  const side = Math.max(1, Math.min(wanted, Math.floor(imageW), Math.floor(imageH)));
  const place = (centre: number, limit: number) =>
    Math.min(Math.max(0, Math.round(centre - side / 2)), Math.floor(limit) - side);
  return {
    x: place(box.x + box.width / 2, imageW),
    y: place(box.y + box.height / 2, imageH),
    width: side,
    height: side,
  };
}

/** The largest centred square of a `width`×`height` image. */
export function centerSquare(width: number, height: number): Box {
  const side = Math.min(width, height);
  return {
    x: Math.floor((width - side) / 2),
    y: Math.floor((height - side) / 2),
    width: side,
    height: side,
  };
}

/**
 * Cuts `box` (whole pixels, inside the image, normally from `expandBox`) out of an oriented image
 * and returns it as a 48×48 8-bit single-channel grayscale PNG.
 */
export async function cropFace(image: CropSource, box: Box): Promise<Buffer> {
  const [png] = await cropFaces(image, [box]);
  if (!png) throw new Error("cropFace: no crop produced");
  return png;
}

/**
 * `cropFace` for several boxes of one image, decoding it once: an encoded 40 MP photo costs
 * ~120 MB and a noticeable fraction of a second per decode.
 */
export async function cropFaces(image: CropSource, boxes: Box[]): Promise<Buffer[]> {
  const gray = await toGray(image);
  const pngs: Buffer[] = [];
  // One at a time: each crop is tiny, and parallel ones would only queue on sharp's thread pool.
  for (const box of boxes) pngs.push(await cropGray(gray, box));
  return pngs;
}

/**
 * For uploads that already are a face crop: the largest centred square of the whole image as a
 * 48×48 grayscale PNG.
 */
export async function cropWholeImage(image: CropSource): Promise<Buffer> {
  const gray = await toGray(image);
  return cropGray(gray, centerSquare(gray.width, gray.height));
}

/**
 * Content-derived name for a crop, so identical crops share one file and no user-supplied text
 * ever reaches a path.
 */
export function cropName(png: Buffer): { sha256: string; fileName: string } {
  const sha256 = crypto.createHash("sha256").update(png).digest("hex");
  return { sha256, fileName: `${sha256}.png` };
}

async function toGray(image: CropSource): Promise<GrayImage> {
  if (!Buffer.isBuffer(image)) return image;
  // autoOrient is a no-op on decodeUpload's output (no tag left) and protects any other caller.
  const { data, info } = await grayscale(sharp(image, { failOn: "error" }).autoOrient())
    .raw({ depth: "uchar" })
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
    channels: 1,
  };
}

/**
 * Transparent pixels become white, then one gray channel (`grayscale()` alone keeps 3 channels for
 * 16-bit input).
 */
function grayscale(pipeline: Sharp): Sharp {
  return pipeline.flatten({ background: "#ffffff" }).toColourspace("b-w");
}

function cropGray(gray: GrayImage, box: Box): Promise<Buffer> {
  const { x, y, width, height } = box;
  const whole = [x, y, width, height].every(Number.isInteger);
  const inside = x >= 0 && y >= 0 && x + width <= gray.width && y + height <= gray.height;
  if (!whole || !inside || width < 1 || height < 1) {
    throw new RangeError(
      `crop box ${JSON.stringify(box)} is not whole pixels inside the ${gray.width}×${gray.height} image`,
    );
  }
  return (
    sharp(gray.data, { raw: { width: gray.width, height: gray.height, channels: 1 } })
      .extract({ left: x, top: y, width, height })
      // "fill": a square box maps to 48×48 exactly; a non-square one is squeezed rather than
      // silently losing its edges.
      .resize(CROP_SIZE, CROP_SIZE, { fit: "fill" })
      .toColourspace("b-w")
      .png()
      .toBuffer()
  );
}
