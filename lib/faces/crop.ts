import "server-only";
import crypto from "node:crypto";
import sharp, { type Sharp } from "sharp";
import type { GrayImage } from "@/lib/images/decode";
import { assertWholeBoxInside, type Box, centerSquare, CROP_SIZE } from "./square-box";

// The geometry is pure and shared with the browser (the live view); re-exported for the server side.
export { type Box, centerSquare, CROP_SIZE, DEFAULT_MARGIN, expandBox } from "./square-box";

/** An encoded image (JPEG/PNG/WebP bytes) or decoded 8-bit grayscale pixels; already oriented. */
export type CropSource = Buffer | GrayImage;

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
  return cropPipeline(gray, box).png().toBuffer();
}

/**
 * The 48×48 grey pixels of `box` (whole pixels inside the image): exactly what cropFace's PNG of
 * that box decodes to (the same resize, no PNG made), for predictions that store no crop (video
 * frames).
 */
export async function cropGrayPixels(gray: GrayImage, box: Box): Promise<GrayImage> {
  const { data, info } = await cropPipeline(gray, box).raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
  if (info.channels !== 1 || info.width !== CROP_SIZE || info.height !== CROP_SIZE) {
    throw new Error(`cropGrayPixels: made ${info.width}x${info.height}x${info.channels}`);
  }
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: CROP_SIZE,
    height: CROP_SIZE,
    channels: 1,
  };
}

function cropPipeline(gray: GrayImage, box: Box): Sharp {
  assertWholeBoxInside(box, gray.width, gray.height);
  const { x, y, width, height } = box;
  return (
    sharp(gray.data, { raw: { width: gray.width, height: gray.height, channels: 1 } })
      .extract({ left: x, top: y, width, height })
      // "fill": a square box maps to 48×48 exactly; a non-square one is squeezed rather than
      // silently losing its edges.
      .resize(CROP_SIZE, CROP_SIZE, { fit: "fill" })
      .toColourspace("b-w")
  );
}
