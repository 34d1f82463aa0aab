/**
 * The face detectors' settings, pure (no Node imports): the server (lib/faces/detector.ts) and the
 * browser's live view detect with the same network, weights, thresholds and box geometry.
 */
import { type Box, clipToImage } from "./square-box";

/**
 * Two networks whose weights ship in @vladmandic/face-api/model:
 * - `tiny`: face-api's Tiny Face Detector, 512 px on the image's longer side, the default. Measured
 *   on the package's six sample photos (`npm run bench:detect`): 21 of their 22 faces (the one in
 *   profile, in sample2, is missed), no false detection, 41–53 ms a photo (WASM, 1 thread; two runs).
 * - `ssd`: SSD MobileNet v1 (512×512), all 22 including the profile, 248–264 ms a photo.
 */
export const FACE_DETECTORS = ["tiny", "ssd"] as const;
export type FaceDetectorName = (typeof FACE_DETECTORS)[number];
export const DEFAULT_FACE_DETECTOR: FaceDetectorName = "tiny";

export interface FaceDetectorSpec {
  /** The network's key in face-api's `nets`. */
  net: "tinyFaceDetector" | "ssdMobilenetv1";
  /** Its files in @vladmandic/face-api/model: the weights manifest and its one shard. */
  files: readonly [manifest: string, shard: string];
  /** For pages, logs and reports. */
  description: string;
}

export const FACE_DETECTOR_SPECS: Record<FaceDetectorName, FaceDetectorSpec> = {
  tiny: {
    net: "tinyFaceDetector",
    files: ["tiny_face_detector_model-weights_manifest.json", "tiny_face_detector_model.bin"],
    description: "Tiny Face Detector (512 px on the longer side)",
  },
  ssd: {
    net: "ssdMobilenetv1",
    files: ["ssd_mobilenetv1_model-weights_manifest.json", "ssd_mobilenetv1_model.bin"],
    description: "SSD MobileNet v1 (512×512 input)",
  },
};

/** Every detector file the app may serve to the live view (both detectors' weights, nothing else). */
export const DETECTOR_FILES: readonly string[] = FACE_DETECTORS.flatMap((d) => FACE_DETECTOR_SPECS[d].files);

/** The Tiny Face Detector's input side: at 416 it finds 19–20 of the 22 sample faces, at 512 21. */
export const TINY_INPUT_SIZE = 512;

/**
 * Confidence below which a detection is dropped, for either network. Below face-api's default 0.5
 * because a true face turned half away scores only 0.55–0.64 with SSD on its sample photos
 * (depending on resampling), while nothing that is not a face scores even 0.1 there; the Tiny
 * detector's weakest true face there scores 0.62. A missed face costs a review; a false one is just
 * rejected by the reviewer.
 */
export const MIN_FACE_SCORE = 0.4;
/** At most this many faces per image (the highest scores). */
export const MAX_FACES = 100;

/**
 * The Tiny detector frames a face differently from SSD: a near-square box, as wide as the whole
 * head, whose centre sits lower (on the mouth rather than the nose). Every crop the app stored
 * and every model it trained used SSD's framing, so Tiny's boxes are mapped onto it. Fitted on the
 * 21 faces both find on the sample photos (`npm run bench:detect`): SSD's centre = Tiny's centre
 * + (0.012 × width, −0.143 × height), SSD's width = 0.672 × Tiny's, height = 1.044 × Tiny's.
 */
export const TINY_TO_SSD_BOX = { dx: 0.012, dy: -0.143, width: 0.672, height: 1.044 } as const;

/** A detector's raw box as the face box the app uses (SSD's framing); `ssd`'s boxes are unchanged. */
export function toFaceBox(detector: FaceDetectorName, box: Box): Box {
  if (detector === "ssd") return { x: box.x, y: box.y, width: box.width, height: box.height };
  const m = TINY_TO_SSD_BOX;
  const cx = box.x + box.width / 2 + m.dx * box.width;
  const cy = box.y + box.height / 2 + m.dy * box.height;
  const width = box.width * m.width;
  const height = box.height * m.height;
  return { x: cx - width / 2, y: cy - height / 2, width, height };
}

/**
 * face-api's options for `detector`, from whichever build of face-api the caller runs (the server's
 * node-wasm build or the browser's): the same thresholds both sides.
 */
export function detectorOptions<S, T>(
  faceapi: {
    SsdMobilenetv1Options: new (o: { minConfidence: number; maxResults: number }) => S;
    TinyFaceDetectorOptions: new (o: { inputSize: number; scoreThreshold: number }) => T;
  },
  detector: FaceDetectorName,
): S | T {
  return detector === "ssd"
    ? new faceapi.SsdMobilenetv1Options({ minConfidence: MIN_FACE_SCORE, maxResults: MAX_FACES })
    : new faceapi.TinyFaceDetectorOptions({ inputSize: TINY_INPUT_SIZE, scoreThreshold: MIN_FACE_SCORE });
}

/**
 * A detector's detections as the app's face boxes: the MAX_FACES highest scores, in SSD's framing
 * (toFaceBox), clipped to the `width`×`height` image the detector saw (dropped when nothing is left).
 */
export function faceBoxes(
  detector: FaceDetectorName,
  detections: readonly { box: Box; score: number }[],
  width: number,
  height: number,
): (Box & { score: number })[] {
  return [...detections]
    .sort((a, b) => b.score - a.score)
    .slice(0, MAX_FACES)
    .flatMap((d) => {
      const clipped = clipToImage(toFaceBox(detector, d.box), width, height);
      return clipped ? [{ ...clipped, score: d.score }] : [];
    });
}
