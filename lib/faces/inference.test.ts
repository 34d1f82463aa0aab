import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeUpload } from "@/lib/images/decode";
import { loadModelFromDir, type LoadedModel } from "@/lib/model/predictor";
import { detectFaces } from "./detector";
import { detect, inferenceOnThread, inferenceThreadStats, predictImages } from "./inference";
import sharp from "sharp";
import { CROP_SIZE } from "./crop";
import { extractFaces } from "./pipeline";

// The inference thread against the same work done in the test's own thread: real photos, the real
// detector, the shipped baseline.
const demo = path.resolve("node_modules/@vladmandic/face-api/demo");
let model: LoadedModel;

beforeAll(async () => {
  model = await loadModelFromDir(path.resolve("models/baseline"));
}, 120_000);
afterAll(() => model?.dispose());

describe("the inference thread", () => {
  it("is on by default", () => {
    expect(inferenceOnThread()).toBe(
      process.env.INFERENCE_THREAD === undefined || /^(true|1)$/.test(process.env.INFERENCE_THREAD),
    );
  });

  it("finds the same faces as detection in this thread", async () => {
    for (const file of ["sample1.jpg", "sample4.jpg"]) {
      const { rgb } = await decodeUpload(await fs.readFile(path.join(demo, file)));
      const before = Buffer.from(rgb.data);
      const there = await detect(rgb);
      const here = await detectFaces(rgb);
      expect(there.length).toBeGreaterThan(0);
      expect(there).toEqual(here);
      // The caller's pixels are its own still (a copy went to the thread).
      expect(Buffer.from(rgb.data).equals(before)).toBe(true);
    }
  }, 120_000);

  it("predicts what the model predicts here, and batches crops that arrive together", async () => {
    const { gray, rgb, ...rest } = await decodeUpload(await fs.readFile(path.join(demo, "sample5.jpg")));
    const crops = (await extractFaces({ gray, rgb, ...rest }, { isFaceCrop: false })).map((f) => f.png);
    expect(crops.length).toBe(5);
    const here = await model.predictImages(crops);

    const before = inferenceThreadStats();
    // Eight requests at once, as from concurrent uploads: one crop each, in a shuffled order.
    const order = [3, 0, 4, 1, 2, 0, 3, 4];
    const answers = await Promise.all(order.map((i) => predictImages(model, [crops[i]!])));
    const after = inferenceThreadStats();

    answers.forEach(([p], k) => {
      const expected = here[order[k]!]!;
      expect(p).toHaveLength(expected.length);
      p!.forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 6));
    });
    expect(after.predictions - before.predictions).toBe(order.length);
    // Fewer forward batches than requests: the ones that queued while the thread was busy shared one.
    expect(after.batches - before.batches).toBeLessThan(order.length);
  }, 120_000);

  it("predicts grey pixels (a video frame's crops) as it predicts their PNGs, in a batch with PNGs", async () => {
    const { gray, rgb, ...rest } = await decodeUpload(await fs.readFile(path.join(demo, "sample5.jpg")));
    const pngs = (await extractFaces({ gray, rgb, ...rest }, { isFaceCrop: false })).map((f) => f.png);
    const here = await model.predictImages(pngs);
    const pixels = await Promise.all(
      pngs.map(async (png) => ({
        data: new Uint8Array(await sharp(png).extractChannel(0).raw().toBuffer()),
        width: CROP_SIZE,
        height: CROP_SIZE,
        channels: 1 as const,
      })),
    );
    // Half as pixels, half as PNGs, at once: the thread batches them together.
    const answers = await Promise.all(pngs.map((png, i) => predictImages(model, [i % 2 ? png : pixels[i]!])));
    answers.forEach(([p], i) => p!.forEach((v, j) => expect(v).toBeCloseTo(here[i]![j]!, 6)));
    // The caller's pixels are its own still (a copy went to the thread).
    expect(pixels[0]!.data.length).toBe(CROP_SIZE * CROP_SIZE);
  }, 120_000);

  it("serves version after version (more than it keeps loaded), each as loaded here", async () => {
    const { gray, rgb, ...rest } = await decodeUpload(await fs.readFile(path.join(demo, "sample1.jpg")));
    const crops = (await extractFaces({ gray, rgb, ...rest }, { isFaceCrop: false })).map((f) => f.png);
    const here = await model.predictImages(crops);
    const work = await fs.mkdtemp(path.join(os.tmpdir(), "el-versions-"));
    try {
      const versions: LoadedModel[] = [];
      for (let v = 1; v <= 5; v++) {
        const dir = path.join(work, `v${v}`);
        await fs.cp(path.resolve("models/baseline"), dir, { recursive: true });
        versions.push(await loadModelFromDir(dir));
      }
      // v1 … v5, then v1 again: by then the thread has let v1 go and loads it afresh.
      for (const v of [...versions, versions[0]!]) {
        const there = await predictImages(v, crops);
        there.forEach((p, i) => p.forEach((x, j) => expect(x).toBeCloseTo(here[i]![j]!, 6)));
      }
      versions.forEach((v) => v.dispose());
    } finally {
      await fs.rm(work, { recursive: true, force: true });
    }
  }, 180_000);

  it("answers an error as an error, and keeps serving", async () => {
    await expect(predictImages(model, [Buffer.from("not an image")])).rejects.toThrow();
    await expect(detect({ data: new Uint8Array(10), width: 4, height: 4, channels: 3 })).rejects.toThrow(
      /expected 4×4×3 bytes/,
    );
    const { rgb } = await decodeUpload(await fs.readFile(path.join(demo, "sample1.jpg")));
    expect((await detect(rgb)).length).toBe(3);
  }, 120_000);

  it("starts a new thread after the thread dies: the request in flight fails, the next one is served", async () => {
    const { rgb } = await decodeUpload(await fs.readFile(path.join(demo, "sample1.jpg")));
    expect((await detect(rgb)).length).toBe(3);
    const state = globalThis as unknown as {
      emotionLoopInference?: { detect?: { worker: { terminate(): Promise<number> } } };
    };
    const inFlight = detect(rgb);
    await state.emotionLoopInference!.detect!.worker.terminate(); // as a crash of the thread would end it
    await expect(inFlight).rejects.toThrow(/inference thread exited/);
    expect(inferenceOnThread()).toBe(true);
    expect((await detect(rgb)).length).toBe(3);
  }, 120_000);
});
