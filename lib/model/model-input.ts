/**
 * The pure end of THE preprocessing (lib/model/preprocess.ts): from 8-bit pixels to the floats a
 * model reads. No Node imports, so the browser's live view makes its model input with the very
 * code the server uses.
 */
import { DEFAULT_RESIZE_FILTER, resizeBilinear, type ResizeFilter } from "@/lib/model/resize";
import { resizeLanczos3 } from "@/lib/model/resize-lanczos3";

/**
 * How uint8 pixels become model inputs: "unit" = x / 255 → [0, 1];
 * "symmetric" = x / 255 · 2 − 1 → [−1, 1] (Keras mini-Xception).
 */
export const PREPROCESSING_MODES = ["unit", "symmetric"] as const;
export type Preprocessing = (typeof PREPROCESSING_MODES)[number];

/** Scales uint8 pixels: "unit" → [0, 1], "symmetric" → [−1, 1]. Pure; same length out as in. */
export function normalizePixels(pixels: Uint8Array, preprocessing: Preprocessing): Float32Array {
  const out = new Float32Array(pixels.length);
  if (preprocessing === "unit") {
    for (let i = 0; i < pixels.length; i++) out[i] = (pixels[i] ?? 0) / 255;
  } else {
    for (let i = 0; i < pixels.length; i++) out[i] = ((pixels[i] ?? 0) / 255) * 2 - 1;
  }
  return out;
}

/**
 * The model input for a grey face crop (the pixels of the 48×48 PNG the server stores for a face):
 * what imageToInput computes from that PNG. Resized to the version's input with its filter
 * (nothing to do for a 48×48 model; "lanczos3" by lib/model/resize-lanczos3, where the server uses
 * sharp), grey copied to three channels for an RGB model, scaled per `preprocessing`.
 * @returns h·w·c floats in HWC order.
 */
export function grayCropToInput(
  gray: Uint8Array,
  width: number,
  height: number,
  meta: { inputShape: readonly [number, number, 1 | 3]; preprocessing: Preprocessing; resizeFilter?: ResizeFilter },
): Float32Array {
  if (gray.length !== width * height)
    throw new Error(`grayCropToInput: ${gray.length} values, expected ${width}x${height}`);
  const [h, w, c] = meta.inputShape;
  const filter = meta.resizeFilter ?? DEFAULT_RESIZE_FILTER;
  const sized =
    width === w && height === h
      ? gray
      : filter === "bilinear"
        ? resizeBilinear(gray, width, height, 1, w, h)
        : resizeLanczos3(gray, width, height, w, h);
  if (c === 1) return normalizePixels(sized, meta.preprocessing);
  const rgb = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = sized[i] ?? 0;
  return normalizePixels(rgb, meta.preprocessing);
}
