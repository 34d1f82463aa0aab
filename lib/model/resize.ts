/**
 * How an image is resized to a model's input. "lanczos3" is sharp's default and what every model
 * this project trains has seen; "bilinear" is what Keras and OpenCV use, so a model imported from
 * Keras sees the pixels it was trained on. Pure (no Node imports): the browser resizes with it too.
 */
export const RESIZE_FILTERS = ["lanczos3", "bilinear"] as const;
export type ResizeFilter = (typeof RESIZE_FILTERS)[number];

/** A version whose metadata names no filter was trained on sharp's default. */
export const DEFAULT_RESIZE_FILTER: ResizeFilter = "lanczos3";

/**
 * Bilinear resize of interleaved uint8 pixels with half-pixel centres and no antialiasing, as
 * OpenCV's INTER_LINEAR and `tf.image.resize(…, "bilinear")` compute it: output pixel (x, y) samples
 * the source at ((x + ½) · sw / dw − ½, (y + ½) · sh / dh − ½), clamped to the edge, rounded to uint8.
 * @returns dw·dh·channels pixels (a copy of `src` when the size is unchanged).
 */
export function resizeBilinear(
  src: Uint8Array,
  sw: number,
  sh: number,
  channels: number,
  dw: number,
  dh: number,
): Uint8Array {
  if (src.length !== sw * sh * channels) {
    throw new Error(`resizeBilinear: ${src.length} values, expected ${sw}x${sh}x${channels}`);
  }
  if (sw === dw && sh === dh) return src.slice();
  const out = new Uint8Array(dw * dh * channels);
  const xs = axis(sw, dw);
  const ys = axis(sh, dh);
  for (let y = 0; y < dh; y++) {
    const y0 = ys.lo[y]!;
    const y1 = ys.hi[y]!;
    const fy = ys.f[y]!;
    for (let x = 0; x < dw; x++) {
      const x0 = xs.lo[x]!;
      const x1 = xs.hi[x]!;
      const fx = xs.f[x]!;
      for (let c = 0; c < channels; c++) {
        const a = src[(y0 * sw + x0) * channels + c]!;
        const b = src[(y0 * sw + x1) * channels + c]!;
        const d = src[(y1 * sw + x0) * channels + c]!;
        const e = src[(y1 * sw + x1) * channels + c]!;
        const top = a + (b - a) * fx;
        const bottom = d + (e - d) * fx;
        out[(y * dw + x) * channels + c] = Math.round(top + (bottom - top) * fy);
      }
    }
  }
  return out;
}

/** For each output index along one axis: the two source indexes and the weight of the second. */
function axis(srcSize: number, dstSize: number) {
  const scale = srcSize / dstSize;
  const lo = new Int32Array(dstSize);
  const hi = new Int32Array(dstSize);
  const f = new Float64Array(dstSize);
  for (let i = 0; i < dstSize; i++) {
    const s = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), srcSize - 1);
    const l = Math.floor(s);
    lo[i] = l;
    hi[i] = Math.min(l + 1, srcSize - 1);
    f[i] = s - l;
  }
  return { lo, hi, f };
}
