import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import sharp from "sharp";
import { fineTune, type FineTuneOptions, type LabeledImage } from "@/training/fine-tune";
import { loadModelFromDir } from "@/lib/model/predictor";
import { readModelMetadata, writeModelMetadata } from "@/lib/model/metadata";
import { createTinyModelDir } from "@/test/support/tiny-model";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "fine-tune-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Two easy classes: bright faces are "happy", dark ones "sad" (with a little noise). */
async function dataset(n: number, seed: number): Promise<LabeledImage[]> {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const happy = i % 2 === 0;
      const px = Buffer.from(Array.from({ length: 48 * 48 }, () => Math.round((happy ? 190 : 60) + rnd() * 40 - 20)));
      const image = await sharp(px, { raw: { width: 48, height: 48, channels: 1 } })
        .png()
        .toBuffer();
      return { image, label: happy ? "Happy" : "sad" };
    }),
  );
}

/** A fresh tiny base named `name`, fine-tuned for two epochs on 16 faces into out-<name>; returns both folders. */
async function quickFineTune(name: string, extra: Partial<FineTuneOptions> = {}) {
  const base = await createTinyModelDir(path.join(work, `base-${name}`));
  const out = path.join(work, `out-${name}`);
  const result = await fineTune({
    baseDir: base,
    outDir: out,
    train: await dataset(16, 4),
    validation: [],
    epochs: 2,
    learningRate: 0.01,
    batchSize: 8,
    strategy: "full",
    seed: 5,
    ...extra,
  });
  return { base, out, result };
}

/** The float32 weights of a version folder's one shard. */
function shardWeights(dir: string): Float32Array {
  const file = path.join(
    dir,
    fs.readdirSync(dir).find((f) => f.endsWith(".bin"))!,
  );
  return new Float32Array(new Uint8Array(fs.readFileSync(file)).buffer);
}

describe("fineTune", () => {
  it("learns a tiny two-class set and writes a loadable version with its metadata", async () => {
    const base = await createTinyModelDir(path.join(work, "base"));
    // A base that serves with flip averaging hands it on to the version fine-tuned from it.
    // Its temperature does not: the candidate's own is fitted on its early-stopping slice.
    await writeModelMetadata(base, {
      ...(await readModelMetadata(base)),
      testTimeAugmentation: "flip",
      temperature: 2.5,
    });
    const out = path.join(work, "out");
    const train = await dataset(32, 1);
    const progress: number[] = [];
    const r = await fineTune({
      baseDir: base,
      outDir: out,
      train,
      validation: await dataset(8, 2),
      epochs: 12,
      learningRate: 0.01,
      batchSize: 8,
      strategy: "full",
      seed: 3,
      patience: 100,
      onProgress: (p) => void progress.push(p.batch),
    });
    expect(r.stopped).toBe(false);
    expect(r.epochs).toHaveLength(12);
    expect(progress.length).toBe(12 * 4);
    const last = r.epochs.at(-1)!;
    expect(last.valAcc).toBe(1);
    expect(last.loss).toBeLessThan(r.epochs[0]!.loss);
    const meta = await readModelMetadata(out);
    expect(meta.trainingConfig).toMatchObject({ kind: "fine-tune", strategy: "full", trainSamples: 32 });
    expect(meta.testTimeAugmentation).toBe("flip");
    // 8 validation faces are too few to fit a temperature on: none is claimed, none is served.
    expect(meta.temperature).toBeUndefined();
    expect(meta.calibration).toMatchObject({ temperature: 1, n: 8, fitted_on: "early-stopping slice (8 faces)" });
    const model = await loadModelFromDir(out);
    expect(model.testTimeAugmentation).toBe("flip");
    const [pHappy, pSad] = await model.predictImages([train[0]!.image, train[1]!.image]);
    model.dispose();
    expect(pHappy![3]).toBeGreaterThan(pHappy![4]!);
    expect(pSad![4]).toBeGreaterThan(pSad![3]!);
  });

  it("with the head strategy leaves every layer but the last unchanged", async () => {
    const { base, out } = await quickFineTune("head", { strategy: "head" });
    const before = shardWeights(base);
    const after = shardWeights(out);
    expect(after.length).toBe(before.length);
    // Weights are stored layer by layer; the head (dense kernel 12x7 + bias 7) is last.
    const head = 12 * 7 + 7;
    expect(Array.from(after.slice(0, -head))).toEqual(Array.from(before.slice(0, -head)));
    expect(Array.from(after.slice(-head))).not.toEqual(Array.from(before.slice(-head)));
  });

  it("stops within a batch when asked and writes nothing", async () => {
    const base = await createTinyModelDir(path.join(work, "base-stop"));
    const out = path.join(work, "out-stop");
    let batches = 0;
    const r = await fineTune({
      baseDir: base,
      outDir: out,
      train: await dataset(32, 6),
      validation: [],
      epochs: 50,
      learningRate: 0.01,
      batchSize: 4,
      strategy: "full",
      seed: 7,
      onProgress: () => void batches++,
      shouldStop: () => batches >= 3,
    });
    expect(r.stopped).toBe(true);
    expect(batches).toBe(3);
    expect(fs.existsSync(out)).toBe(false);
  });

  // The job's parameters chose "none" by measurement; fineTune on its own used to default to
  // "balanced". Both now take FIT_DEFAULTS.fineTune's.
  it.each([
    ["left out: the fineTune preset's none", undefined, "none", { 3: 1, 4: 1 }],
    ["balanced on request", "balanced", "balanced", { 3: 2 / 3, 4: 2 }],
  ] as const)("class weights %s", async (_, classWeights, mode, expected) => {
    const base = await createTinyModelDir(path.join(work, `base-cw-${mode}`));
    const out = path.join(work, `out-cw-${mode}`);
    // 18 happy to 6 sad faces.
    const train = (await dataset(36, 9)).filter((x, i) => x.label === "Happy" || i % 6 === 1);
    await fineTune({
      baseDir: base,
      outDir: out,
      train,
      validation: [],
      epochs: 1,
      learningRate: 0.01,
      batchSize: 8,
      strategy: "full",
      seed: 1,
      ...(classWeights ? { classWeights } : {}),
    });
    const config = (await readModelMetadata(out)).trainingConfig!;
    expect(config.classWeights).toBe(mode);
    const weights = config.classWeight as Record<string, number>;
    Object.entries(expected).forEach(([c, w]) => expect(weights[c]).toBeCloseTo(w, 6));
    // Classes without a training face read 1.
    expect(weights[0]).toBe(1);
  });

  it("distils from the base when asked: other weights than without, and the recipe in the training config", async () => {
    // Same base, data and seed: only the distillation term differs between the two runs.
    const off = await quickFineTune("kd-off", { distillWeight: 0 });
    const on = await quickFineTune("kd-on", { distillWeight: 0.5, distillTemperature: 3 });
    expect(shardWeights(off.base)).toEqual(shardWeights(on.base));
    expect(on.result.epochs.every((e) => Number.isFinite(e.loss))).toBe(true);
    expect(Array.from(shardWeights(on.out))).not.toEqual(Array.from(shardWeights(off.out)));
    expect((await readModelMetadata(off.out)).trainingConfig).toMatchObject({ distillWeight: 0 });
    expect((await readModelMetadata(off.out)).trainingConfig).not.toHaveProperty("distillTemperature");
    expect((await readModelMetadata(on.out)).trainingConfig).toMatchObject({
      distillWeight: 0.5,
      distillTemperature: 3,
    });
  });

  it("refuses an unknown label", async () => {
    const base = await createTinyModelDir(path.join(work, "base-bad"));
    const [img] = await dataset(1, 8);
    await expect(
      fineTune({
        baseDir: base,
        outDir: path.join(work, "x"),
        train: [{ image: img!.image, label: "contempt" }],
        validation: [],
        epochs: 1,
        learningRate: 0.01,
        batchSize: 1,
        strategy: "full",
        seed: 1,
      }),
    ).rejects.toThrow(/Unknown label "contempt"/);
  });
});
