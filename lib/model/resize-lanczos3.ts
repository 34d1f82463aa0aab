/**
 * A Lanczos-3 resize of 8-bit grey pixels in the manner of libvips' `vips_resize` (what sharp's
 * default `resize` runs), for places that cannot call sharp: the browser's live view. Pure (no Node
 * imports).
 *
 * Like libvips: a separable Lanczos-3 reduction (vertical pass, then horizontal), each pass rounded
 * to 8 bits, with the kernel widened by the shrink factor (antialiasing), pixel centres at
 * (i + ½)·scale − ½ and the edges extended. (A block-averaging pre-shrink, which libvips can do
 * for large factors, made the result further from sharp's, not closer, so there is none.) libvips
 * computes the kernel in fixed point at sub-pixel steps; this computes it exactly, so single pixels
 * differ by up to 3 grey levels, 0.0–0.8 on average (measured against sharp in
 * lib/faces/frame-crop.test.ts). That holds for reductions only: libvips enlarges another way, and
 * an enlargement here is 12 grey levels from sharp's on average (every model of this project reads
 * 48×48, the crop's own size, so nothing enlarges).
 */

/** Lanczos window of 3 lobes. */
function lanczos3(x: number): number {
  if (x === 0) return 1;
  if (x <= -3 || x >= 3) return 0;
  const px = Math.PI * x;
  return (3 * Math.sin(px) * Math.sin(px / 3)) / (px * px);
}

/** The taps of a 1-D resize from `src` to `dst` samples: for each output, first source index and weights. */
function taps(src: number, dst: number): { start: Int32Array; weights: Float64Array[] } {
  const scale = src / dst;
  const support = 3 * Math.max(1, scale);
  const stretch = Math.max(1, scale);
  const start = new Int32Array(dst);
  const weights: Float64Array[] = [];
  for (let i = 0; i < dst; i++) {
    const centre = (i + 0.5) * scale - 0.5;
    const first = Math.floor(centre - support) + 1;
    const last = Math.ceil(centre + support) - 1;
    const w = new Float64Array(last - first + 1);
    let sum = 0;
    for (let k = first; k <= last; k++) {
      const v = lanczos3((k - centre) / stretch);
      w[k - first] = v;
      sum += v;
    }
    for (let k = 0; k < w.length; k++) w[k]! /= sum;
    start[i] = first;
    weights.push(w);
  }
  return { start, weights };
}

const clampByte = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));

/**
 * Resizes single-channel 8-bit pixels from sw×sh to dw×dh ("fill": each axis on its own).
 * @returns dw·dh pixels (a copy when the size is unchanged).
 */
export function resizeLanczos3(src: Uint8Array, sw: number, sh: number, dw: number, dh: number): Uint8Array {
  if (src.length !== sw * sh) throw new Error(`resizeLanczos3: ${src.length} values, expected ${sw}x${sh}x1`);
  if (sw === dw && sh === dh) return src.slice();
  const img = { data: src, width: sw, height: sh };
  const { width: w, height: h } = img;

  // Vertical pass: w × dh.
  const vt = taps(h, dh);
  const mid = new Uint8Array(w * dh);
  for (let y = 0; y < dh; y++) {
    const first = vt.start[y]!;
    const wt = vt.weights[y]!;
    for (let x = 0; x < w; x++) {
      let acc = 0;
      for (let k = 0; k < wt.length; k++) {
        const yy = Math.min(h - 1, Math.max(0, first + k));
        acc += wt[k]! * img.data[yy * w + x]!;
      }
      mid[y * w + x] = clampByte(acc);
    }
  }
  // Horizontal pass: dw × dh.
  const ht = taps(w, dw);
  const out = new Uint8Array(dw * dh);
  for (let x = 0; x < dw; x++) {
    const first = ht.start[x]!;
    const wt = ht.weights[x]!;
    for (let y = 0; y < dh; y++) {
      let acc = 0;
      for (let k = 0; k < wt.length; k++) {
        const xx = Math.min(w - 1, Math.max(0, first + k));
        acc += wt[k]! * mid[y * w + xx]!;
      }
      out[y * dw + x] = clampByte(acc);
    }
  }
  return out;
}
