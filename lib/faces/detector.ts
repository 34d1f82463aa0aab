import "server-only";
import type { RgbImage } from "@/lib/images/decode";
import { getTf } from "@/lib/tf/backend";
import type { Tf } from "@/lib/tf/tf";
import { getEnv } from "@/lib/env/env";
import {
  detectorOptions,
  FACE_DETECTOR_SPECS,
  faceBoxes,
  type FaceDetectorName,
  MIN_FACE_SCORE,
} from "./detector-settings";
import { detectTinyInRegions, REGION_INPUT_SIZES, type RegionSearch } from "./region-search";
import type { Box } from "./square-box";
import { detectTinyFaces } from "./tiny-detector";
import { faceApiModelDir } from "./face-api-package";

// The node-wasm build is the one face-api build that brings no TensorFlow.js of its own and does
// not insist on tfjs-node: it `require`s "@tensorflow/tfjs" (plus the WASM backend package, which
// only registers itself), so it shares the module instance getTf() returned, whichever backend
// getTf() chose (tfjs-node re-exports that same "@tensorflow/tfjs").
type FaceApi = typeof import("@vladmandic/face-api/dist/face-api.node-wasm.js");

/** A detected face in the pixel coordinates of the image given to `detectFaces`. */
export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Detector confidence, MIN_FACE_SCORE..1. */
  score: number;
}

export { MIN_FACE_SCORE } from "./detector-settings";

interface Detector {
  name: FaceDetectorName;
  /** getTf()'s instance, which face-api shares (checked when loading). */
  tf: Tf;
  faceapi: FaceApi;
  options: InstanceType<FaceApi["SsdMobilenetv1Options"]> | InstanceType<FaceApi["TinyFaceDetectorOptions"]>;
}

// On globalThis so that every server chunk bundling this module shares the loaded detectors.
const state = globalThis as unknown as { emotionLoopDetectors?: Map<FaceDetectorName, Promise<Detector>> };

/** The detector FACE_DETECTOR names (default "tiny"). */
export function activeFaceDetector(): FaceDetectorName {
  return getEnv().FACE_DETECTOR;
}

/** Loads a detector's weights shipped inside @vladmandic/face-api, once per process. */
function getDetector(name: FaceDetectorName): Promise<Detector> {
  const loaded = (state.emotionLoopDetectors ??= new Map());
  let detector = loaded.get(name);
  if (!detector) {
    detector = loadDetector(name).catch((err: unknown) => {
      loaded.delete(name);
      throw err;
    });
    loaded.set(name, detector);
  }
  return detector;
}

async function loadDetector(name: FaceDetectorName): Promise<Detector> {
  const { tf } = await getTf();
  const faceapi: FaceApi = await import("@vladmandic/face-api/dist/face-api.node-wasm.js");

  // A second copy of tfjs (e.g. a bundler inlining one of the two) would give face-api its own
  // Tensor class, and it would reject our tensors with a confusing "expected media" error.
  const probe = tf.scalar(0);
  const shared = probe instanceof faceapi.tf.Tensor;
  probe.dispose();
  if (!shared) {
    throw new Error(
      "@vladmandic/face-api loaded a different @tensorflow/tfjs instance than getTf(); keep " +
        "@vladmandic/face-api and @tensorflow/* external to the server bundle.",
    );
  }

  // The weights ship in the npm package; read from disk, so detection never needs the network.
  await faceapi.nets[FACE_DETECTOR_SPECS[name].net].loadFromDisk(faceApiModelDir());
  return {
    name,
    tf,
    faceapi,
    options: detectorOptions(faceapi, name),
  };
}

/**
 * Loads the weights and runs one detection on a blank image, so the first upload does not pay
 * for it (~0.5–1.5 s on WASM: weight load plus kernel warm-up). Optional: `detectFaces` loads
 * lazily anyway. Meant for server start-up.
 */
export async function preloadDetector(detector: FaceDetectorName = activeFaceDetector()): Promise<void> {
  const size = 64;
  await detectFaces({ data: new Uint8Array(size * size * 3), width: size, height: size, channels: 3 }, detector);
}

/**
 * Finds faces in an RGB image with `detector` (default: FACE_DETECTOR's). The network sees the
 * image resized to 512 on its longer side (SSD: padded to a 512×512 square; Tiny: only to whole
 * 32-pixel cells), so much more than decodeUpload's DETECTOR_MAX_SIDE only costs time. Boxes are
 * in SSD's framing whichever network found them (see toFaceBox), in the pixels of `rgb`, clipped to
 * it, the MAX_FACES highest scores at most, and sorted left to right (then top to bottom) so the
 * same photo always yields faces in the same order. No faces → empty array.
 */
export async function detectFaces(
  rgb: RgbImage,
  detector: FaceDetectorName = activeFaceDetector(),
  opts: { faceApiInput?: boolean } = {},
): Promise<FaceBox[]> {
  const raw = await detectRawFaces(rgb, detector, opts);
  const boxes: FaceBox[] = faceBoxes(
    detector,
    raw.map((d) => ({ box: d, score: d.score })),
    rgb.width,
    rgb.height,
  );
  return boxes.sort((a, b) => a.x - b.x || a.y - b.y);
}

/**
 * The Tiny detector in `regions` of `rgb` only (lib/faces/region-search.ts): the faces found there
 * as detectFaces gives them (SSD's framing, clipped, left to right), and per region whether it held
 * any. Between full detections of a video's frames (FaceFollower).
 */
export async function detectFacesInRegions(
  rgb: RgbImage,
  regions: readonly Box[],
  inputSizes: readonly number[] = REGION_INPUT_SIZES,
): Promise<RegionSearch> {
  const { width, height } = rgb;
  if (rgb.data.length !== width * height * 3) {
    throw new Error(`detectFacesInRegions: expected ${width}×${height}×3 bytes, got ${rgb.data.length}`);
  }
  const { tf, faceapi } = await getDetector("tiny");
  return detectTinyInRegions(tf, faceapi, rgb, regions, { inputSizes, scoreThreshold: MIN_FACE_SCORE });
}

/**
 * The network's own boxes (its framing, not clipped, as many as it found; faceBoxes keeps the
 * MAX_FACES strongest). For measuring detectors against each other (`npm run bench:detect`); the
 * app uses detectFaces. The Tiny detector sees the image's own shape (lib/faces/tiny-detector.ts);
 * `faceApiInput` runs it through face-api's detectAllFaces instead, on the image padded to a square.
 */
export async function detectRawFaces(
  rgb: RgbImage,
  detector: FaceDetectorName,
  opts: { faceApiInput?: boolean } = {},
): Promise<FaceBox[]> {
  const { width, height } = rgb;
  if (rgb.data.length !== width * height * 3) {
    throw new Error(`detectFaces: expected ${width}×${height}×3 bytes, got ${rgb.data.length}`);
  }
  const { tf, faceapi, options } = await getDetector(detector);

  // face-api runs its own ops inside tf.tidy; this input is the one tensor we own, and detection
  // is async, so it is disposed by hand rather than by a tidy. Shape [height, width, 3], int32.
  const input = tf.tensor3d(rgb.data, [height, width, 3], "int32");
  try {
    if (detector === "tiny" && !opts.faceApiInput) return await detectTinyFaces(tf, faceapi, input);
    const detections = await faceapi.detectAllFaces(
      input as unknown as Parameters<FaceApi["detectAllFaces"]>[0],
      options,
    );
    return detections.map((d) => ({
      x: d.box.x,
      y: d.box.y,
      width: d.box.width,
      height: d.box.height,
      score: d.score,
    }));
  } finally {
    input.dispose();
  }
}
