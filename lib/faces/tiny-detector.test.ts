import type { Tensor3D, Tensor4D } from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import fs from "node:fs/promises";
import path from "node:path";
import { decodeUpload } from "@/lib/images/decode";
import { getTf } from "@/lib/tf/backend";
import { detectFaces } from "./detector";
import { faceApiModelDir } from "./face-api-package";
import { regionPixels, searchRegion } from "./region-search";
import { detectTinyFaces, detectTinyFacesEach, type FaceApiWithTinyNet, tinyInput } from "./tiny-detector";

const demo = path.resolve("node_modules/@vladmandic/face-api/demo");

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

describe("detectTinyFacesEach", () => {
  it("finds in each image, batched with others of its shape, what the image gives alone", async () => {
    const { tf } = await getTf();
    const faceapi = (await import("@vladmandic/face-api/dist/face-api.node-wasm.js")) as unknown as FaceApiWithTinyNet;
    await (faceapi.nets.tinyFaceDetector as { loadFromDisk(dir: string): Promise<void> }).loadFromDisk(
      faceApiModelDir(),
    );
    // The regions searched around the faces of two sample photos (squares: one batch at each
    // size), a region cut by the photo's edge (a shape of its own) and one without a face.
    const images: Tensor3D[] = [];
    for (const file of ["sample1.jpg", "sample5.jpg"]) {
      const { rgb } = await decodeUpload(await fs.readFile(path.join(demo, file)));
      const regions = (await detectFaces(rgb)).map((f) => searchRegion(f, rgb.width, rgb.height));
      regions.push(
        { x: rgb.width - 100, y: 0, width: 200, height: 200 },
        { x: 0, y: rgb.height - 64, width: 64, height: 64 },
      );
      for (const region of regions) {
        const { values, width, height } = regionPixels(rgb, region);
        images.push(tf.tensor3d(values, [height, width, 3], "int32"));
      }
    }
    try {
      for (const inputSize of [128, 96]) {
        const opts = { inputSize, scoreThreshold: 0.4 };
        const together = await detectTinyFacesEach(tf, faceapi, images, opts);
        const alone: Awaited<ReturnType<typeof detectTinyFaces>>[] = [];
        for (const image of images) alone.push(await detectTinyFaces(tf, faceapi, image, opts));
        expect(together.length).toBe(images.length);
        together.forEach((faces, i) => {
          expect(faces.length).toBe(alone[i]!.length);
          faces.forEach((f, k) => {
            for (const key of ["x", "y", "width", "height", "score"] as const) {
              expect(f[key]).toBeCloseTo(alone[i]![k]![key], 4);
            }
          });
        });
        expect(together.filter((f) => f.length > 0).length).toBeGreaterThanOrEqual(6);
      }
    } finally {
      images.forEach((t) => t.dispose());
    }
  }, 60_000);
});
