/**
 * The Tiny Face Detector run on the image's own shape. face-api pads every image to a square before
 * the network sees it, so a 3:2 photo is one third black rows and a 16:9 video frame almost half;
 * the network is fully convolutional, so here it sees the image (resized exactly as face-api resizes
 * it) and only the padding its 32-pixel cells need. The boxes are decoded as face-api decodes them
 * (TinyYolov2Base.extractBoxes) and suppressed with tf's non-maximum suppression at face-api's IoU.
 *
 * Only tf API on the `tf` given: no Node imports.
 */
import type { Tensor3D, Tensor4D } from "@tensorflow/tfjs";
import type { Tf } from "@/lib/tf/tf";
import { MIN_FACE_SCORE, TINY_INPUT_SIZE } from "./detector-settings";
import type { Box } from "./square-box";

/** The network's parameters as face-api loaded them, and its forward pass over a normalised batch. */
interface TinyFaceNet {
  params: unknown;
  runMobilenet(x: Tensor4D, params: unknown): Tensor4D;
}

/** Either face-api build (the server's or the browser's), its Tiny Face Detector loaded. */
export interface FaceApiWithTinyNet {
  nets: { tinyFaceDetector: object };
}

/** face-api's constants for the Tiny Face Detector (src/tinyFaceDetector/const.ts). */
export const TINY_ANCHORS: readonly { x: number; y: number }[] = [
  { x: 1.603231, y: 2.094468 },
  { x: 6.041143, y: 7.080126 },
  { x: 2.882459, y: 3.518061 },
  { x: 4.266906, y: 5.178857 },
  { x: 9.041765, y: 10.66308 },
];
const MEAN_RGB = [117.001, 114.697, 97.404] as const;
const IOU_THRESHOLD = 0.4;
/** Input pixels per output cell. */
const CELL = 32;
/** x, y, width, height, score. */
const ENCODING = 5;

export interface TinyInput {
  /** The network's input, [1, rows, cols, 3]: a multiple of 32 each, the longer side `inputSize`. */
  tensor: Tensor4D;
  /** The image's extent in it (face-api's "reshaped input dimensions"). */
  reshaped: { width: number; height: number };
}

/**
 * The image as face-api's NetInput.toBatchTensor(inputSize, false) makes it (zero rows or columns
 * appended to a square, resized bilinearly to inputSize), normalised as TinyYolov2Base.forwardInput
 * does it, and cut after the first multiple of 32 that holds the whole image: the kept pixels are
 * exactly those face-api gives the network (tested).
 */
export function tinyInput(tf: Tf, image: Tensor3D, inputSize: number): TinyInput {
  const [height, width] = image.shape;
  const side = Math.max(width, height);
  const scale = inputSize / side;
  const reshaped = { width: Math.round(width * scale), height: Math.round(height * scale) };
  const rows = Math.min(inputSize, Math.ceil(reshaped.height / CELL) * CELL);
  const cols = Math.min(inputSize, Math.ceil(reshaped.width / CELL) * CELL);
  // The resize reads input pixel i × side / inputSize for output pixel i (no corner alignment, no
  // half-pixel centres). Padded only to rows × side / inputSize and resized to rows, the image gives
  // the very samples of the whole square resized to inputSize, at a fraction of the work, whenever
  // that size is whole and the image is not enlarged; otherwise the square is resized and cut.
  const padded = { height: (rows * side) / inputSize, width: (cols * side) / inputSize };
  const partial =
    side >= inputSize &&
    Number.isInteger(padded.height) &&
    Number.isInteger(padded.width) &&
    padded.height >= height &&
    padded.width >= width;
  const tensor = tf.tidy(() => {
    const to = partial ? padded : { height: side, width: side };
    const image4d = tf.expandDims(tf.cast(image, "float32"), 0) as Tensor4D;
    const withPadding = tf.pad(image4d, [
      [0, 0],
      [0, to.height - height],
      [0, to.width - width],
      [0, 0],
    ]);
    const size: [number, number] = partial ? [rows, cols] : [inputSize, inputSize];
    const resized =
      to.height === size[0] && to.width === size[1]
        ? withPadding
        : tf.image.resizeBilinear(withPadding, size, false, false);
    const kept =
      partial || (rows === inputSize && cols === inputSize)
        ? resized
        : tf.slice(resized, [0, 0, 0, 0], [1, rows, cols, 3]);
    return tf.div(tf.sub(kept, tf.tensor1d([...MEAN_RGB])), 255) as Tensor4D;
  });
  return { tensor, reshaped };
}

export interface TinyDetection {
  /** Relative to the image (0..1 of its width and height), as face-api's relativeBox. */
  relative: Box;
  score: number;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/**
 * The network's output [rows, cols, anchors × 5] (flattened) as boxes relative to the image, those
 * scoring above `scoreThreshold`, before non-maximum suppression.
 */
export function decodeTinyOutput(
  out: Float32Array | number[],
  grid: { rows: number; cols: number },
  reshaped: { width: number; height: number },
  scoreThreshold: number,
): TinyDetection[] {
  const anchors = TINY_ANCHORS.length;
  if (out.length !== grid.rows * grid.cols * anchors * ENCODING) {
    throw new Error(`decodeTinyOutput: ${out.length} values for a ${grid.rows}×${grid.cols} grid`);
  }
  const found: TinyDetection[] = [];
  for (let row = 0; row < grid.rows; row++) {
    for (let col = 0; col < grid.cols; col++) {
      for (let a = 0; a < anchors; a++) {
        const at = ((row * grid.cols + col) * anchors + a) * ENCODING;
        const score = sigmoid(out[at + 4]!);
        if (!(score > scoreThreshold)) continue;
        // face-api: ((col + σ(x)) / cells) × (inputSize / reshaped width), cells = inputSize / 32.
        const cx = ((col + sigmoid(out[at]!)) * CELL) / reshaped.width;
        const cy = ((row + sigmoid(out[at + 1]!)) * CELL) / reshaped.height;
        const w = (Math.exp(out[at + 2]!) * TINY_ANCHORS[a]!.x * CELL) / reshaped.width;
        const h = (Math.exp(out[at + 3]!) * TINY_ANCHORS[a]!.y * CELL) / reshaped.height;
        found.push({ relative: { x: cx - w / 2, y: cy - h / 2, width: w, height: h }, score });
      }
    }
  }
  return found;
}

/**
 * Faces in an image [height, width, 3] (RGB, 0–255) with the Tiny Face Detector, as face-api's
 * detectAllFaces would find them (by default at the app's input size and score threshold), in the
 * image's pixels, the network's own framing (not clipped). The caller keeps (and disposes) `image`.
 */
export async function detectTinyFaces(
  tf: Tf,
  faceapi: FaceApiWithTinyNet,
  image: Tensor3D,
  opts: { inputSize: number; scoreThreshold: number } = { inputSize: TINY_INPUT_SIZE, scoreThreshold: MIN_FACE_SCORE },
): Promise<(Box & { score: number })[]> {
  const [faces] = await detectTinyFacesEach(tf, faceapi, [image], opts);
  return faces!;
}

/**
 * detectTinyFaces for several images, the answers in their order: images whose network input has
 * the same shape (e.g. the square regions of lib/faces/region-search.ts) go through the network as
 * one batch, one forward pass instead of one each (four 128-pixel regions: 11.3 ms against 15.9 ms
 * on WASM, one thread). Each image's faces are the ones it gives alone. The caller keeps (and
 * disposes) the images.
 */
export async function detectTinyFacesEach(
  tf: Tf,
  faceapi: FaceApiWithTinyNet,
  images: readonly Tensor3D[],
  opts: { inputSize: number; scoreThreshold: number } = { inputSize: TINY_INPUT_SIZE, scoreThreshold: MIN_FACE_SCORE },
): Promise<(Box & { score: number })[][]> {
  const net = faceapi.nets.tinyFaceDetector as TinyFaceNet;
  const inputs = images.map((image) => tinyInput(tf, image, opts.inputSize));
  const outputs: { values: Float32Array; rows: number; cols: number }[] = new Array(images.length);
  try {
    const byShape = new Map<string, number[]>();
    inputs.forEach((input, i) => {
      const key = input.tensor.shape.join("x");
      byShape.set(key, [...(byShape.get(key) ?? []), i]);
    });
    for (const members of byShape.values()) {
      const out = tf.tidy(() => {
        const batch =
          members.length === 1 ? inputs[members[0]!]!.tensor : tf.concat(members.map((i) => inputs[i]!.tensor));
        return net.runMobilenet(batch, net.params);
      });
      let values: Float32Array;
      try {
        values = (await out.data()) as Float32Array;
      } finally {
        out.dispose();
      }
      const [, rows, cols, depth] = out.shape;
      const each = rows! * cols! * depth!;
      members.forEach((i, k) => {
        outputs[i] = { values: values.subarray(k * each, (k + 1) * each), rows: rows!, cols: cols! };
      });
    }
  } finally {
    for (const input of inputs) input.tensor.dispose();
  }
  const answers: (Box & { score: number })[][] = [];
  for (const [i, image] of images.entries()) {
    const [height, width] = image.shape;
    const { values, rows, cols } = outputs[i]!;
    const found = decodeTinyOutput(values, { rows, cols }, inputs[i]!.reshaped, opts.scoreThreshold);
    answers.push(await suppress(tf, found, width, height));
  }
  return answers;
}

/**
 * Greedy non-maximum suppression, highest score first, as face-api's own (IoU is the same on
 * relative boxes as on face-api's: both axes scaled alike); the boxes in a `width`×`height` image's
 * pixels.
 */
async function suppress(
  tf: Tf,
  found: TinyDetection[],
  width: number,
  height: number,
): Promise<(Box & { score: number })[]> {
  if (found.length === 0) return [];
  const boxes = tf.tensor2d(
    found.map(({ relative: r }) => [r.y, r.x, r.y + r.height, r.x + r.width]),
    [found.length, 4],
  );
  const scores = tf.tensor1d(found.map((d) => d.score));
  let kept: Int32Array;
  try {
    const picked = await tf.image.nonMaxSuppressionAsync(boxes, scores, found.length, IOU_THRESHOLD);
    kept = (await picked.data()) as Int32Array;
    picked.dispose();
  } finally {
    boxes.dispose();
    scores.dispose();
  }
  return Array.from(kept, (k) => {
    const { relative: r, score } = found[k]!;
    return { x: r.x * width, y: r.y * height, width: r.width * width, height: r.height * height, score };
  });
}
