import type { Tensor3D, Tensor4D } from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { getTf } from "@/lib/tf/backend";
import { tinyInput } from "./tiny-detector";

// face-api's own input for the Tiny detector, written out: NetInput.toBatchTensor(512, false) (zero
// rows or columns appended to a square, resizeBilinear without corner alignment or half-pixel
// centres) and TinyYolov2Base.forwardInput's normalisation, then cut to `rows` × `cols`.
async function faceApiInput(image: Tensor3D, rows: number, cols: number): Promise<Float32Array> {
  const { tf } = await getTf();
  const [height, width] = image.shape;
  const side = Math.max(width, height);
  const out = tf.tidy(() => {
    const square = tf.pad(tf.expandDims(tf.cast(image, "float32"), 0) as Tensor4D, [
      [0, 0],
      [0, side - height],
      [0, side - width],
      [0, 0],
    ]);
    const resized = side === 512 ? square : tf.image.resizeBilinear(square, [512, 512], false, false);
    const normalised = tf.div(tf.sub(resized, tf.tensor1d([117.001, 114.697, 97.404])), 255);
    return tf.slice(normalised, [0, 0, 0, 0], [1, rows, cols, 3]);
  });
  const values = (await out.data()) as Float32Array;
  out.dispose();
  return values;
}

describe("tinyInput", () => {
  // Photos and frames at the detector's 768 (the cut-down resize), a live-view frame of 640×480, a
  // 512-wide image (no resize), a square, and sizes the cut-down resize cannot serve exactly (an
  // enlarged small image, an odd size): every one must give face-api's pixels, bit for bit.
  it.each([
    [768, 512],
    [768, 432],
    [512, 768],
    [640, 480],
    [512, 300],
    [700, 700],
    [300, 200],
    [777, 333],
  ])("gives a %i×%i image exactly face-api's input, cut to whole cells", async (width, height) => {
    const { tf } = await getTf();
    const pixels = Int32Array.from({ length: width * height * 3 }, (_, i) => (i * 7919 + (i >> 5)) % 256);
    const image = tf.tensor3d(pixels, [height, width, 3], "int32");
    const { tensor, reshaped } = tinyInput(tf, image, 512);
    const [, rows, cols] = tensor.shape;
    expect(rows! % 32).toBe(0);
    expect(cols! % 32).toBe(0);
    expect(Math.max(rows!, cols!)).toBe(512);
    expect(rows!).toBeGreaterThanOrEqual(reshaped.height);
    expect(cols!).toBeGreaterThanOrEqual(reshaped.width);
    const got = (await tensor.data()) as Float32Array;
    const want = await faceApiInput(image, rows!, cols!);
    expect(got.length).toBe(want.length);
    let differing = 0;
    got.forEach((v, i) => (differing += v === want[i] ? 0 : 1));
    expect(differing).toBe(0);
    tensor.dispose();
    image.dispose();
  });
});
