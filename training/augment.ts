import type { Random } from "@/training/random";

/**
 * Seeded, on-the-fly augmentation for training batches (never for validation or test data):
 * horizontal flip, small rotation, zoom and shift, brightness and contrast. Works on uint8 HWC
 * pixels before normalisation, so it is the same whatever the model's preprocessing.
 */
export interface AugmentOptions {
  /** Largest rotation either way, degrees. */
  rotationDeg: number;
  /** Zoom factor range is [1 - zoom, 1 + zoom]. */
  zoom: number;
  /** Largest shift either way, as a fraction of the side. */
  shift: number;
  flip: boolean;
  /** Added grey levels range is ±brightness·255. */
  brightness: number;
  /** Contrast factor range is [1 - contrast, 1 + contrast] around mid-grey. */
  contrast: number;
}

export const DEFAULT_AUGMENT: AugmentOptions = {
  rotationDeg: 10,
  zoom: 0.1,
  shift: 0.1,
  flip: true,
  brightness: 0.15,
  contrast: 0.2,
};

/**
 * One random distortion of an image.
 * @param px h·w·c uint8 pixels, HWC
 * @returns a new h·w·c uint8 array; `px` is not modified
 */
export function augmentPixels(
  px: Uint8Array,
  h: number,
  w: number,
  c: number,
  rand: Random,
  o: AugmentOptions = DEFAULT_AUGMENT,
): Uint8Array {
  const u = (lo: number, hi: number) => lo + (hi - lo) * rand();
  const angle = (u(-o.rotationDeg, o.rotationDeg) * Math.PI) / 180;
  const scale = u(1 - o.zoom, 1 + o.zoom);
  const dx = u(-o.shift, o.shift) * w;
  const dy = u(-o.shift, o.shift) * h;
  const flip = o.flip && rand() < 0.5;
  const gain = u(1 - o.contrast, 1 + o.contrast);
  const bias = u(-o.brightness, o.brightness) * 255;
  const cos = Math.cos(angle) / scale;
  const sin = Math.sin(angle) / scale;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const out = new Uint8Array(px.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Inverse map: where in the source does this output pixel come from?
      const ox = (flip ? w - 1 - x : x) - cx - dx;
      const oy = y - cy - dy;
      const sx = Math.min(w - 1, Math.max(0, cos * ox + sin * oy + cx));
      const sy = Math.min(h - 1, Math.max(0, -sin * ox + cos * oy + cy));
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(w - 1, x0 + 1);
      const y1 = Math.min(h - 1, y0 + 1);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let ch = 0; ch < c; ch++) {
        const at = (yy: number, xx: number) => px[(yy * w + xx) * c + ch] ?? 0;
        const v = (at(y0, x0) * (1 - fx) + at(y0, x1) * fx) * (1 - fy) + (at(y1, x0) * (1 - fx) + at(y1, x1) * fx) * fy;
        out[(y * w + x) * c + ch] = Math.max(0, Math.min(255, Math.round((v - 128) * gain + 128 + bias)));
      }
    }
  }
  return out;
}
