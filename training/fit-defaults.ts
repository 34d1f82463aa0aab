import type { ClassWeightMode } from "@/training/dataset";

/** How the shared training loop (training/fit.ts) runs; every field has a preset below. */
export interface FitConfig {
  /** Upper bound: early stopping usually ends a run sooner. */
  epochs: number;
  batchSize: number;
  /** Adam's starting rate. */
  learningRate: number;
  /** Early stopping: epochs without a validation loss better by more than `minDelta`. */
  patience: number;
  /** Smaller validation-loss gains are noise, not progress. */
  minDelta: number;
  /** The rate × `lrFactor` after this many epochs without a better validation loss. */
  lrPatience: number;
  lrFactor: number;
  minLearningRate: number;
  /** Distort training batches (never validation ones); see augment.ts. */
  augment: boolean;
  /** Loss weight per class from the training counts; see classWeights(). */
  classWeights: ClassWeightMode;
  /** Seeds the per-epoch order and each batch's augmentation. */
  seed: number;
  /**
   * Distillation (learning without forgetting): the share of the loss that pulls the model's
   * softened outputs toward a teacher's on the same (augmented) batch; the rest is the labels'
   * cross-entropy. 0 = off. Used only when fit() is given a teacher.
   */
  distillWeight: number;
  /** Both outputs are softened as softmax(log p / T) before they are compared; the term is scaled by T². */
  distillTemperature: number;
}

const SHARED = {
  minDelta: 1e-4,
  lrFactor: 0.5,
  minLearningRate: 1e-5,
  augment: true,
  seed: 1,
  distillWeight: 0,
  distillTemperature: 2,
} as const satisfies Partial<FitConfig>;

/**
 * The defaults, in one place. A caller takes one preset whole and overrides single fields:
 * - `fromScratch`: `npm run train` and `npm run train:baseline` (with or without --base): long runs
 *   on a whole image folder. This is the shipped baseline's recipe (models/baseline/metadata.json).
 * - `fineTune`: the retrain job and `npm run bench:finetune`: a few epochs on reviewers' corrections
 *   plus replay, starting from a trained version; the job's request defaults (worker/params.ts).
 */
export const FIT_DEFAULTS = {
  fromScratch: {
    ...SHARED,
    epochs: 60,
    batchSize: 64,
    learningRate: 1e-3,
    patience: 10,
    lrPatience: 3,
    classWeights: "none",
  },
  fineTune: {
    ...SHARED,
    epochs: 8,
    batchSize: 32,
    // Chosen with `npm run bench:finetune` on the shipped baseline (bench/results/finetune.md): after
    // 1,000 corrections 3e-5 forgot least (−0.7 points against the original labels; 1e-4 −1.5,
    // 3e-4 −1.7) while learning nearly as much; 1e-3 wrecked the model.
    learningRate: 3e-5,
    // A handful of epochs: a few without progress already mean the corrections are learned.
    patience: 3,
    // Those rates were measured at a constant rate; a retrain never lowers it.
    lrPatience: Number.POSITIVE_INFINITY,
    // How strongly rare classes weigh in the loss. "none" (bench/results/finetune-more/finetune.md):
    // at 3e-5 it learned twice as much of the corrections as "sqrt" (+6.6 against +3.1 points vs
    // FER+) for 0.6 points more lost against the original labels.
    classWeights: "none",
    // Learning without forgetting, chosen with `npm run bench:finetune` over three seeds
    // (bench/results/finetune-distill/): half the loss on the base version's outputs at T = 2 kept
    // the forgetting to −1.0 ± 1.0 points against the original labels (no distillation: −2.6 ± 2.0)
    // while learning +2.9 ± 1.1 against FER+ (+4.7 ± 2.6): of the settings tried that lost at most
    // one point on average, the one that learned most. 0.8 forgot least (−0.5) but learned +2.0;
    // 0.1–0.2 at 1e-4 forgot nearly as much as none.
    distillWeight: 0.5,
    distillTemperature: 2,
  },
} as const satisfies Record<string, FitConfig>;
