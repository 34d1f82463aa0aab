import "server-only";
import type { DecodedImage, GrayImage, RgbImage } from "@/lib/images/decode";
import { grayRegion, sharpGrayTable } from "./gray-table";
import { type Box, centerSquare, cropFaces, cropGrayPixels, cropName, cropWholeImage, expandBox } from "./crop";
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
  if (detections.length === 0) return [];
  const boxes = cropBoxes(frame.rgb, frame.gray, detections);
  const pngs = await timed("crop", () => cropFaces(frame.gray, boxes));

  return detections.map((d, i) => {
    const box = boxes[i];
    const png = pngs[i];
    if (!box || !png) throw new Error("extractFaces: crop missing for a detection");
    return { box, score: d.score, png, ...cropName(png) };
  });
}

/** A face of a video frame: its crop as grey pixels (never encoded; see cropFramePixels). */
export interface FrameFace {
  /** As ExtractedFace's box: the square the crop was cut from, in the full frame's pixels. */
  box: Box;
  score: number;
  /** 48×48 grey: the pixels of the PNG cropDetections would make from the same frame. */
  gray: GrayImage;
}

/**
 * cropDetections for an RGB frame whose crops are only predicted, not stored (a video's): grey is
 * made inside each crop's box only, from sharp's own grey table, and the crop is kept as pixels.
 * The pixels are exactly those of cropDetections' PNGs from the frame's sharp grey (tested).
 */
export async function cropFramePixels(
  frame: { rgb: { width: number; height: number }; full: RgbImage },
  detections: readonly FaceBox[],
): Promise<FrameFace[]> {
  if (detections.length === 0) return [];
  const table = await sharpGrayTable();
  const boxes = cropBoxes(frame.rgb, frame.full, detections);
  const faces: FrameFace[] = [];
  // One at a time, as cropFaces: each is tiny, and parallel ones would only queue on sharp's threads.
  for (const [i, box] of boxes.entries()) {
    const region = grayRegion(table, frame.full, box);
    const gray = await cropGrayPixels(region, { x: 0, y: 0, width: box.width, height: box.height });
    faces.push({ box, score: detections[i]!.score, gray });
  }
  return faces;
}

/**
 * The squares the crops of `detections` are cut from, in `full`'s pixels: the detector saw a
 * downscaled copy (`seen`), crops are cut from the full-resolution image.
 */
function cropBoxes(
  seen: { width: number; height: number },
  full: { width: number; height: number },
  detections: readonly FaceBox[],
): Box[] {
  const sx = full.width / seen.width;
  const sy = full.height / seen.height;
  return detections.map((d) => {
    const face = { x: d.x * sx, y: d.y * sy, width: d.width * sx, height: d.height * sy };
    return expandBox(face, full.width, full.height);
  });
}
