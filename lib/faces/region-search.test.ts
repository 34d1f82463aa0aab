import { describe, expect, it } from "vitest";
import fs from "node:fs/promises";
import path from "node:path";
import { decodeUpload } from "@/lib/images/decode";
import { followCases, matches, median, shifted, type FollowCase } from "@/test/support/shifted-photos";
import { detectFaces, detectFacesInRegions, type FaceBox } from "./detector";
import { FaceFollower } from "./face-follower";
import { IouTracker } from "./track";
import { regionPixels, searchRegion } from "./region-search";

// Integration test: the six sample photos shipped in the face-api npm package, the Tiny detector's
// real weights, whatever backend getTf() picks (WASM here). Each photo is moved by a few tens of
// pixels, as a face moves between two frames, and searched only around where its faces were.

describe("searchRegion", () => {
  it("is a square twice the face's larger side, centred on it, shifted inside the image at an edge", () => {
    expect(searchRegion({ x: 100, y: 100, width: 40, height: 60 }, 640, 480)).toEqual({
      x: 60,
      y: 70,
      width: 120,
      height: 120,
    });
    expect(searchRegion({ x: 0, y: 440, width: 40, height: 40 }, 640, 480)).toEqual({
      x: 0,
      y: 400,
      width: 80,
      height: 80,
    });
  });

  it("gives a tiny face a region the network can read (64 px at least)", () => {
    expect(searchRegion({ x: 100, y: 100, width: 10, height: 10 }, 640, 480).width).toBe(64);
  });
});

describe("regionPixels", () => {
  it("copies a region's RGB values row by row from RGB or RGBA pixels, clipped to the image", () => {
    // 3×2 RGBA: pixel (x, y) = [10x + y, 100 + 10x + y, 200 + y, 255].
    const rgba = new Uint8Array(3 * 2 * 4);
    for (let y = 0; y < 2; y++)
      for (let x = 0; x < 3; x++) rgba.set([10 * x + y, 100 + 10 * x + y, 200 + y, 255], (y * 3 + x) * 4);
    const part = regionPixels({ data: rgba, width: 3, height: 2, channels: 4 }, { x: 1, y: 1, width: 5, height: 5 });
    expect(part).toMatchObject({ x: 1, y: 1, width: 2, height: 1 });
    expect(Array.from(part.values)).toEqual([11, 111, 201, 21, 121, 201]);
  });
});

describe("detectFacesInRegions", () => {
  let cases: FollowCase[];
  it("finds, around where they were, the faces a full detection finds in the moved photos", async () => {
    cases = await followCases();
    let expected = 0;
    let matched = 0;
    const ious: number[] = [];
    for (const c of cases) {
      const m = matches(c.full, c.regions.faces);
      expected += c.full.length;
      matched += m.matched;
      ious.push(...m.ious);
    }
    // Measured: every one of the 60+ faces, median IoU about 0.83 (bench:follow).
    expect(expected).toBeGreaterThanOrEqual(60);
    expect(matched / expected).toBeGreaterThanOrEqual(0.97);
    expect(median(ious)).toBeGreaterThan(0.75);
  }, 120_000);

  it("says which regions came back empty: none while the faces are there, all on a blank frame", async () => {
    const lost = cases.filter((c) => c.regions.found.some((f) => !f));
    expect(lost.length).toBeLessThanOrEqual(1);
    const region = { x: 100, y: 100, width: 120, height: 120 };
    const blank = { data: new Uint8Array(640 * 480 * 3).fill(128), width: 640, height: 480, channels: 3 as const };
    await expect(detectFacesInRegions(blank, [region, region])).resolves.toEqual({ faces: [], found: [false, false] });
  });

  it("refuses pixels that do not match their size", async () => {
    const bad = { data: new Uint8Array(10), width: 640, height: 480, channels: 3 as const };
    await expect(detectFacesInRegions(bad, [])).rejects.toThrow(/expected 640×480×3 bytes, got 10/);
  });
});

describe("FaceFollower with the real detector", () => {
  it("follows the faces of a panning photo: searched around them between full detections, one track each", async () => {
    const { rgb } = await decodeUpload(
      await fs.readFile(path.resolve("node_modules/@vladmandic/face-api/demo/sample6.jpg")),
    );
    const follower = new FaceFollower<FaceBox>({ fullEverySeconds: 1 });
    const tracker = new IouTracker();
    const ids = new Set<number>();
    let expected = 0;
    let matched = 0;
    // 2 s at 10 frames a second, the camera panning 6 px a frame to the left.
    for (let i = 0; i < 20; i++) {
      const frame = shifted(rgb, -6 * i, 0);
      const { faces } = await follower.next(
        i / 10,
        frame,
        () => detectFaces(frame, "tiny"),
        async (regions) => (await detectFacesInRegions(frame, regions)).faces,
      );
      const whole = await detectFaces(frame, "tiny");
      expected += whole.length;
      matched += matches(whole, faces).matched;
      tracker.update(faces).forEach((id) => ids.add(id));
    }
    const counts = follower.counts();
    // Full detections at 0 s and 1 s (and any frame whose region lost its face); the rest by regions.
    expect(counts.fullDetections).toBeLessThanOrEqual(4);
    expect(counts.regionSearches).toBeGreaterThanOrEqual(16);
    expect(matched / expected).toBeGreaterThanOrEqual(0.95);
    // sample6 has four faces; a track may restart once if the detector drops a face for a frame.
    expect(ids.size).toBeGreaterThanOrEqual(4);
    expect(ids.size).toBeLessThanOrEqual(6);
  }, 120_000);
});
