/**
 * The one training loop behind `npm run train` (train-on-folder.ts) and the retrain job's fine-tune
 * (fine-tune.ts): a seeded optimiser step per batch rather than `model.fit`, because fit shuffles
 * with Math.random (two runs differ, and a resumed run cannot repeat an uninterrupted one), keeps
 * Adam's rate private (no LR decay that survives a checkpoint) and only stops between its own
 * callbacks. Here the order of every epoch and the augmentation of every batch are functions of
 * (seed, epoch, batch), a stop request ends the run after the batch in progress, and the caller
 * decides what to keep (checkpoints on disk, or nothing when cancelled).
 */
import type { LayersModel, Optimizer, Scalar, Tensor, Variable } from "@tensorflow/tfjs";
import type { Tf } from "@/lib/tf/tf";
import type { ModelMetadata, TestTimeAugmentation } from "@/lib/model/metadata";
import { servedProbabilities } from "@/lib/model/predictor";
import { normalizePixels } from "@/lib/model/preprocess";
import { augmentPixels } from "@/training/augment";
import { classWeights, samplePixels, type ImageDataset } from "@/training/dataset";
import type { FitConfig } from "@/training/fit-defaults";
import { computeMetrics, type EvalMetrics } from "@/training/metrics";
import { mixSeed, mulberry32, shuffled } from "@/training/random";

/** Live progress after every batch (the CLI's status line, the job's stored progress). */
export interface FitProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  samplesPerSec: number;
  /** Seconds left in the whole run at this rate (early stopping may end it sooner). */
  etaSeconds: number;
  /** Seconds left in this epoch. */
  epochEtaSeconds: number;
  /** Mean training loss (with weight decay and class weights) and accuracy over this epoch's batches so far. */
  loss: number;
  acc: number;
  lr: number;
}

/** One finished epoch: the job's curves, the version's trainingConfig.history. */
export interface EpochPoint {
  epoch: number;
  loss: number;
  acc: number;
  /** Null when there is no validation set (then the run has a fixed number of epochs). */
  valLoss: number | null;
  valAcc: number | null;
  /** The rate this epoch trained at. */
  lr: number;
  /** Training plus validation. */
  seconds: number;
}

/** Where a run stands between epochs: all a resumed run needs besides weights and optimiser. */
export interface FitState {
  /** Epochs completed. */
  epoch: number;
  lr: number;
  bestValLoss: number;
  bestEpoch: number;
  sinceBest: number;
  sinceLrDrop: number;
  history: EpochPoint[];
  elapsedSeconds: number;
  /** Early stopping ended the run. */
  stopped: boolean;
}

export function initialFitState(lr: number): FitState {
  return {
    epoch: 0,
    lr,
    bestValLoss: Infinity,
    bestEpoch: 0,
    sinceBest: 0,
    sinceLrDrop: 0,
    history: [],
    elapsedSeconds: 0,
    stopped: false,
  };
}

export interface FitOptions {
  tf: Tf;
  /** Layers that must not learn are frozen (trainable = false) before the call. */
  model: LayersModel;
  /** Adam at `state.lr`, fresh or restored; LR decay replaces it (see FitResult.optimizer). */
  optimizer: Optimizer;
  ds: ImageDataset;
  /** Sample indices into `ds`; the split is the caller's, made once before any shuffling. */
  train: readonly number[];
  /** Plain inputs in inference mode; empty → no early stopping and no LR decay. */
  val: readonly number[];
  preprocessing: ModelMetadata["preprocessing"];
  config: FitConfig;
  /**
   * The teacher for distillation (config.distillWeight > 0): its probabilities [n, k] for a
   * training batch `x` [n, h, w, c] (e.g. the parent version in inference mode on the same
   * augmented inputs). Called inside the step's tidy; what it returns is not trained.
   */
  teacher?: Teacher;
  /** A resumed run's state; default a fresh one at config.learningRate. */
  state?: FitState;
  /** Stop after this many epochs in this call (a checkpoint lets a later call go on). */
  maxEpochsThisRun?: number;
  /**
   * Put the best epoch's weights back into `model` when the run ends (default true). A caller that
   * keeps its best epoch on disk across resumed runs says false.
   */
  restoreBest?: boolean;
  log?: (line: string) => void;
  onProgress?: (p: FitProgress) => void | Promise<void>;
  onEpoch?: (p: EpochPoint) => void | Promise<void>;
  /** After an epoch with a better validation loss (e.g. save a "best" checkpoint). */
  onBest?: (model: LayersModel) => Promise<void>;
  /** After every finished epoch, once early stopping and LR decay are decided (e.g. save a "last" checkpoint). */
  onEpochEnd?: (model: LayersModel, optimizer: Optimizer, state: FitState) => Promise<void>;
  /** Checked after every batch; true ends the run there, the epoch unfinished (FitResult.cancelled). */
  shouldStop?: () => boolean;
}

export interface FitResult {
  state: FitState;
  /** The optimiser now in use (LR decay swaps it); the caller disposes it. */
  optimizer: Optimizer;
  cancelled: boolean;
  epochsThisRun: number;
  /** Loss weight per class, from the training counts. */
  classWeights: number[];
}

export type Teacher = (x: Tensor, indices: readonly number[]) => Tensor;

/** Trains `model` per `o.config`; see the file header. */
export async function fit(o: FitOptions): Promise<FitResult> {
  const { tf, model, ds, config: cfg } = o;
  const log = o.log ?? (() => {});
  const [h, w, c] = ds.inputShape;
  const k = ds.labels.length;
  const counts = ds.labels.map((_, label) => o.train.filter((i) => ds.samples[i]?.label === label).length);
  const weights = classWeights(counts, cfg.classWeights);
  const vars = trainableVariables(tf, model);
  const restoreBest = o.restoreBest ?? true;
  const distill =
    o.teacher && cfg.distillWeight > 0
      ? { teacher: o.teacher, weight: cfg.distillWeight, temperature: cfg.distillTemperature }
      : null;
  let optimizer = o.optimizer;
  let state: FitState = o.state ? { ...o.state, history: [...o.state.history] } : initialFitState(cfg.learningRate);
  let best: Tensor[] | null = null;
  let cancelled = false;
  let epochsThisRun = 0;
  const batches = batchesPerEpoch(o.train.length, cfg.batchSize);
  const perEpoch = Math.min(o.train.length, batches * cfg.batchSize);
  try {
    while (!state.stopped && state.epoch < cfg.epochs) {
      if (o.maxEpochsThisRun !== undefined && epochsThisRun >= o.maxEpochsThisRun) break;
      const epoch = state.epoch + 1;
      const epochStart = Date.now();
      const order = shuffled(o.train, mulberry32(mixSeed(cfg.seed, epoch)));
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      for (let b = 0; b < batches; b++) {
        const idx = order.slice(b * cfg.batchSize, (b + 1) * cfg.batchSize);
        const batch = makeTrainBatch(
          ds,
          idx,
          o.preprocessing,
          cfg.augment ? mixSeed(cfg.seed, epoch, b) : null,
          weights,
        );
        const step = trainStep(tf, model, optimizer, vars, batch, [idx.length, h, w, c], k, distill, idx);
        lossSum += step.loss * idx.length;
        correct += step.correct;
        seen += idx.length;
        const rate = seen / Math.max((Date.now() - epochStart) / 1000, 1e-3);
        await o.onProgress?.({
          epoch,
          epochs: cfg.epochs,
          batch: b + 1,
          batches,
          samplesPerSec: rate,
          etaSeconds: ((cfg.epochs - epoch) * perEpoch + (perEpoch - seen)) / rate,
          epochEtaSeconds: (perEpoch - seen) / rate,
          loss: lossSum / seen,
          acc: correct / seen,
          lr: state.lr,
        });
        if (o.shouldStop?.()) {
          cancelled = true;
          return { state, optimizer, cancelled, epochsThisRun, classWeights: weights };
        }
      }

      const val = o.val.length ? await predictSplit(tf, model, ds, o.val, o.preprocessing, h * w * c, k) : null;
      const point: EpochPoint = {
        epoch,
        loss: lossSum / seen,
        acc: correct / seen,
        valLoss: val ? val.loss : null,
        valAcc: val ? val.metrics.accuracy : null,
        lr: state.lr,
        seconds: (Date.now() - epochStart) / 1000,
      };
      const improved = point.valLoss !== null && point.valLoss < state.bestValLoss - cfg.minDelta;
      const counted = point.valLoss !== null && !improved;
      state = {
        ...state,
        epoch,
        history: [...state.history, point],
        bestValLoss: improved ? point.valLoss! : state.bestValLoss,
        bestEpoch: improved ? epoch : state.bestEpoch,
        sinceBest: improved ? 0 : state.sinceBest + (counted ? 1 : 0),
        sinceLrDrop: improved ? 0 : state.sinceLrDrop + (counted ? 1 : 0),
        elapsedSeconds: state.elapsedSeconds + point.seconds,
      };
      log(
        `epoch ${epoch}/${cfg.epochs}: loss ${point.loss.toFixed(4)} acc ${formatPercent(point.acc)}` +
          (val ? ` | val loss ${val.loss.toFixed(4)} val acc ${formatPercent(val.metrics.accuracy)}` : "") +
          ` | lr ${state.lr.toExponential(1)} | ${point.seconds.toFixed(0)} s${improved ? " | best" : ""}`,
      );
      await o.onEpoch?.(point);
      if (improved) {
        if (restoreBest) {
          tf.dispose(best ?? []);
          best = model.getWeights().map((t) => t.clone());
        }
        await o.onBest?.(model);
      }
      if (state.sinceBest >= cfg.patience) {
        log(`early stopping: no better validation loss for ${cfg.patience} epochs (best epoch ${state.bestEpoch})`);
        state = { ...state, stopped: true };
      } else if (state.sinceLrDrop >= cfg.lrPatience && state.lr > cfg.minLearningRate) {
        const lr = Math.max(cfg.minLearningRate, state.lr * cfg.lrFactor);
        optimizer = await withLearningRate(tf, optimizer, lr);
        log(`learning rate ${state.lr.toExponential(1)} → ${lr.toExponential(1)}`);
        state = { ...state, lr, sinceLrDrop: 0 };
      }
      await o.onEpochEnd?.(model, optimizer, state);
      epochsThisRun++;
    }
    if (best) model.setWeights(best);
    return { state, optimizer, cancelled, epochsThisRun, classWeights: weights };
  } finally {
    tf.dispose(best ?? []);
  }
}

/** A last batch of a few samples gives batch norm useless statistics; it rejoins the next epoch's order. */
export function batchesPerEpoch(samples: number, batchSize: number): number {
  return Math.max(1, samples % batchSize >= 8 ? Math.ceil(samples / batchSize) : Math.floor(samples / batchSize));
}

/**
 * Training inputs for one batch: one preallocated buffer, augmented (seeded by `augmentSeed`) or
 * not, normalised with the shared preprocessing; one-hot targets and per-sample loss weights.
 * @returns x [n·h·w·c], y [n·k] one-hot, w [n]
 */
export function makeTrainBatch(
  ds: ImageDataset,
  indices: readonly number[],
  preprocessing: ModelMetadata["preprocessing"],
  augmentSeed: number | null,
  weights: readonly number[],
): { x: Float32Array; y: Float32Array; w: Float32Array } {
  const [h, w, c] = ds.inputShape;
  const size = h * w * c;
  const k = ds.labels.length;
  const x = new Float32Array(indices.length * size);
  const y = new Float32Array(indices.length * k);
  const sw = new Float32Array(indices.length);
  const random = augmentSeed === null ? null : mulberry32(augmentSeed);
  indices.forEach((i, j) => {
    const px = samplePixels(ds, i);
    x.set(normalizePixels(random ? augmentPixels(px, h, w, c, random) : px, preprocessing), j * size);
    const label = ds.samples[i]?.label ?? 0;
    y[j * k + label] = 1;
    sw[j] = weights[label] ?? 1;
  });
  return { x, y, w: sw };
}

/**
 * Validation/test predictions: plain inputs, inference mode, never augmented for training's sake
 * (`tta` is how the version serves: "flip" averages each face with its mirror image).
 * @param size h·w·c of one input; `k` the number of classes
 * @returns mean cross-entropy and the metrics over `indices`, and each sample's probabilities [k].
 */
export async function predictSplit(
  tf: Tf,
  model: LayersModel,
  ds: ImageDataset,
  indices: readonly number[],
  preprocessing: ModelMetadata["preprocessing"],
  size: number,
  k: number,
  tta: TestTimeAugmentation = "none",
): Promise<{ loss: number; metrics: EvalMetrics; probs: Float32Array[] }> {
  const [h, w, c] = ds.inputShape;
  const probs: Float32Array[] = [];
  const chunk = 128;
  for (let s = 0; s < indices.length; s += chunk) {
    const part = indices.slice(s, s + chunk);
    const x = new Float32Array(part.length * size);
    part.forEach((i, j) => x.set(normalizePixels(samplePixels(ds, i), preprocessing), j * size));
    /** [n, k] */
    const p = tf.tidy(() => servedProbabilities(tf, model, tf.tensor4d(x, [part.length, h, w, c]), tta));
    const flat = (await p.data()) as Float32Array;
    p.dispose();
    for (let j = 0; j < part.length; j++) probs.push(flat.slice(j * k, (j + 1) * k));
  }
  const truth = indices.map((i) => ds.samples[i]?.label ?? 0);
  let loss = 0;
  probs.forEach((p, j) => (loss -= Math.log(Math.max(1e-7, p[truth[j] ?? 0] ?? 0))));
  return { loss: loss / Math.max(1, probs.length), metrics: computeMetrics(ds.labels, truth, probs), probs };
}

/** How a training step distils (see FitConfig.distillWeight). */
export interface Distillation {
  teacher: Teacher;
  /** Share of the loss on the teacher's softened outputs, in (0, 1]. */
  weight: number;
  temperature: number;
}

/**
 * One optimiser step on a batch (also what the throughput benches time).
 * The loss is (1 − α)·CE(labels) + α·T²·CE(teacher_T, student_T) + weight decay, where p_T =
 * softmax(log p / T) and α = distill.weight (0 without a teacher): Hinton et al.'s distillation,
 * used here as "learning without forgetting" (Li & Hoiem) with the parent version as the teacher.
 * @param batch x [n·h·w·c], y [n·k] one-hot, w [n] per-sample loss weights (makeTrainBatch)
 * @param shape [n, h, w, c]
 * @param indices the batch's sample indices (passed to the teacher)
 * @returns the batch's mean loss (class-weighted, with weight decay) and its correct predictions
 */
export function trainStep(
  tf: Tf,
  model: LayersModel,
  optimizer: Optimizer,
  vars: Variable[],
  batch: { x: Float32Array; y: Float32Array; w: Float32Array },
  shape: [number, number, number, number],
  k: number,
  distill: Distillation | null = null,
  indices: readonly number[] = [],
): { loss: number; correct: number } {
  let hits: Tensor | undefined;
  const loss = tf.tidy(() => {
    const x = tf.tensor4d(batch.x, shape);
    const y = tf.tensor2d(batch.y, [shape[0], k]);
    const sw = tf.tensor1d(batch.w);
    /** The teacher's softened probabilities [n, k], outside the gradient. */
    const soft = distill ? soften(tf, distill.teacher(x, indices), distill.temperature) : null;
    const { value, grads } = tf.variableGrads(() => {
      /** [n, k] */
      const probs = model.apply(x, { training: true }) as Tensor;
      hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(probs, -1), tf.argMax(y, -1)), "float32")));
      const logProbs = tf.log(tf.clipByValue(probs, 1e-7, 1));
      const ce = tf.neg(tf.sum(tf.mul(y, logProbs), -1));
      let dataLoss: Tensor = tf.mean(tf.mul(ce, sw));
      if (distill && soft) {
        const T = distill.temperature;
        const studentLog = tf.logSoftmax(tf.div(logProbs, T));
        const kd = tf.mul(tf.mean(tf.neg(tf.sum(tf.mul(soft, studentLog), -1))), T * T);
        dataLoss = tf.add(tf.mul(dataLoss, 1 - distill.weight), tf.mul(kd, distill.weight));
      }
      const decay = model.calculateLosses();
      return (decay.length ? tf.add(dataLoss, tf.addN(decay)) : dataLoss) as Scalar;
    }, vars);
    optimizer.applyGradients(grads);
    return value;
  });
  const out = { loss: loss.dataSync()[0] ?? NaN, correct: hits?.dataSync()[0] ?? 0 };
  tf.dispose([loss, ...(hits ? [hits] : [])]);
  if (!Number.isFinite(out.loss)) throw new Error("training diverged (loss is not finite); lower the learning rate");
  return out;
}

/** softmax(log p / T): probabilities [n, k] softened (T > 1) or sharpened (T < 1). */
export function soften(tf: Tf, probs: Tensor, temperature: number): Tensor {
  return tf.tidy(() => tf.softmax(tf.div(tf.log(tf.clipByValue(probs, 1e-7, 1)), temperature)));
}

/** The variables behind the model's trainable weights (frozen layers have none here). */
export function trainableVariables(tf: Tf, model: LayersModel): Variable[] {
  return model.trainableWeights.map((w) => {
    const v = w.read();
    if (!(v instanceof tf.Variable)) throw new Error(`weight ${w.name} is not a variable`);
    return v;
  });
}

/** Adam keeps its rate private; a new optimiser inherits the moments and step count instead. */
async function withLearningRate(tf: Tf, old: Optimizer, lr: number): Promise<Optimizer> {
  const next = tf.train.adam(lr);
  await next.setWeights(await old.getWeights());
  old.dispose();
  return next;
}

export function formatPercent(v: number): string {
  return `${(v * 100).toFixed(1)}%`;
}
