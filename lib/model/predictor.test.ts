import fs from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getTf } from "@/lib/tf/backend";
import { fileSystemIOHandler } from "@/lib/model/fs-io";
import { EMOTION_LABELS, readModelMetadata, writeModelMetadata } from "@/lib/model/metadata";
import { imageToInput } from "@/lib/model/preprocess";
import { resizeBilinear } from "@/lib/model/resize";
import { applyTemperature } from "@/lib/model/calibration";
import { loadModelFromDir, type LoadedModel } from "@/lib/model/predictor";
import { createTinyModelDir } from "@/test/support/tiny-model";

/** A seeded 48x48 input in [0, 1]. */
function input(seed: number): Float32Array {
  return Float32Array.from({ length: 48 * 48 }, (_, i) => ((i * 7919 + seed * 104729) % 256) / 255);
}

describe("tiny model + predictor", () => {
  let dir: string;
  let model: LoadedModel;
  const cleanup: string[] = [];

  beforeAll(async () => {
    dir = await createTinyModelDir();
    cleanup.push(dir);
    model = await loadModelFromDir(dir);
  });
  afterAll(async () => {
    model.dispose();
    await Promise.all(cleanup.map((d) => fs.rm(d, { recursive: true, force: true })));
  });

  it("writes model.json, a shard and valid metadata", async () => {
    const files = (await fs.readdir(dir)).sort();
    expect(files).toEqual(["group1-shard1of1.bin", "metadata.json", "model.json"]);
    const meta = await readModelMetadata(dir);
    expect(meta).toMatchObject({ labels: [...EMOTION_LABELS], inputShape: [48, 48, 1], preprocessing: "unit" });
  });

  it("is deterministic: the same seed gives byte-identical weights", async () => {
    const again = await createTinyModelDir(undefined, { seed: 42 });
    const other = await createTinyModelDir(undefined, { seed: 7 });
    cleanup.push(again, other);
    const shard = (d: string) => fs.readFile(path.join(d, "group1-shard1of1.bin"));
    expect((await shard(again)).equals(await shard(dir))).toBe(true);
    expect((await shard(other)).equals(await shard(dir))).toBe(false);
  });

  it("predicts one probability vector per input", async () => {
    const probs = await model.predict([input(1), input(2), input(3)]);
    expect(probs).toHaveLength(3);
    for (const p of probs) {
      expect(p).toHaveLength(7);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
    expect(model.backend).toBe((await getTf()).backend);
  });

  it("gives the same answer however inputs are batched (150 inputs cross two batch borders)", async () => {
    const inputs = Array.from({ length: 150 }, (_, i) => input(i));
    const all = await model.predict(inputs);
    const singles = await Promise.all([0, 63, 64, 149].map(async (i) => (await model.predict([inputs[i]!]))[0]!));
    [0, 63, 64, 149].forEach((i, k) => {
      const a = all[i]!;
      const b = singles[k]!;
      for (let j = 0; j < 7; j++) expect(a[j]).toBeCloseTo(b[j]!, 5);
    });
  });

  it("predictImages = predict(imageToInput(image))", async () => {
    const px = Buffer.from(Array.from({ length: 64 * 64 }, (_, i) => (i * 13) % 256));
    const png = await sharp(px, { raw: { width: 64, height: 64, channels: 1 } })
      .png()
      .toBuffer();
    const [viaImages] = await model.predictImages([png]);
    const [viaInputs] = await model.predict([await imageToInput(png, model.metadata)]);
    expect(Array.from(viaImages!)).toEqual(Array.from(viaInputs!));
  });

  it("resizes with the filter the version's metadata names (bilinear for an imported Keras model)", async () => {
    const bilinearDir = await createTinyModelDir();
    cleanup.push(bilinearDir);
    await writeModelMetadata(bilinearDir, { ...(await readModelMetadata(bilinearDir)), resizeFilter: "bilinear" });
    const bilinear = await loadModelFromDir(bilinearDir);
    try {
      const raw = Uint8Array.from({ length: 64 * 64 }, (_, i) => (i * 13) % 256);
      const png = await sharp(Buffer.from(raw), { raw: { width: 64, height: 64, channels: 1 } })
        .png()
        .toBuffer();
      const expected = Float32Array.from(resizeBilinear(raw, 64, 64, 1, 48, 48), (v) => v / 255);
      const [viaImages] = await bilinear.predictImages([png]);
      const [viaPixels] = await bilinear.predict([expected]);
      expect(Array.from(viaImages!)).toEqual(Array.from(viaPixels!));
      // The same weights behind sharp's lanczos3 (no filter named) see other pixels.
      const [lanczos] = await model.predictImages([png]);
      expect(Array.from(lanczos!)).not.toEqual(Array.from(viaImages!));
    } finally {
      bilinear.dispose();
    }
  });

  it("serves probabilities through the version's temperature, and without it when asked", async () => {
    const hotDir = await createTinyModelDir();
    cleanup.push(hotDir);
    await writeModelMetadata(hotDir, { ...(await readModelMetadata(hotDir)), temperature: 2 });
    const hot = await loadModelFromDir(hotDir);
    const raw = await loadModelFromDir(hotDir, { calibrated: false });
    try {
      expect([hot.temperature, raw.temperature]).toEqual([2, 1]);
      const [p] = await raw.predict([input(5)]);
      const [q] = await hot.predict([input(5)]);
      const expected = applyTemperature(p!, 2);
      expected.forEach((v, i) => expect(q![i]).toBeCloseTo(v, 6));
      // Softer, same ranking.
      expect(Math.max(...q!)).toBeLessThan(Math.max(...p!));
      expect(q!.indexOf(Math.max(...q!))).toBe(p!.indexOf(Math.max(...p!)));
    } finally {
      hot.dispose();
      raw.dispose();
    }
  });

  /** The mirror image, column order reversed row by row (independent of tf.reverse). */
  const mirror = (x: Float32Array) => Float32Array.from(x, (_, i) => x[Math.floor(i / 48) * 48 + (47 - (i % 48))]!);
  /** Content moved by (dy, dx) pixels, the uncovered border reflected (independent of tf.mirrorPad). */
  const shift = (x: Float32Array, dy: number, dx: number) => {
    const reflect = (k: number) => (k < 0 ? -k : k > 47 ? 94 - k : k);
    return Float32Array.from(x, (_, i) => x[reflect(Math.floor(i / 48) - dy) * 48 + reflect((i % 48) - dx)]!);
  };
  const views: Record<"flip" | "flip-shift", (x: Float32Array) => Float32Array[]> = {
    flip: (x) => [x, mirror(x)],
    "flip-shift": (x) => {
      const moved = [x, shift(x, 2, 0), shift(x, -2, 0), shift(x, 0, 2), shift(x, 0, -2)];
      return [...moved, ...moved.map(mirror)];
    },
  };

  it.each(["flip", "flip-shift"] as const)(
    "with %s test-time augmentation serves the mean over the face's views",
    async (tta) => {
      const ttaDir = await createTinyModelDir();
      cleanup.push(ttaDir);
      await writeModelMetadata(ttaDir, { ...(await readModelMetadata(ttaDir)), testTimeAugmentation: tta });
      const served = await loadModelFromDir(ttaDir);
      const plain = await loadModelFromDir(ttaDir, { testTimeAugmentation: "none" });
      expect([served.testTimeAugmentation, plain.testTimeAugmentation]).toEqual([tta, "none"]);
      // 70 faces cross the 64-face chunk border: with flip-shift the 64 go through view by view and the
      // last 6 with their views stacked in one pass (MAX_STACKED_VIEWS); with flip both chunks are stacked.
      const faces = Array.from({ length: 70 }, (_, i) => input(i + 11));
      const got = await served.predict(faces);
      const perView = await Promise.all(
        views[tta](faces[0]!).map((_, v) => plain.predict(faces.map((f) => views[tta](f)[v]!))),
      );
      expect(perView).toHaveLength(tta === "flip" ? 2 : 10);
      let largest = 0;
      got.forEach((p, i) =>
        p.forEach((value, c) => {
          const mean = perView.reduce((a, view) => a + view[i]![c]!, 0) / perView.length;
          expect(value).toBeCloseTo(mean, 6);
          largest = Math.max(largest, Math.abs(value - perView[0]![i]![c]!));
        }),
      );
      // The seeded faces are neither symmetric nor flat, so the views really changed the answer.
      expect(largest).toBeGreaterThan(1e-4);
      served.dispose();
      plain.dispose();
    },
  );

  it("flip of a mirror-symmetric face gives exactly the plain answer", async () => {
    const flipDir = await createTinyModelDir();
    cleanup.push(flipDir);
    await writeModelMetadata(flipDir, { ...(await readModelMetadata(flipDir)), testTimeAugmentation: "flip" });
    const flipped = await loadModelFromDir(flipDir);
    const symmetric = input(3).map((_, i, x) => x[Math.floor(i / 48) * 48 + Math.min(i % 48, 47 - (i % 48))]!);
    const [a] = await flipped.predict([symmetric]);
    const [b] = await model.predict([symmetric]);
    a!.forEach((v, c) => expect(v).toBeCloseTo(b![c]!, 6));
    flipped.dispose();
  });

  it("refuses an unknown test-time augmentation in metadata.json", async () => {
    const bad = await createTinyModelDir();
    cleanup.push(bad);
    const meta = await readModelMetadata(bad);
    await fs.writeFile(path.join(bad, "metadata.json"), JSON.stringify({ ...meta, testTimeAugmentation: "rotate" }));
    await expect(loadModelFromDir(bad)).rejects.toThrow(/testTimeAugmentation/);
  });

  it("rejects inputs of the wrong size", async () => {
    await expect(model.predict([new Float32Array(10)])).rejects.toThrow(/input 0 has 10 values, expected 2304/);
  });

  it("round-trips save → load with identical weights and predictions", async () => {
    const { tf } = await getTf();
    const loaded = await tf.loadLayersModel(fileSystemIOHandler(tf, dir));
    const copy = path.join(dir, "..", `${path.basename(dir)}-copy`);
    cleanup.push(copy);
    await loaded.save(fileSystemIOHandler(tf, copy));
    loaded.dispose();
    await writeModelMetadata(copy, await readModelMetadata(dir));
    const reloaded = await loadModelFromDir(copy);
    const x = [input(5), input(6)];
    expect((await reloaded.predict(x)).map((p) => Array.from(p))).toEqual(
      (await model.predict(x)).map((p) => Array.from(p)),
    );
    reloaded.dispose();
  });

  it.each([
    [
      "labels count differs from the output size",
      { labels: ["a", "b", "c"] },
      /outputs \[null,7\] but metadata.json lists 3 labels/,
    ],
    [
      "input shape differs",
      { inputShape: [64, 64, 1] },
      /takes input \[null,48,48,1\] but metadata.json says inputShape \[64,64,1\]/,
    ],
  ])("refuses a model whose metadata disagrees: %s", async (_name, patch, message) => {
    const bad = await createTinyModelDir();
    cleanup.push(bad);
    const meta = await readModelMetadata(bad);
    await fs.writeFile(path.join(bad, "metadata.json"), JSON.stringify({ ...meta, ...patch }));
    await expect(loadModelFromDir(bad)).rejects.toThrow(message);
  });

  it("refuses a model without a softmax output", async () => {
    const { tf } = await getTf();
    const bad = await createTinyModelDir();
    cleanup.push(bad);
    const m = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [48, 48, 1] }),
        tf.layers.dense({ units: 7, kernelInitializer: "ones" }),
      ],
    });
    await m.save(fileSystemIOHandler(tf, bad));
    m.dispose();
    await expect(loadModelFromDir(bad)).rejects.toThrow(/does not output probabilities/);
  });

  it("explains a missing shard", async () => {
    const bad = await createTinyModelDir();
    cleanup.push(bad);
    await fs.rm(path.join(bad, "group1-shard1of1.bin"));
    await expect(loadModelFromDir(bad)).rejects.toThrow(
      /weight shard group1-shard1of1.bin listed in model.json is missing/,
    );
  });
});
