/**
 * Looking for known faces where they just were: between two full detections, a video or webcam
 * frame is searched only in a square around each face of the frame before, each square seen by the
 * Tiny Face Detector at a small input size (128 px for a square twice the face), and a face that
 * moved within its square is found where it went: a third of the time of a full detection on the
 * sample photos (`npm run bench:follow`). FaceFollower decides, frame by frame, whether a full
 * detection is due; the server's video analysis and the browser's live view follow faces with the
 * same code.
 *
 * Only tf API on the `tf` given: no Node imports.
 */
import type { Tf } from "@/lib/tf/tf";
import { faceBoxes, MIN_FACE_SCORE } from "./detector-settings";
import { type Box, expandBox } from "./square-box";
import { detectTinyFacesEach, type FaceApiWithTinyNet } from "./tiny-detector";
import { iou } from "./track";

/** A region's side over the face box's larger side: the face may move a quarter of its size and stay whole inside. */
export const REGION_SCALE = 2;
/**
 * The Tiny detector's input sides for a region (multiples of 32), tried in turn until one finds a
 * face: the network's weakest faces come and go with the scale it sees them at. On the six sample
 * photos moved by 12–39 px (`npm run bench:follow`): 128 alone found 80 of 81 faces of a full
 * detection of the moved photo, 96 or 160 alone 78; the three in turn find all 60 of the Tiny
 * detector's faces, their boxes overlapping the full detection's by a median IoU of 0.83 (a full
 * detection against itself under the same move: 0.83), in a third of the time.
 */
export const REGION_INPUT_SIZES = [128, 96, 160] as const;
/** Regions are never smaller than this many pixels a side (a tiny face gets a region the network can read). */
const MIN_REGION_SIDE = 64;
/** Boxes from neighbouring regions overlapping more than this are one face (face-api's Tiny IoU threshold). */
const SAME_FACE_IOU = 0.4;

/** The square searched for `face` (a face box in the app's framing) in a `width`×`height` image, inside it. */
export function searchRegion(face: Box, width: number, height: number): Box {
  const side = Math.max(face.width, face.height, MIN_REGION_SIDE / REGION_SCALE);
  const centred = {
    x: face.x + face.width / 2 - side / 2,
    y: face.y + face.height / 2 - side / 2,
    width: side,
    height: side,
  };
  return expandBox(centred, width, height, (REGION_SCALE - 1) / 2);
}

export interface RegionSearch {
  /**
   * The faces found, as a full detection gives them (the app's framing, clipped to the image,
   * left to right), in the image's pixels, duplicates across regions removed.
   */
  faces: (Box & { score: number })[];
  /** Per region, in order: whether it found a face. */
  found: boolean[];
}

/** Pixels as the detector reads them: RGB, or RGBA (a canvas's ImageData) whose alpha is skipped. */
export interface Pixels {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** `region` of `pixels` (clipped to them) as RGB int32 values, row by row, and where it lies. */
export function regionPixels(
  pixels: Pixels,
  region: Box,
): { values: Int32Array; x: number; y: number; width: number; height: number } {
  const x = Math.max(0, Math.min(pixels.width - 1, Math.round(region.x)));
  const y = Math.max(0, Math.min(pixels.height - 1, Math.round(region.y)));
  const width = Math.max(1, Math.min(pixels.width - x, Math.round(region.width)));
  const height = Math.max(1, Math.min(pixels.height - y, Math.round(region.height)));
  const values = new Int32Array(width * height * 3);
  const c = pixels.channels;
  for (let row = 0; row < height; row++) {
    let from = ((y + row) * pixels.width + x) * c;
    let to = row * width * 3;
    for (let col = 0; col < width; col++, from += c, to += 3) {
      values[to] = pixels.data[from]!;
      values[to + 1] = pixels.data[from + 1]!;
      values[to + 2] = pixels.data[from + 2]!;
    }
  }
  return { values, x, y, width, height };
}

/**
 * The Tiny Face Detector run in each of `regions` of `pixels`: only the regions' pixels become
 * tensors (slicing them out of a whole-frame tensor was the costliest step measured, 29 ms for three
 * regions against 15 ms of network), and the regions go through the network together, one batch per
 * input size. Each region
 * gives at most one face, the one nearest its centre; one face found by two overlapping regions is
 * kept once (the higher score).
 */
export async function detectTinyInRegions(
  tf: Tf,
  faceapi: FaceApiWithTinyNet,
  pixels: Pixels,
  regions: readonly Box[],
  opts: { inputSizes: readonly number[]; scoreThreshold: number } = {
    inputSizes: REGION_INPUT_SIZES,
    scoreThreshold: MIN_FACE_SCORE,
  },
): Promise<RegionSearch> {
  const parts = regions.map((region) => regionPixels(pixels, region));
  const tensors = parts.map(({ values, width, height }) => tf.tensor3d(values, [height, width, 3], "int32"));
  const boxes: (Box & { score: number })[][] = parts.map(() => []);
  try {
    // Every region at the first size, in one batch; those without a face again at the next size.
    let searching = parts.map((_, i) => i);
    for (const inputSize of opts.inputSizes) {
      if (searching.length === 0) break;
      const answers = await detectTinyFacesEach(
        tf,
        faceapi,
        searching.map((i) => tensors[i]!),
        { inputSize, scoreThreshold: opts.scoreThreshold },
      );
      searching.forEach((i, k) => (boxes[i] = answers[k]!));
      searching = searching.filter((i) => boxes[i]!.length === 0);
    }
  } finally {
    for (const t of tensors) t.dispose();
  }
  const followed = parts.map(({ x, y, width, height }, i) => {
    // The face the region follows is the one nearest its centre; anything else in it (a
    // neighbour's face, often cut by the region's edge) is left to the next full detection.
    const centre = (b: Box) => Math.hypot(b.x + b.width / 2 - width / 2, b.y + b.height / 2 - height / 2);
    const nearest = boxes[i]!.reduce<(Box & { score: number }) | null>(
      (best, b) => (best === null || centre(b) < centre(best) ? b : best),
      null,
    );
    return nearest && { ...nearest, x: nearest.x + x, y: nearest.y + y };
  });
  // Two regions that settled on the same face keep it once (the higher score): the frame before
  // had it twice, or had something that was not a face beside it (a full detection's false find).
  const found = followed.map((f) => f !== null);
  const kept: (Box & { score: number })[] = [];
  const byScore = followed.filter((f) => f !== null).sort((a, b) => b.score - a.score);
  for (const box of byScore) {
    if (kept.every((k) => iou(k, box) <= SAME_FACE_IOU)) kept.push(box);
  }
  const faces = faceBoxes(
    "tiny",
    kept.map((d) => ({ box: d, score: d.score })),
    pixels.width,
    pixels.height,
  );
  return { faces: faces.sort((a, b) => a.x - b.x || a.y - b.y), found };
}
