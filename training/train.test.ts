import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getTf } from "@/lib/tf/backend";
import type { Tf } from "@/lib/tf/tf";
import { fileSystemIOHandler } from "@/lib/model/fs-io";
import { readModelMetadata } from "@/lib/model/metadata";
import { loadModelFromDir } from "@/lib/model/predictor";
import { loadImageFolder, sampleInput, stratifiedSplit } from "@/training/dataset";
import { createModel } from "@/training/model";
import { makeTrainBatch, predictSplit } from "@/training/fit";
import { parseTrainArgs } from "@/training/train";
import { freezeLayers, train, type TrainOptions } from "@/training/train-on-folder";
import { writeSyntheticImageFolder } from "@/test/support/synthetic-images";

let tf: Tf;
let work: string;
let data: string;
const quiet = { log: () => {}, onProgress: () => {} };

beforeAll(async () => {
  tf = (await getTf()).tf;
  work = await fs.mkdtemp(path.join(os.tmpdir(), "train-"));
  data = await writeSyntheticImageFolder(path.join(work, "data"), { perClass: 10 });
});
afterAll(async () => {
  await fs.rm(work, { recursive: true, force: true });
});

/** Small, fast settings: the "tiny" net, 7 x 10 synthetic faces, a 30 % validation split. */
function opts(name: string, extra: Partial<TrainOptions> = {}): TrainOptions {
  return {
    data,
    architecture: "tiny",
    epochs: 2,
    batchSize: 16,
    lr: 0.01,
    valFraction: 0.3,
    out: path.join(work, name, "version"),
    checkpointDir: path.join(work, name, "checkpoints"),
    ...quiet,
    ...extra,
  };
}

describe("train", () => {
  it("writes a version folder whose metadata describes the run", async () => {
    const result = await train(opts("basic", { epochs: 6, augment: false, patience: 20 }));
    expect(result.finished).toBe(true);
    expect(result.history.map((r) => r.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    const dir = result.outDir!;
    expect((await fs.readdir(dir)).sort()).toEqual(["group1-shard1of1.bin", "metadata.json", "model.json"]);
    const meta = await readModelMetadata(dir);
    expect(meta).toMatchObject({
      inputShape: [48, 48, 1],
      preprocessing: "unit",
      parent: null,
      backend: (await getTf()).backend,
    });
    expect(meta.dataFingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(meta.trainingConfig).toMatchObject({
      architecture: "tiny",
      epochsRun: 6,
      trainSamples: 49,
      validationSamples: 21,
    });
    expect(meta.metrics?.n).toBe(21);
    // The synthetic classes differ in brightness: a few epochs learn them well past chance (1/7).
    expect(meta.metrics?.accuracy).toBeGreaterThan(0.4);
    (await loadModelFromDir(dir)).dispose();
  }, 30_000);

  it("resumes from the saved epoch and ends where an uninterrupted run ends", async () => {
    const whole = await train(opts("whole"));
    const lines: string[] = [];
    const first = await train(opts("parts", { maxEpochsThisRun: 1, log: (l) => lines.push(l) }));
    expect(first).toMatchObject({ finished: false, outDir: null });
    expect(first.history.map((r) => r.epoch)).toEqual([1]);
    await expect(train(opts("parts"))).rejects.toThrow(/pass --resume/);
    const second = await train(opts("parts", { resume: true, log: (l) => lines.push(l) }));
    expect(lines.some((l) => l.startsWith("resuming at epoch 2"))).toBe(true);
    expect(second.history.map((r) => r.epoch)).toEqual([1, 2]);
    // Same seeds, restored optimiser state: the interrupted run reproduces the uninterrupted one.
    second.history.forEach((r, i) => expect(r.valLoss).toBeCloseTo(whole.history[i]!.valLoss!, 4));
    const a = await tf.loadLayersModel(fileSystemIOHandler(tf, whole.outDir!));
    const b = await tf.loadLayersModel(fileSystemIOHandler(tf, second.outDir!));
    a.getWeights().forEach((w, i) => {
      const wa = w.dataSync();
      const wb = b.getWeights()[i]!.dataSync();
      wa.forEach((v, j) => expect(wb[j]).toBeCloseTo(v, 4));
    });
    a.dispose();
    b.dispose();
  }, 60_000);

  it("validates on plain inputs: the logged validation loss is the saved model's loss on unaugmented inputs", async () => {
    const result = await train(opts("augment", { epochs: 1, augment: true }));
    const ds = await loadImageFolder(data);
    const split = stratifiedSplit(ds.samples, 0.3, 1);
    const model = await tf.loadLayersModel(fileSystemIOHandler(tf, path.join(result.checkpointDir, "last")));
    const val = await predictSplit(tf, model, ds, split.val, "unit", 48 * 48, 7);
    expect(val.loss).toBeCloseTo(result.history[0]!.valLoss!, 5);
    model.dispose();
  }, 30_000);
});

describe("makeTrainBatch", () => {
  it("augments only when given a seed, reproducibly, and weights samples by class", async () => {
    const ds = await loadImageFolder(data);
    const idx = [0, 15, 30];
    const weights = [1, 2, 3, 4, 5, 6, 7];
    const plain = makeTrainBatch(ds, idx, "unit", null, weights);
    idx.forEach((i, j) =>
      expect(Array.from(plain.x.subarray(j * 2304, (j + 1) * 2304))).toEqual(Array.from(sampleInput(ds, i, "unit"))),
    );
    const a = makeTrainBatch(ds, idx, "unit", 42, weights);
    expect(Array.from(a.x)).not.toEqual(Array.from(plain.x));
    expect(Array.from(makeTrainBatch(ds, idx, "unit", 42, weights).x)).toEqual(Array.from(a.x));
    expect(Array.from(plain.w)).toEqual(idx.map((i) => weights[ds.samples[i]!.label]!));
    expect(Array.from(plain.y.subarray(7, 14))).toEqual([0, 1, 0, 0, 0, 0, 0]);
  });
});

describe("preprocessing parity", () => {
  it.each(["none", "flip", "flip-shift"] as const)(
    "a face predicted through the predictor and through the training pipeline gives the same probabilities (test-time augmentation %s)",
    async (tta) => {
      const result = await train(opts(`parity-${tta}`, { epochs: 1, testTimeAugmentation: tta }));
      const model = await loadModelFromDir(result.outDir!);
      expect(model.testTimeAugmentation).toBe(tta);
      expect(result.metadata?.testTimeAugmentation).toBe(tta === "none" ? undefined : tta);
      const ds = await loadImageFolder(data, { labels: model.metadata.labels });
      const idx = [3, 27, 64];
      const viaPredictor = await model.predictImages(
        await Promise.all(idx.map((i) => fs.readFile(path.join(data, ds.samples[i]!.relPath)))),
      );
      const layers = await tf.loadLayersModel(fileSystemIOHandler(tf, result.outDir!));
      const viaTraining = await predictSplit(tf, layers, ds, idx, model.metadata.preprocessing, 48 * 48, 7, tta);
      viaTraining.probs.forEach((p, j) => p.forEach((v, c) => expect(viaPredictor[j]![c]).toBeCloseTo(v, 6)));
      layers.dispose();
      model.dispose();
    },
    30_000,
  );
});

describe("freezeLayers and parseTrainArgs", () => {
  it("freezes the first N layers with weights, or named layers, and rejects unknown names", () => {
    const model = createModel(tf, "tiny");
    expect(freezeLayers(model, "2")).toEqual(["conv1", "bn1"]);
    expect(model.trainableWeights.map((w) => w.name).some((n) => n.startsWith("conv1"))).toBe(false);
    expect(() => freezeLayers(model, "conv2,nope")).toThrow(/unknown layers: nope/);
    expect(freezeLayers(model, "predictions")).toEqual(["predictions"]);
    model.dispose();
  });

  it("parses the CLI flags", () => {
    expect(
      parseTrainArgs([
        "--data",
        "d",
        "--epochs",
        "5",
        "--lr",
        "0.001",
        "--freeze",
        "3",
        "--resume",
        "--no-augment",
        "--class-weights",
        "sqrt",
      ]),
    ).toMatchObject({
      data: "d",
      epochs: 5,
      lr: 0.001,
      freeze: "3",
      resume: true,
      augment: false,
      classWeights: "sqrt",
    });
    expect(() => parseTrainArgs(["--epochs", "3"])).toThrow(/--data/);
    expect(() => parseTrainArgs(["--data", "d", "--arch", "resnet"])).toThrow(/--arch must be one of/);
    expect(() => parseTrainArgs(["--data", "d", "--lr", "0"])).toThrow(/positive/);
    expect(parseTrainArgs(["--data", "d", "--tta", "flip"]).testTimeAugmentation).toBe("flip");
    expect(
      parseTrainArgs(["--data", "d", "--teacher", "a@flip-shift", "--teacher", "b", "--distill-weight", "0.6"]),
    ).toMatchObject({
      teachers: [{ dir: "a", testTimeAugmentation: "flip-shift" }, { dir: "b" }],
      distillWeight: 0.6,
    });
    expect(() => parseTrainArgs(["--data", "d", "--distill-weight", "1"])).toThrow(/between 0 and 1/);
    expect(() => parseTrainArgs(["--data", "d", "--tta", "rotate"])).toThrow(
      /--tta must be one of none, flip, flip-shift/,
    );
  });
});
