import sharp from "sharp";
import { resizeFilterOf, type ModelMetadata } from "@/lib/model/metadata";
import { resizeBilinear, type ResizeFilter } from "@/lib/model/resize";
import { normalizePixels } from "@/lib/model/model-input";

// The pure end (uint8 → floats) is shared with the browser (the live view).
export { normalizePixels } from "@/lib/model/model-input";

/**
 * THE preprocessing: inference, training and evaluation all turn an image into model input here,
 * so a model never sees pixels prepared differently from those it was trained on.
 *
 * Decodes any format sharp reads, applies EXIF orientation, composites transparency onto black,
 * resizes to exactly h×w in sRGB with the version's filter (fit "fill": the face crop is stretched,
 * not letterboxed; lib/model/resize), converts
 * to BT.601 grey (c = 1) or keeps RGB (c = 3), then scales the pixels per `preprocessing`.
 * @returns h·w·c floats in HWC order.
 */
export async function imageToInput(
  image: ModelImage,
  meta: Pick<ModelMetadata, "inputShape" | "preprocessing" | "resizeFilter">,
): Promise<Float32Array> {
  return normalizePixels(await imageToPixels(image, meta.inputShape, resizeFilterOf(meta)), meta.preprocessing);
}

/** 8-bit grey pixels, row-major (a face crop that was never encoded: lib/faces/crop's cropGrayPixels). */
export interface GrayPixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1;
}

/** What the model is given: an encoded image (any format sharp reads) or grey pixels. */
export type ModelImage = Buffer | GrayPixels;

/** Same decoding as imageToInput, stopping at the uint8 pixels (h·w·c, HWC); augmentation starts here. */
export async function imageToPixels(
  image: ModelImage,
  inputShape: ModelMetadata["inputShape"],
  resizeFilter: ResizeFilter,
): Promise<Uint8Array> {
  const [h, w, c] = inputShape;
  if (!Buffer.isBuffer(image)) {
    if (image.data.length !== image.width * image.height) {
      throw new Error(`grey pixels: ${image.data.length} bytes for ${image.width}x${image.height}`);
    }
    // Grey pixels at the input's size are the input's pixels as they are: what the steps below make
    // of the same pixels as a PNG (tested), without a round trip through sharp.
    if (c === 1 && image.width === w && image.height === h) return Uint8Array.from(image.data);
  }
  const source = Buffer.isBuffer(image)
    ? sharp(image)
    : sharp(image.data, { raw: { width: image.width, height: image.height, channels: 1 } });
  const decoded = source.rotate().flatten({ background: "#000000" }).toColourspace("srgb");
  const { data, info } = await (resizeFilter === "lanczos3" ? decoded.resize(w, h, { fit: "fill" }) : decoded)
    .raw()
    .toBuffer({ resolveWithObject: true });
  let src: Uint8Array = new Uint8Array(data.buffer, data.byteOffset, data.length);
  if (resizeFilter === "bilinear") src = resizeBilinear(src, info.width, info.height, info.channels, w, h);
  else if (info.width !== w || info.height !== h)
    throw new Error(`resize produced ${info.width}x${info.height}, expected ${w}x${h}`);
  const n = h * w;
  // sharp keeps a grayscale source single-channel even when asked for sRGB.
  if (info.channels === 1) {
    if (c === 1) return src;
    const rgb = new Uint8Array(n * 3);
    for (let i = 0; i < n; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = src[i] ?? 0;
    return rgb;
  }
  if (info.channels !== 3) throw new Error(`decoded ${info.channels} channels, expected 1 or 3`);
  if (c === 3) return src;
  // ITU-R BT.601 luma on the gamma-encoded values, as OpenCV and PIL compute grey (and as FER2013's
  // faces were made); sharp's own grayscale works in linear light and renders colours lighter.
  const gray = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    gray[i] = Math.round(0.299 * (src[3 * i] ?? 0) + 0.587 * (src[3 * i + 1] ?? 0) + 0.114 * (src[3 * i + 2] ?? 0));
  }
  return gray;
}
