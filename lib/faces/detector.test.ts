import fs from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { decodeUpload } from "@/lib/images/decode";
import { getTf } from "@/lib/tf/backend";
import { MIN_FACE_SCORE, activeFaceDetector, detectFaces, detectRawFaces, preloadDetector } from "./detector";
import { FACE_DETECTORS, type FaceDetectorName } from "./detector-settings";
import type { Box } from "./square-box";

// Integration test: real photos shipped in the face-api npm package, both detectors' real weights,
// on whatever backend getTf() picks (WASM here, tfjs-node where it is installed).
const demo = path.resolve("node_modules/@vladmandic/face-api/demo");

// Counted by eye: every visible face, including the one in profile in sample2, which SSD finds and
// the Tiny detector does not (the price of its speed, measured by `npm run bench:detect`).
const samples: [FaceDetectorName, string, number][] = FACE_DETECTORS.flatMap((detector) =>
  (
    [
      ["sample1.jpg", 3],
      ["sample2.jpg", detector === "tiny" ? 2 : 3],
      ["sample3.jpg", 3],
      ["sample4.jpg", 4],
      ["sample5.jpg", 5],
      ["sample6.jpg", 4],
    ] as const
  ).map(([file, n]): [FaceDetectorName, string, number] => [detector, file, n]),
);

const iou = (a: Box, b: Box) => {
  const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  return (w * h) / (a.width * a.height + b.width * b.height - w * h);
};
const bestOverlap = (box: Box, others: Box[]) => Math.max(0, ...others.map((o) => iou(box, o)));

describe("detectFaces", () => {
  it("uses the Tiny detector unless FACE_DETECTOR says otherwise", () => {
    expect(process.env.FACE_DETECTOR ?? "tiny").toBe(activeFaceDetector());
  });

  it.each(FACE_DETECTORS)("preloads %s without error (and makes the timings below steady-state)", async (d) => {
    await expect(preloadDetector(d)).resolves.toBeUndefined();
  });

  it("finds in photos searched at once what it finds in each alone", async () => {
    const photos = await Promise.all(
      ["sample1.jpg", "sample4.jpg", "sample5.jpg"].map(
        async (f) => (await decodeUpload(await fs.readFile(path.join(demo, f)))).rgb,
      ),
    );
    const alone = [];
    for (const rgb of photos) alone.push(await detectFaces(rgb, "tiny"));
    const together = await Promise.all(photos.map((rgb) => detectFaces(rgb, "tiny")));
    expect(together).toEqual(alone);
    expect(alone.map((faces) => faces.length)).toEqual([3, 4, 5]);
  });

  it.each(samples)("%s finds every face in %s (%i)", async (detector, file, count) => {
    const { rgb } = await decodeUpload(await fs.readFile(path.join(demo, file)));

    const faces = await detectFaces(rgb, detector);

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

  it("frames the Tiny detector's faces as SSD frames them (the crops the model was trained with)", async () => {
    // Tiny's own boxes overlap SSD's by about half (wider, lower); mapped, by over 0.8 on average.
    const own: number[] = [];
    const mapped: number[] = [];
    for (const file of ["sample1.jpg", "sample4.jpg", "sample5.jpg"]) {
      const { rgb } = await decodeUpload(await fs.readFile(path.join(demo, file)));
      const ssd = await detectFaces(rgb, "ssd");
      for (const b of await detectRawFaces(rgb, "tiny")) own.push(bestOverlap(b, ssd));
      for (const b of await detectFaces(rgb, "tiny")) mapped.push(bestOverlap(b, ssd));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mapped).toHaveLength(12);
    expect(mean(own)).toBeLessThan(0.65);
    expect(mean(mapped)).toBeGreaterThan(0.75);
    expect(Math.min(...mapped)).toBeGreaterThan(0.6);
  });

  // The Tiny detector sees the image's own shape (lib/faces/tiny-detector.ts), not face-api's square.
  const shapes: [string, () => Promise<Buffer>][] = [
    ...[1, 2, 3, 4, 5, 6].map((i): [string, () => Promise<Buffer>] => [
      `sample${i}.jpg`,
      () => fs.readFile(path.join(demo, `sample${i}.jpg`)),
    ]),
    // A 16:9 video frame (almost half of face-api's square is padding), a portrait, a square, a
    // small image (enlarged to the input size) and one that is not a whole number of cells.
    ...(
      [
        ["a 1280×720 frame", 1280, 720],
        ["a portrait 800×1200", 800, 1200],
        ["a square 700×700", 700, 700],
        ["a small 300×200", 300, 200],
        ["an odd 777×333", 777, 333],
      ] as const
    ).map(([name, width, height]): [string, () => Promise<Buffer>] => [
      name,
      () =>
        sharp(path.join(demo, "sample4.jpg"))
          .resize(width, height, { fit: "contain", background: "#000000" })
          .jpeg()
          .toBuffer(),
    ]),
  ];
  it.each(shapes)("finds in %s the faces face-api finds on its square input, at the same places", async (_n, make) => {
    const { rgb } = await decodeUpload(await make());
    const own = await detectRawFaces(rgb, "tiny");
    const square = await detectRawFaces(rgb, "tiny", { faceApiInput: true });
    expect(square.length).toBeGreaterThan(0);
    expect(own).toHaveLength(square.length);
    // Only cells at the far edge see less padding; measured on the sample photos and a 16:9 frame: the
    // same boxes (IoU 1.0000) and scores (to 4 decimals).
    square.forEach((want, i) => {
      const got = own[i]!;
      for (const k of ["x", "y", "width", "height"] as const) expect(Math.abs(got[k] - want[k])).toBeLessThan(0.5);
      expect(Math.abs(got.score - want.score)).toBeLessThan(1e-3);
    });
  });

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
    for (const detector of FACE_DETECTORS) expect(await detectFaces(rgb, detector)).toEqual([]);
  });

  it("leaves no tensors behind", async () => {
    const { tf } = await getTf();
    const { rgb } = await decodeUpload(await fs.readFile(path.join(demo, "sample1.jpg")));
    for (const detector of FACE_DETECTORS) {
      await detectFaces(rgb, detector); // loads the weights, which stay for the life of the process
      const before = tf.memory().numTensors;
      await detectFaces(rgb, detector);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it("refuses pixel data that does not match the stated size", async () => {
    await expect(detectFaces({ data: new Uint8Array(10), width: 4, height: 4, channels: 3 })).rejects.toThrow(
      /expected 4×4×3 bytes/,
    );
  });
});
