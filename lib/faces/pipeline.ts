import "server-only";
import type { DecodedImage } from "@/lib/images/decode";
import { type Box, centerSquare, cropFaces, cropName, cropWholeImage, expandBox } from "./crop";
import type { FaceBox } from "./detector";
import { detect } from "./inference";

/** Runs one stage of the work, timing it under `stage` (see lib/uploads/stage-times). */
export type Timed = <T>(stage: string, run: () => Promise<T>) => Promise<T>;
const untimed: Timed = (_stage, run) => run();

export interface ExtractedFace {
  /**
   * The square region the crop was cut from, in pixels of the oriented image (decoded.width ×
   * decoded.height): the detected face plus margin, or the centre square of a face-crop upload.
   */
  box: Box;
  /** Detector confidence; null for an upload that was already a face crop. */
  score: number | null;
  /** 48×48 8-bit grayscale PNG, the emotion model's input. */
  png: Buffer;
  sha256: string;
  /** `<sha256>.png`, derived from the crop's bytes. */
  fileName: string;
}

/**
 * The faces of a decoded upload as model-ready crops, left to right. A photo without faces gives
 * an empty array; an upload flagged as a face crop gives exactly one (its centre square).
 * Pure computation: nothing is written anywhere.
 */
export async function extractFaces(
  decoded: DecodedImage,
  opts: { isFaceCrop: boolean; timed?: Timed },
): Promise<ExtractedFace[]> {
  const timed = opts.timed ?? untimed;
  if (opts.isFaceCrop) {
    const png = await cropWholeImage(decoded.gray);
    return [{ box: centerSquare(decoded.width, decoded.height), score: null, png, ...cropName(png) }];
  }

  return detectAndCrop(decoded, timed);
}

/**
 * The faces of one frame of pixels (a video frame): `rgb` for the detector (any size up to the
 * frame's), `gray` the full frame the crops are cut from; boxes in `gray`'s pixels, left to right.
 */
export async function detectAndCrop(
  frame: { rgb: DecodedImage["rgb"]; gray: DecodedImage["gray"] },
  timed: Timed = untimed,
): Promise<ExtractedFace[]> {
  const detections = await timed("detect", () => detect(frame.rgb));
  return cropDetections(frame, detections, timed);
}

/**
 * The crops of `detections` (boxes in the pixels of `frame.rgb`, as the detector saw the frame),
 * cut from `frame.gray`: as detectAndCrop gives them, for faces found some other way (a video's
 * frames are searched by a FaceFollower).
 */
export async function cropDetections(
  frame: { rgb: { width: number; height: number }; gray: DecodedImage["gray"] },
  detections: readonly FaceBox[],
  timed: Timed = untimed,
): Promise<ExtractedFace[]> {
  const { rgb, gray } = frame;
  if (detections.length === 0) return [];

  // The detector saw a downscaled copy; crops are cut from the full-resolution gray image.
  const sx = gray.width / rgb.width;
  const sy = gray.height / rgb.height;
  const boxes = detections.map((d) => {
    const face = { x: d.x * sx, y: d.y * sy, width: d.width * sx, height: d.height * sy };
    return expandBox(face, gray.width, gray.height);
  });
  const pngs = await timed("crop", () => cropFaces(gray, boxes));

  return detections.map((d, i) => {
    const box = boxes[i];
    const png = pngs[i];
    if (!box || !png) throw new Error("extractFaces: crop missing for a detection");
    return { box, score: d.score, png, ...cropName(png) };
  });
}
