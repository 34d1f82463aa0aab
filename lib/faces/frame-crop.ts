/**
 * The server's face crop (lib/faces/crop.ts: sharp's grey, the expanded square, a Lanczos-3 resize
 * to 48×48) computed without sharp, for the browser's live view. Pure (no Node imports).
 *
 * - Grey: libvips' sRGB → B_W, which sharp's `toColourspace("b-w")` runs on every upload: each
 *   channel to linear light, Y = 0.2126 R + 0.7152 G + 0.0722 B, back to sRGB through libvips'
 *   256-entry table, interpolated and rounded. Identical to sharp on all but 8 of a million random
 *   colours, those one grey level off (frame-crop.test.ts).
 * - Resize: lib/model/resize-lanczos3, libvips' method with an exact kernel instead of its
 *   fixed-point one: at most 3 grey levels from sharp per pixel, under 1 on average (frame-crop.test.ts).
 */
import { resizeLanczos3 } from "@/lib/model/resize-lanczos3";
import { assertWholeBoxInside, type Box, CROP_SIZE } from "./square-box";

const f32 = Math.fround;
const srgbToLinear = (v: number) => (v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
const linearToSrgb = (y: number) => (y <= 0.0031308 ? 12.92 * y : 1.055 * Math.pow(y, 1 / 2.4) - 0.055);

/** 8-bit sRGB → linear light. */
const TO_LINEAR = Float32Array.from({ length: 256 }, (_, i) => srgbToLinear(i / 255));
/** Linear light at i/255 → 8-bit sRGB, rounded, as libvips tabulates it (one extra entry for the top). */
const FROM_LINEAR = Float64Array.from({ length: 257 }, (_, i) =>
  Math.round(255 * linearToSrgb(Math.min(i, 255) / 255)),
);

/**
 * Grey pixels from interleaved 8-bit RGB or RGBA (alpha ignored: a video frame is opaque), as sharp's
 * `toColourspace("b-w")` makes them.
 * @param channels 3 or 4
 * @returns width·height bytes
 */
export function grayLikeSharp(pixels: Uint8Array | Uint8ClampedArray, channels: 3 | 4): Uint8Array {
  const n = Math.floor(pixels.length / channels);
  const out = new Uint8Array(n);
  for (let i = 0, p = 0; i < n; i++, p += channels) {
    // Single precision where libvips computes in floats: the last rounding agrees only then.
    const y = f32(
      0.2126 * TO_LINEAR[pixels[p]!]! + 0.7152 * TO_LINEAR[pixels[p + 1]!]! + 0.0722 * TO_LINEAR[pixels[p + 2]!]!,
    );
    const f = f32(y * 255);
    const k = Math.min(254, Math.max(0, Math.floor(f)));
    const v = f32(FROM_LINEAR[k]! + f32((FROM_LINEAR[k + 1]! - FROM_LINEAR[k]!) * f32(f - k)));
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
  }
  return out;
}

/**
 * Cuts `box` (whole pixels inside the image, from expandBox) out of a grey image and resizes it to
 * size×size: the pixels of the PNG the server stores for that face.
 */
export function cropGrayFrame(gray: Uint8Array, width: number, height: number, box: Box, size = CROP_SIZE): Uint8Array {
  assertWholeBoxInside(box, width, height);
  const { x, y, width: w, height: h } = box;
  const region = new Uint8Array(w * h);
  for (let row = 0; row < h; row++)
    region.set(gray.subarray((y + row) * width + x, (y + row) * width + x + w), row * w);
  return resizeLanczos3(region, w, h, size, size);
}
