import fs from "node:fs/promises";
import path from "node:path";
import { detectFaces, detectFacesInRegions, type FaceBox } from "@/lib/faces/detector";
import { searchRegion } from "@/lib/faces/region-search";
import { iou } from "@/lib/faces/track";
import { decodeUpload, type RgbImage } from "@/lib/images/decode";

const DEMO = path.resolve(__dirname, "../../node_modules/@vladmandic/face-api/demo");

/** How far each sample photo is moved (x, y pixels of the detector's copy): a face moving between frames. */
export const SHIFTS: readonly [number, number][] = [
  [12, 8],
  [-20, 10],
  [30, -25],
];

/** `rgb` moved by (dx, dy): what came into view is black, what left it is gone. */
export function shifted(rgb: RgbImage, dx: number, dy: number): RgbImage {
  const { width, height } = rgb;
  const data = new Uint8Array(width * height * 3);
  for (let y = Math.max(0, dy); y < Math.min(height, height + dy); y++) {
    const from = ((y - dy) * width + Math.max(0, -dx)) * 3;
    const to = (y * width + Math.max(0, dx)) * 3;
    data.set(rgb.data.subarray(from, from + (width - Math.abs(dx)) * 3), to);
  }
  return { data, width, height, channels: 3 };
}

export interface FollowCase {
  photo: string;
  dx: number;
  dy: number;
  /** The Tiny detector on the whole shifted photo. */
  full: FaceBox[];
  /** The unshifted photo's faces, moved along: the detector's own consistency under a shift. */
  moved: FaceBox[];
  /** The shifted photo searched in the regions of the unshifted photo's faces. */
  regions: { faces: FaceBox[]; found: boolean[] };
  fullMs: number;
  regionsMs: number;
}

/**
 * Each sample photo (as an upload is decoded for the detector), its faces found whole, then
 * moved by each of SHIFTS and searched both whole and only around the faces found before.
 */
export async function followCases(): Promise<FollowCase[]> {
  const cases: FollowCase[] = [];
  for (let i = 1; i <= 6; i++) {
    const photo = `sample${i}.jpg`;
    const { rgb } = await decodeUpload(await fs.readFile(path.join(DEMO, photo)));
    const before = await detectFaces(rgb, "tiny");
    const regions = before.map((b) => searchRegion(b, rgb.width, rgb.height));
    for (const [dx, dy] of SHIFTS) {
      const image = shifted(rgb, dx, dy);
      let t = performance.now();
      const full = await detectFaces(image, "tiny");
      const fullMs = performance.now() - t;
      t = performance.now();
      const found = await detectFacesInRegions(image, regions);
      const regionsMs = performance.now() - t;
      const moved = before.map((b) => ({ ...b, x: b.x + dx, y: b.y + dy }));
      cases.push({ photo, dx, dy, full, moved, regions: found, fullMs, regionsMs });
    }
  }
  return cases;
}

/** How many of `expected` have a box in `got` overlapping them by IoU ≥ 0.5, and those overlaps. */
export function matches(expected: FaceBox[], got: FaceBox[]): { matched: number; ious: number[] } {
  const ious = expected.map((e) => Math.max(0, ...got.map((g) => iou(e, g)))).filter((v) => v >= 0.5);
  return { matched: ious.length, ious };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2 : Number.NaN;
}
