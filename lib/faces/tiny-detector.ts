/**
 * The Tiny Face Detector run on the image's own shape. face-api pads every image to a square before
 * the network sees it, so a 3:2 photo is one third black rows and a 16:9 video frame almost half;
 * the network is fully convolutional, so here it sees the image (resized exactly as face-api resizes
 * it) and only the padding its 32-pixel cells need. The boxes are decoded and suppressed as face-api
 * does it (TinyYolov2Base.extractBoxes and detect), in the same coordinates.
 *
 * Only tf API on the `tf` given: no Node imports.
 */
import type { Tensor3D, Tensor4D } from "@tensorflow/tfjs";
import type { Tf } from "@/lib/tf/tf";
import type { Box } from "./square-box";

/** The network's parameters as face-api loaded them, and its forward pass over a normalised batch. */
export interface TinyFaceNet {
  params: unknown;
  runMobilenet(x: Tensor4D, params: unknown): Tensor4D;
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
 * exactly those face-api gives the network.
 */
export function tinyInput(tf: Tf, image: Tensor3D, inputSize: number): TinyInput {
  const [height, width] = image.shape;
  const side = Math.max(width, height);
  const scale = inputSize / side;
  const reshaped = { width: Math.round(width * scale), height: Math.round(height * scale) };
  const rows = Math.min(inputSize, Math.ceil(reshaped.height / CELL) * CELL);
  const cols = Math.min(inputSize, Math.ceil(reshaped.width / CELL) * CELL);
  const tensor = tf.tidy(() => {
    const square = tf.pad(tf.expandDims(tf.cast(image, "float32"), 0) as Tensor4D, [
      [0, 0],
      [0, side - height],
      [0, side - width],
      [0, 0],
    ]);
    const resized = side === inputSize ? square : tf.image.resizeBilinear(square, [inputSize, inputSize], false, false);
    const kept =
      rows === inputSize && cols === inputSize ? resized : tf.slice(resized, [0, 0, 0, 0], [1, rows, cols, 3]);
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
 * scoring above `scoreThreshold`, after face-api's non-maximum suppression (IoU 0.4, measured on
 * the boxes scaled by inputSize as face-api measures it).
 */
export function decodeTinyOutput(
  out: Float32Array | number[],
  grid: { rows: number; cols: number },
  reshaped: { width: number; height: number },
  inputSize: number,
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
  return suppress(found, inputSize);
}

/** face-api's nonMaxSuppression: highest score first, dropping boxes that overlap a kept one by > 0.4. */
function suppress(found: TinyDetection[], inputSize: number): TinyDetection[] {
  const scaled = found.map((d) => ({
    left: d.relative.x * inputSize,
    top: d.relative.y * inputSize,
    right: (d.relative.x + d.relative.width) * inputSize,
    bottom: (d.relative.y + d.relative.height) * inputSize,
    area: d.relative.width * inputSize * (d.relative.height * inputSize),
  }));
  // face-api sorts ascending and pops from the end; a stable sort keeps its order among equal scores.
  let order = found
    .map((d, i) => ({ score: d.score, i }))
    .sort((p, q) => p.score - q.score)
    .map((e) => e.i);
  const kept: TinyDetection[] = [];
  while (order.length) {
    const current = order.pop()!;
    kept.push(found[current]!);
    const c = scaled[current]!;
    order = order.filter((j) => {
      const o = scaled[j]!;
      const w = Math.max(0, Math.min(c.right, o.right) - Math.max(c.left, o.left));
      const h = Math.max(0, Math.min(c.bottom, o.bottom) - Math.max(c.top, o.top));
      const inter = w * h;
      return inter / (c.area + o.area - inter) <= IOU_THRESHOLD;
    });
  }
  return kept;
}

/**
 * Faces in an image [height, width, 3] (RGB, 0–255) with the Tiny Face Detector at `inputSize`, as
 * face-api's detectAllFaces would find them, in the image's pixels, the network's own framing (not
 * clipped). The caller keeps (and disposes) `image`.
 */
export async function detectTinyFaces(
  tf: Tf,
  net: TinyFaceNet,
  image: Tensor3D,
  opts: { inputSize: number; scoreThreshold: number },
): Promise<(Box & { score: number })[]> {
  const [height, width] = image.shape;
  const input = tinyInput(tf, image, opts.inputSize);
  let out: Tensor4D;
  try {
    out = tf.tidy(() => net.runMobilenet(input.tensor, net.params));
  } finally {
    input.tensor.dispose();
  }
  const [, rows, cols] = out.shape;
  let values: Float32Array;
  try {
    values = (await out.data()) as Float32Array;
  } finally {
    out.dispose();
  }
  const grid = { rows: rows!, cols: cols! };
  return decodeTinyOutput(values, grid, input.reshaped, opts.inputSize, opts.scoreThreshold).map((d) => ({
    x: d.relative.x * width,
    y: d.relative.y * height,
    width: d.relative.width * width,
    height: d.relative.height * height,
    score: d.score,
  }));
}
