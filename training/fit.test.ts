import { beforeAll, describe, expect, it } from "vitest";
import type { LayersModel } from "@tensorflow/tfjs";
import { getTf } from "@/lib/tf/backend";
import type { Tf } from "@/lib/tf/tf";
import { datasetFromPixels, type ClassWeightMode, type ImageDataset } from "@/training/dataset";
import { batchesPerEpoch, fit, predictSplit, type FitOptions } from "@/training/fit";
import { FIT_DEFAULTS, type FitConfig } from "@/training/fit-defaults";
import { createModel } from "@/training/model";
import { mulberry32 } from "@/training/random";

const SIDE = 16;
const SIZE = SIDE * SIDE;
let tf: Tf;

beforeAll(async () => {
  tf = (await getTf()).tf;
});

/** Grey faces: class 0 dark, class 1 bright, with seeded noise; `swap` labels them the other way round. */
function faces(perClass: [number, number], seed: number, swap = false): { pixels: Uint8Array; label: number }[] {
  const random = mulberry32(seed);
  return perClass.flatMap((n, cls) =>
    Array.from({ length: n }, () => ({
      pixels: Uint8Array.from({ length: SIZE }, () => Math.round((cls === 0 ? 60 : 190) + (random() - 0.5) * 40)),
      label: swap ? 1 - cls : cls,
    })),
  );
}

/** Training rows first, then validation rows, as fineTune lays them out. */
function dataset(
  train: ReturnType<typeof faces>,
  val: ReturnType<typeof faces>,
): { ds: ImageDataset; train: number[]; val: number[] } {
  const ds = datasetFromPixels(["dark", "bright"], [SIDE, SIDE, 1], [...train, ...val]);
  return { ds, train: train.map((_, i) => i), val: val.map((_, i) => train.length + i) };
}

function model(): LayersModel {
  return createModel(tf, "tiny", { inputShape: [SIDE, SIDE, 1], numClasses: 2, seed: 5 });
}

const config = (extra: Partial<FitConfig> = {}): FitConfig => ({
  ...FIT_DEFAULTS.fineTune,
  epochs: 2,
  batchSize: 8,
  learningRate: 0.01,
  ...extra,
});

async function run(o: Omit<FitOptions, "tf" | "optimizer" | "preprocessing">) {
  const result = await fit({ tf, optimizer: tf.train.adam(o.config.learningRate), preprocessing: "unit", ...o });
  result.optimizer.dispose();
  return result;
}

const weightsOf = (m: LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));

describe("fit: determinism", () => {
  // Same seed: same order every epoch and same augmentation every batch, so the same weights.
  it.each([
    ["augmented", true],
    ["plain", false],
  ])(
    "%s batches: the same seed gives the same weights after every step, another seed others",
    async (_, augment) => {
      const data = dataset(faces([12, 12], 1), faces([4, 4], 2));
      const trained = async (seed: number) => {
        const m = model();
        const r = await run({ model: m, ...data, config: config({ seed, augment }) });
        const w = weightsOf(m);
        m.dispose();
        return { w, history: r.state.history };
      };
      const a = await trained(3);
      const b = await trained(3);
      const c = await trained(4);
      expect(b.w).toEqual(a.w);
      expect(b.history.map((p) => [p.loss, p.valLoss])).toEqual(a.history.map((p) => [p.loss, p.valLoss]));
      expect(c.w).not.toEqual(a.w);
    },
    30_000,
  );
});

describe("fit: cancellation", () => {
  // 24 training faces in batches of 8: three batches an epoch.
  it.each([
    ["after the first batch", 1, 0],
    ["at the end of the first epoch, before validation", 3, 0],
    ["inside the second epoch", 5, 1],
  ])(
    "stops %s, with no further batch and no unfinished epoch recorded",
    async (_, stopAfter, epochsDone) => {
      const m = model();
      let batches = 0;
      const ends: number[] = [];
      const r = await run({
        model: m,
        ...dataset(faces([12, 12], 1), faces([4, 4], 2)),
        config: config({ epochs: 10 }),
        onProgress: () => void batches++,
        onEpochEnd: async (_m, _o, s) => void ends.push(s.epoch),
        shouldStop: () => batches >= stopAfter,
      });
      m.dispose();
      expect(r.cancelled).toBe(true);
      expect(batches).toBe(stopAfter);
      expect(r.state.epoch).toBe(epochsDone);
      expect(r.state.history).toHaveLength(epochsDone);
      expect(ends).toEqual(Array.from({ length: epochsDone }, (_, i) => i + 1));
    },
    30_000,
  );
});

describe("fit: early stopping", () => {
  // Validation labels are the training labels swapped: the better the model learns, the worse its
  // validation loss, so early stopping must end the run and the best epoch is an early one.
  it.each([
    ["restores the best epoch's weights", true],
    ["leaves the last epoch's weights when the caller keeps the best itself", false],
  ])(
    "%s",
    async (_, restoreBest) => {
      const data = dataset(faces([12, 12], 1), faces([4, 4], 2, true));
      const m = model();
      let bestSaves = 0;
      const r = await run({
        model: m,
        ...data,
        config: config({ epochs: 30, patience: 2, learningRate: 0.05, augment: false }),
        restoreBest,
        onBest: async () => void bestSaves++,
      });
      const { history, bestEpoch, bestValLoss } = r.state;
      expect(r.state.stopped).toBe(true);
      expect(history).toHaveLength(bestEpoch + 2);
      expect(bestValLoss).toBe(Math.min(...history.map((p) => p.valLoss!)));
      expect(bestSaves).toBeGreaterThanOrEqual(1);
      const now = await predictSplit(tf, m, data.ds, data.val, "unit", SIZE, 2);
      const expected = restoreBest ? history[bestEpoch - 1]!.valLoss! : history.at(-1)!.valLoss!;
      expect(now.loss).toBeCloseTo(expected, 5);
      expect(history.at(-1)!.valLoss!).toBeGreaterThan(bestValLoss);
      m.dispose();
    },
    60_000,
  );

  it("without validation runs every epoch and never decays the rate", async () => {
    const m = model();
    const r = await run({
      model: m,
      ...dataset(faces([12, 12], 1), []),
      config: config({ epochs: 4, patience: 1, lrPatience: 1 }),
    });
    m.dispose();
    expect(r.state.history.map((p) => [p.epoch, p.valLoss, p.lr])).toEqual([1, 2, 3, 4].map((e) => [e, null, 0.01]));
    expect(r.state.stopped).toBe(false);
  }, 30_000);
});

describe("fit: class weights", () => {
  // 18 dark to 6 bright faces in training.
  it.each<[string, ClassWeightMode, number[]]>([
    ["none: every sample weighs 1", "none", [1, 1]],
    // n / (k · n_c) = 24/36 and 24/12; the mean sample weight is already 1.
    ["balanced: inverse frequency", "balanced", [2 / 3, 2]],
    // √ of the above, rescaled so the mean sample weight is 1.
    ["sqrt: the milder push", "sqrt", [0.8453, 1.4641]],
  ])(
    "%s",
    async (_, mode, expected) => {
      const m = model();
      const r = await run({
        model: m,
        ...dataset(faces([18, 6], 1), []),
        config: config({ epochs: 1, classWeights: mode }),
      });
      m.dispose();
      r.classWeights.forEach((w, i) => expect(w).toBeCloseTo(expected[i]!, 3));
    },
    30_000,
  );

  it.each([
    // Chosen by measurement for the retrain job (bench/results/finetune-more/finetune.md).
    ["fineTune", "none"],
    ["fromScratch", "none"],
  ] as const)("the %s preset weighs classes %s", (preset, mode) => {
    expect(FIT_DEFAULTS[preset].classWeights).toBe(mode);
  });
});

describe("batchesPerEpoch", () => {
  it.each([
    [32, 8, 4],
    // A remainder of 8 or more is a batch of its own …
    [45, 32, 2],
    // … a smaller one waits for the next epoch's order.
    [35, 32, 1],
    [20, 32, 1],
    [1, 32, 1],
  ])("%i samples in batches of %i → %i", (samples, batchSize, expected) => {
    expect(batchesPerEpoch(samples, batchSize)).toBe(expected);
  });
});

describe("fit: distillation (learning without forgetting)", () => {
  /** A model that has learned dark → 0, bright → 1: the teacher, and the start of every student. */
  async function trainedTeacher(): Promise<LayersModel> {
    const m = model();
    await run({ model: m, ...dataset(faces([16, 16], 1), []), config: config({ epochs: 4, augment: false }) });
    return m;
  }

  /** A copy of `teacher` fine-tuned on swapped labels with `distillWeight`; the share of fresh faces it still answers as the teacher does. */
  async function agreementAfterSwap(teacher: LayersModel, distillWeight: number): Promise<number> {
    const student = model();
    student.setWeights(teacher.getWeights());
    await run({
      model: student,
      ...dataset(faces([12, 12], 3, true), []),
      config: config({ epochs: 10, learningRate: 0.03, augment: false, distillWeight, distillTemperature: 2 }),
      teacher: (x) => teacher.apply(x, { training: false }) as ReturnType<LayersModel["predict"]> as never,
    });
    const fresh = dataset(faces([20, 20], 9), []);
    const [a, b] = await Promise.all(
      [teacher, student].map((m) => predictSplit(tf, m, fresh.ds, fresh.train, "unit", SIZE, 2)),
    );
    student.dispose();
    const argmax = (p: Float32Array) => (p[1]! > p[0]! ? 1 : 0);
    return a!.probs.filter((p, i) => argmax(p) === argmax(b!.probs[i]!)).length / a!.probs.length;
  }

  it("a student fine-tuned on contradicting labels keeps more of its teacher's answers with the distillation term than without", async () => {
    const teacher = await trainedTeacher();
    const plain = await agreementAfterSwap(teacher, 0);
    const distilled = await agreementAfterSwap(teacher, 0.9);
    teacher.dispose();
    // Tried: without the term ten epochs on swapped labels turn every answer round; with it
    // (0.9 of the loss) the student stays with its teacher on more faces.
    expect(plain).toBeLessThan(0.5);
    expect(distilled).toBeGreaterThan(plain + 0.3);
  }, 60_000);

  it("the teacher is asked once per batch, with that batch's samples, and only when the term weighs something", async () => {
    const teacher = model();
    const calls: number[][] = [];
    const spy = (x: Parameters<NonNullable<FitOptions["teacher"]>>[0], idx: readonly number[]) => {
      calls.push([...idx]);
      expect(x.shape[0]).toBe(idx.length);
      return teacher.apply(x, { training: false }) as never;
    };
    const data = dataset(faces([12, 12], 1), []);
    const off = model();
    await run({ model: off, ...data, config: config({ epochs: 1, distillWeight: 0 }), teacher: spy });
    expect(calls).toHaveLength(0);
    const on = model();
    await run({ model: on, ...data, config: config({ epochs: 2, distillWeight: 0.5 }), teacher: spy });
    // 24 faces in batches of 8: three batches per epoch, every face once per epoch.
    expect(calls).toHaveLength(6);
    expect(
      calls
        .slice(0, 3)
        .flat()
        .sort((a, b) => a - b),
    ).toEqual(data.train);
    [teacher, off, on].forEach((m) => m.dispose());
  }, 60_000);
});
