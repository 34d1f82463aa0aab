import fs from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { decodeUpload } from "@/lib/images/decode";
import { getTf } from "@/lib/tf/backend";
import { MIN_FACE_SCORE, detectFaces, preloadDetector } from "./detector";

// Integration test: real photos shipped in the face-api npm package, real SSD MobileNet v1
// weights, on whatever backend getTf() picks (WASM here, tfjs-node where it is installed).
const demo = path.resolve("node_modules/@vladmandic/face-api/demo");

// Counted by eye: every visible face, including the one in profile in sample2.
const samples: [string, number][] = [
  ["sample1.jpg", 3],
  ["sample2.jpg", 3],
  ["sample3.jpg", 3],
  ["sample4.jpg", 4],
  ["sample5.jpg", 5],
  ["sample6.jpg", 4],
];

describe("detectFaces", () => {
  it("preloads without error (and makes the timings below steady-state)", async () => {
    await expect(preloadDetector()).resolves.toBeUndefined();
  });

  it.each(samples)("finds every face in %s (%i)", async (file, count) => {
    const { rgb } = await decodeUpload(await fs.readFile(path.join(demo, file)));

    const faces = await detectFaces(rgb);

    expect(faces).toHaveLength(count);
    for (const f of faces) {
      expect(f.score).toBeGreaterThanOrEqual(MIN_FACE_SCORE);
      expect(f.score).toBeLessThanOrEqual(1);
      expect(f.x).toBeGreaterThanOrEqual(0);
      expect(f.y).toBeGreaterThanOrEqual(0);
      expect(f.x + f.width).toBeLessThanOrEqual(rgb.width);
      expect(f.y + f.height).toBeLessThanOrEqual(rgb.height);
      // A face in these group photos is a few percent of the frame, not a sliver or the whole image.
      expect(f.width).toBeGreaterThan(rgb.width * 0.04);
      expect(f.width).toBeLessThan(rgb.width * 0.5);
    }
    const xs = faces.map((f) => f.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
  });

  const create = { width: 640, height: 480, channels: 3 as const, background: "#808080" };
  const noise = { type: "gaussian" as const, mean: 128, sigma: 40 };
  const bottomHalf = async (file: string) => {
    const image = sharp(path.join(demo, file));
    const { width, height } = await image.metadata();
    const top = Math.ceil(height / 2);
    return image
      .extract({ left: 0, top, width, height: height - top })
      .png()
      .toBuffer();
  };

  it.each<[string, () => Promise<Buffer>]>([
    ["a flat grey image", () => sharp({ create }).png().toBuffer()],
    [
      "random noise",
      () =>
        sharp({ create: { ...create, noise } })
          .png()
          .toBuffer(),
    ],
    // Hands, legs, a phone and a sofa: the kind of false positive a lowered threshold would let in.
    ["the bottom half of sample2.jpg", () => bottomHalf("sample2.jpg")],
    ["the bottom half of sample4.jpg", () => bottomHalf("sample4.jpg")],
  ])("finds no faces in %s", async (_name, make) => {
    const { rgb } = await decodeUpload(await make());
    expect(await detectFaces(rgb)).toEqual([]);
  });

  it("leaves no tensors behind", async () => {
    const { tf } = await getTf();
    const { rgb } = await decodeUpload(await fs.readFile(path.join(demo, "sample1.jpg")));
    await detectFaces(rgb); // loads the weights, which stay for the life of the process
    const before = tf.memory().numTensors;
    await detectFaces(rgb);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("refuses pixel data that does not match the stated size", async () => {
    await expect(detectFaces({ data: new Uint8Array(10), width: 4, height: 4, channels: 3 })).rejects.toThrow(
      /expected 4×4×3 bytes/,
    );
  });
});
