import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { DETECTOR_MAX_SIDE, type DecodedImage, decodeUpload } from "@/lib/images/decode";
import { CROP_SIZE } from "./crop";
import { detectFaces } from "./detector";
import { cropDetections, cropFramePixels, type ExtractedFace, extractFaces } from "./pipeline";

const demo = path.resolve("node_modules/@vladmandic/face-api/demo");
const sample = (name: string) => fs.readFile(path.join(demo, name));

async function expectWellFormed(faces: ExtractedFace[], decoded: DecodedImage) {
  for (const f of faces) {
    const meta = await sharp(f.png).metadata();
    expect(meta).toMatchObject({ format: "png", width: CROP_SIZE, height: CROP_SIZE, channels: 1 });
    expect(f.sha256).toBe(crypto.createHash("sha256").update(f.png).digest("hex"));
    expect(f.fileName).toBe(`${f.sha256}.png`);
    expect(f.box.width).toBe(f.box.height);
    expect(f.box.x).toBeGreaterThanOrEqual(0);
    expect(f.box.y).toBeGreaterThanOrEqual(0);
    expect(f.box.x + f.box.width).toBeLessThanOrEqual(decoded.width);
    expect(f.box.y + f.box.height).toBeLessThanOrEqual(decoded.height);
  }
}

describe("extractFaces", () => {
  it.each([
    ["sample1.jpg", 3],
    ["sample5.jpg", 5],
  ])("crops every face of %s (%i) in full-resolution coordinates", async (file, count) => {
    const decoded = await decodeUpload(await sample(file));

    const faces = await extractFaces(decoded, { isFaceCrop: false });

    expect(faces).toHaveLength(count);
    await expectWellFormed(faces, decoded);
    for (const f of faces) expect(f.score).toBeGreaterThan(0.5);
    // Boxes are in the 1920-px original, not the detector's smaller copy.
    expect(decoded.rgb.width).toBe(DETECTOR_MAX_SIDE);
    expect(Math.max(...faces.map((f) => f.box.x + f.box.width))).toBeGreaterThan(DETECTOR_MAX_SIDE * 1.2);
    expect(new Set(faces.map((f) => f.sha256)).size).toBe(count);
  });

  it("finds the faces of a photo stored sideways with an EXIF orientation tag", async () => {
    const upright = await decodeUpload(await sample("sample1.jpg"));
    // Pixels turned 90° counter-clockwise, tagged "rotate 90° clockwise to display".
    const sideways = await sharp(await sample("sample1.jpg"))
      .rotate(270)
      .jpeg({ quality: 92 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const decoded = await decodeUpload(sideways);
    expect([decoded.width, decoded.height]).toEqual([upright.width, upright.height]);

    const [expected, actual] = await Promise.all([
      extractFaces(upright, { isFaceCrop: false }),
      extractFaces(decoded, { isFaceCrop: false }),
    ]);

    expect(actual).toHaveLength(expected.length);
    actual.forEach((f, i) => {
      const e = expected[i];
      if (!e) throw new Error("missing face");
      expect(Math.abs(f.box.x - e.box.x)).toBeLessThan(e.box.width * 0.15);
      expect(Math.abs(f.box.y - e.box.y)).toBeLessThan(e.box.width * 0.15);
    });
  });

  it("returns an empty list for a photo without faces", async () => {
    const decoded = await decodeUpload(
      await sharp({ create: { width: 800, height: 600, channels: 3, background: "#556677" } })
        .jpeg()
        .toBuffer(),
    );
    expect(await extractFaces(decoded, { isFaceCrop: false })).toEqual([]);
  });

  it("takes an upload flagged as a face crop whole, without running the detector", async () => {
    const decoded = await decodeUpload(
      await sharp({ create: { width: 64, height: 80, channels: 3, background: "#999999" } })
        .png()
        .toBuffer(),
    );

    const faces = await extractFaces(decoded, { isFaceCrop: true });

    expect(faces).toHaveLength(1);
    expect(faces[0]).toMatchObject({ box: { x: 0, y: 8, width: 64, height: 64 }, score: null });
    await expectWellFormed(faces, decoded);
  });
});

describe("cropFramePixels (a video frame's crops, as pixels)", () => {
  it("gives exactly the pixels of cropDetections' PNGs of the same frame, at the image's edges too", async () => {
    const { data, info } = await sharp(await sample("sample5.jpg"))
      .resize(1280, 720, { fit: "contain", background: "#000" })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const full = { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 as const };
    // As a video frame's: the detector sees it at DETECTOR_MAX_SIDE.
    const small = await sharp(data, { raw: { width: 1280, height: 720, channels: 3 } })
      .resize(DETECTOR_MAX_SIDE, DETECTOR_MAX_SIDE, { fit: "inside" })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const frame = {
      rgb: {
        data: new Uint8Array(small.data),
        width: small.info.width,
        height: small.info.height,
        channels: 3 as const,
      },
    };
    const { data: g } = await sharp(data, { raw: { width: 1280, height: 720, channels: 3 } })
      .toColourspace("b-w")
      .raw()
      .toBuffer({ resolveWithObject: true });
    const gray = { data: new Uint8Array(g), width: 1280, height: 720, channels: 1 as const };
    const detections = await detectFaces(frame.rgb);
    expect(detections.length).toBe(5);
    // And boxes against the frame's edges (expandBox shifts them inside).
    const edges = [
      { x: 0, y: 0, width: 90, height: 120, score: 0.9 },
      { x: frame.rgb.width - 60, y: frame.rgb.height - 50, width: 60, height: 50, score: 0.9 },
    ];
    const all = [...detections, ...edges];

    const asPngs = await cropDetections({ rgb: frame.rgb, gray }, all);
    const asPixels = await cropFramePixels({ rgb: frame.rgb, full }, all);

    expect(asPixels.map((f) => f.box)).toEqual(asPngs.map((f) => f.box));
    for (const [i, f] of asPixels.entries()) {
      expect(f.gray).toMatchObject({ width: CROP_SIZE, height: CROP_SIZE, channels: 1 });
      // (sharp decodes a grey PNG to three equal channels: one is the PNG's pixels.)
      const decodedPng = await sharp(asPngs[i]!.png).extractChannel(0).raw().toBuffer();
      expect(decodedPng.length).toBe(CROP_SIZE * CROP_SIZE);
      expect(Buffer.from(f.gray.data).equals(decodedPng)).toBe(true);
    }
  }, 60_000);
});
