import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getTf } from "@/lib/tf/backend";
import { fileSystemIOHandler } from "@/lib/model/fs-io";
import { EMOTION_LABELS, writeModelMetadata } from "@/lib/model/metadata";
import { evaluateModelOnFolder, formatMetricsTable } from "@/training/evaluate";
import { writeSyntheticImageFolder } from "@/test/support/synthetic-images";

/** Whatever the face, this model answers "happy" with probability 0.7 (0.05 for each other class). */
const P_HAPPY = 0.7;

let work: string;
beforeAll(async () => {
  const { tf } = await getTf();
  work = await fs.mkdtemp(path.join(os.tmpdir(), "evaluate-"));
  const bias = EMOTION_LABELS.map((l) => Math.log(l === "happy" ? P_HAPPY : 0.05));
  const model = tf.sequential({
    layers: [
      tf.layers.globalAveragePooling2d({ inputShape: [48, 48, 1] }),
      tf.layers.dense({
        units: 7,
        activation: "softmax",
        kernelInitializer: "zeros",
        biasInitializer: tf.initializers.constant({ value: 0 }),
      }),
    ],
  });
  model.layers[1]!.setWeights([tf.zeros([1, 7]), tf.tensor1d(bias)]);
  await model.save(fileSystemIOHandler(tf, path.join(work, "model")));
  model.dispose();
  await writeModelMetadata(path.join(work, "model"), {
    labels: [...EMOTION_LABELS],
    inputShape: [48, 48, 1],
    preprocessing: "unit",
  });
  // The hand-made set: angry ×2, happy ×1, sad ×1.
  await writeSyntheticImageFolder(path.join(work, "data"), { perClass: 2, labels: ["angry"] });
  await writeSyntheticImageFolder(path.join(work, "data"), { perClass: 1, labels: ["happy", "sad"] });
});
afterAll(async () => {
  await fs.rm(work, { recursive: true, force: true });
});

describe("evaluateModelOnFolder", () => {
  it("matches figures computed by hand on a four-image set", async () => {
    const { metrics: m } = await evaluateModelOnFolder(path.join(work, "model"), path.join(work, "data"));
    expect(m.n).toBe(4);
    // Every image is predicted "happy": one of four is right.
    expect(m.accuracy).toBe(0.25);
    const row = (hits: number) => [0, 0, 0, hits, 0, 0, 0];
    expect(m.confusion).toEqual([row(2), row(0), row(0), row(1), row(1), row(0), row(0)]);
    // happy: precision 1/4, recall 1, F1 2·(1/4)/(5/4) = 0.4; angry and sad: 0. Macro over the 3 classes seen.
    expect(m.per_class.happy?.precision).toBeCloseTo(0.25, 6);
    expect(m.per_class.happy?.recall).toBe(1);
    expect(m.per_class.happy?.f1).toBeCloseTo(0.4, 6);
    expect(m.per_class.angry).toEqual({ precision: 0, recall: 0, f1: 0, support: 2 });
    expect(m.macro_f1).toBeCloseTo(0.4 / 3, 6);
    // One confidence bin holding all four: |0.7 − 0.25|.
    expect(m.ece).toBeCloseTo(0.45, 5);
  });

  it("names the labels and the test-time augmentation it scored with (metadata's, or the override)", async () => {
    const plain = await evaluateModelOnFolder(path.join(work, "model"), path.join(work, "data"));
    expect(plain).toMatchObject({ labels: [...EMOTION_LABELS], testTimeAugmentation: "none" });
    const flipped = await evaluateModelOnFolder(path.join(work, "model"), path.join(work, "data"), {
      testTimeAugmentation: "flip",
    });
    expect(flipped.testTimeAugmentation).toBe("flip");
    expect(flipped.metrics.n).toBe(4);
  });

  it("serves through the version's temperature and gives the ECE without it too", async () => {
    const hot = path.join(work, "model-t2");
    await fs.cp(path.join(work, "model"), hot, { recursive: true });
    await writeModelMetadata(hot, {
      labels: [...EMOTION_LABELS],
      inputShape: [48, 48, 1],
      preprocessing: "unit",
      temperature: 2,
    });
    const r = await evaluateModelOnFolder(hot, path.join(work, "data"));
    // p^(1/2) renormalised: √0.7 / (√0.7 + 6·√0.05) for "happy", still the top label on every face.
    const q = Math.sqrt(P_HAPPY) / (Math.sqrt(P_HAPPY) + 6 * Math.sqrt(0.05));
    expect(r.temperature).toBe(2);
    expect(r.metrics.accuracy).toBe(0.25);
    expect(r.metrics.ece).toBeCloseTo(Math.abs(q - 0.25), 5);
    expect(r.eceUncalibrated).toBeCloseTo(0.45, 5);
    const raw = await evaluateModelOnFolder(hot, path.join(work, "data"), { calibrated: false });
    expect([raw.temperature, raw.metrics.ece]).toEqual([1, r.eceUncalibrated]);
  });

  it("prints a table with the summary, one row per class and the confusion matrix", async () => {
    const { metrics: m } = await evaluateModelOnFolder(path.join(work, "model"), path.join(work, "data"));
    const table = formatMetricsTable(m, EMOTION_LABELS);
    expect(table).toMatch(/^n 4 {3}accuracy 25\.00% {3}macro-F1 13\.33% {3}ECE 45\.00%/);
    expect(table).toMatch(/happy\s+25\.0%\s+100\.0%\s+40\.0%\s+1/);
    expect(table.split("\n").filter((l) => /^angry/.test(l))).toHaveLength(2);
  });
});
