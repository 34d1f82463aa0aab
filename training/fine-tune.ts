import fs from "node:fs/promises";
import type { LayersModel, Optimizer, Tensor } from "@tensorflow/tfjs";
import { getTf } from "@/lib/tf/backend";
import { fileSystemIOHandler } from "@/lib/model/fs-io";
import { readModelMetadata, resizeFilterOf, writeModelMetadata, type ModelMetadata } from "@/lib/model/metadata";
import { imageToPixels } from "@/lib/model/preprocess";
import { fastBatchNormalization } from "@/training/batch-norm";
import { datasetFromPixels, type ClassWeightMode, type ImageDataset } from "@/training/dataset";
import { fit, predictSplit, type EpochPoint, type FitProgress } from "@/training/fit";
import { applyTemperature, expectedCalibrationError, fitTemperature } from "@/lib/model/calibration";
import type { Tf } from "@/lib/tf/tf";
import { FIT_DEFAULTS, type FitConfig } from "@/training/fit-defaults";

/** An encoded image (any format sharp reads) with its label name. */
export interface LabeledImage {
  image: Buffer;
  label: string;
}

export interface FineTuneOptions {
  /** Folder of the version to start from (model.json + metadata.json). */
  baseDir: string;
  /** Where the new version's files go (created). */
  outDir: string;
  train: LabeledImage[];
  /** For early stopping only; never the set the result is judged on. Empty → fixed epochs. */
  validation: LabeledImage[];
  epochs: number;
  learningRate: number;
  batchSize: number;
  /** "head": only the last layer with weights learns; "full": every layer. */
  strategy: "head" | "full";
  /** Loss weight per class from the training counts (default FIT_DEFAULTS.fineTune's); see classWeights(). */
  classWeights?: ClassWeightMode;
  /** Seeds each epoch's order and each batch's augmentation. */
  seed: number;
  /**
   * Learning without forgetting: the share of the loss that keeps the model's softened outputs
   * near the base version's on the same inputs (default FIT_DEFAULTS.fineTune's; 0 = off).
   */
  distillWeight?: number;
  /** The softening temperature of that term (default FIT_DEFAULTS.fineTune's). */
  distillTemperature?: number;
  /** Stop when validation loss has not improved for this many epochs (best weights are kept). */
  patience?: number;
  onProgress?: (p: FitProgress) => void | Promise<void>;
  onEpoch?: (p: EpochPoint) => void | Promise<void>;
  /** Checked after every batch; true stops training within that batch and writes nothing. */
  shouldStop?: () => boolean;
  /** Extra fields for the new metadata.json (name, parent, trainingConfig, …). */
  metadata?: Partial<ModelMetadata>;
}

export interface FineTuneResult {
  stopped: boolean;
  epochs: EpochPoint[];
  metadata: ModelMetadata;
  durationSeconds: number;
}

/**
 * The "head" strategy: freezes every layer with trainable weights but the last one (the classifier).
 * Returns the name of the layer left trainable.
 */
export function freezeAllButHead(model: LayersModel): string {
  const withWeights = model.layers.filter((l) => l.trainableWeights.length > 0);
  const head = withWeights.at(-1);
  if (!head) throw new Error(`model ${model.name} has no trainable layer`);
  withWeights.forEach((l) => (l.trainable = l === head));
  return head.name;
}

/**
 * Fine-tunes a saved model on labelled images with the shared training loop (fit.ts): seeded
 * order and augmentation, early stopping that keeps the best epoch, class weights per
 * FIT_DEFAULTS.fineTune unless given; writes the result as a model version folder. Labels are
 * matched to the base model's labels by name, case-insensitively; an unknown label is an error.
 */
export async function fineTune(o: FineTuneOptions): Promise<FineTuneResult> {
  const started = Date.now();
  const { tf, backend } = await getTf();
  const meta = await readModelMetadata(o.baseDir);
  const index = new Map(meta.labels.map((l, i) => [l.toLowerCase(), i]));
  const classOf = (label: string) => {
    const i = index.get(label.toLowerCase());
    if (i === undefined) throw new Error(`Unknown label "${label}"; the model knows ${meta.labels.join(", ")}.`);
    return i;
  };
  const decode = (s: LabeledImage) =>
    imageToPixels(s.image, meta.inputShape, resizeFilterOf(meta)).then((pixels) => ({
      pixels,
      label: classOf(s.label),
    }));
  const train = await Promise.all(o.train.map(decode));
  const val = await Promise.all(o.validation.map(decode));
  if (train.length === 0) throw new Error("Nothing to train on.");
  // Training rows first, then validation: the loop is told which indices are which.
  const ds = datasetFromPixels(meta.labels, meta.inputShape, [...train, ...val]);
  const indices = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
  const config: FitConfig = {
    ...FIT_DEFAULTS.fineTune,
    epochs: o.epochs,
    learningRate: o.learningRate,
    batchSize: o.batchSize,
    seed: o.seed,
    classWeights: o.classWeights ?? FIT_DEFAULTS.fineTune.classWeights,
    patience: o.patience ?? FIT_DEFAULTS.fineTune.patience,
    distillWeight: o.distillWeight ?? FIT_DEFAULTS.fineTune.distillWeight,
    distillTemperature: o.distillTemperature ?? FIT_DEFAULTS.fineTune.distillTemperature,
  };

  // Loads BatchNormalization layers with the closed-form training gradient (same weights and config).
  fastBatchNormalization(tf);
  const model: LayersModel = await tf.loadLayersModel(fileSystemIOHandler(tf, o.baseDir));
  // The base version as it was, frozen: the teacher whose outputs the distillation term keeps.
  const parent: LayersModel | null =
    config.distillWeight > 0 ? await tf.loadLayersModel(fileSystemIOHandler(tf, o.baseDir)) : null;
  let optimizer: Optimizer = tf.train.adam(config.learningRate);
  try {
    if (o.strategy === "head") freezeAllButHead(model);
    const run = await fit({
      tf,
      model,
      optimizer,
      ds,
      train: indices(0, train.length),
      val: indices(train.length, val.length),
      preprocessing: meta.preprocessing,
      config,
      teacher: parent ? (x) => parent.apply(x, { training: false }) as Tensor : undefined,
      onProgress: o.onProgress,
      onEpoch: o.onEpoch,
      shouldStop: o.shouldStop,
    });
    optimizer = run.optimizer;
    const history = run.state.history;
    if (run.cancelled) {
      return { stopped: true, epochs: history, metadata: meta, durationSeconds: (Date.now() - started) / 1000 };
    }
    const counts = ds.labels.map((_, c) => train.filter((r) => r.label === c).length);
    const calibration = await calibrateOnValidation(tf, model, ds, indices(train.length, val.length), meta);
    model.layers.forEach((l) => (l.trainable = true));
    await fs.mkdir(o.outDir, { recursive: true });
    await model.save(fileSystemIOHandler(tf, o.outDir));
    const durationSeconds = (Date.now() - started) / 1000;
    const metadata: ModelMetadata = {
      ...meta,
      metrics: undefined,
      ...o.metadata,
      labels: meta.labels,
      inputShape: meta.inputShape,
      preprocessing: meta.preprocessing,
      // The parent's temperature does not carry over: the candidate's own is fitted on its
      // early-stopping slice (none without one).
      ...calibration,
      createdAt: new Date().toISOString(),
      backend,
      durationSeconds,
      trainingConfig: {
        ...(o.metadata?.trainingConfig ?? {}),
        kind: "fine-tune",
        strategy: o.strategy,
        epochs: o.epochs,
        epochsRun: history.length,
        learningRate: o.learningRate,
        batchSize: o.batchSize,
        seed: o.seed,
        trainSamples: train.length,
        validationSamples: val.length,
        classWeights: config.classWeights,
        distillWeight: config.distillWeight,
        distillTemperature: config.distillWeight > 0 ? config.distillTemperature : undefined,
        // Classes absent from the training set weigh nothing; 1 reads better than 0 here.
        classWeight: Object.fromEntries(run.classWeights.map((w, i) => [i, counts[i] ? w : 1])),
      },
    };
    await writeModelMetadata(o.outDir, metadata);
    return { stopped: false, epochs: history, metadata, durationSeconds };
  } finally {
    optimizer.dispose();
    model.dispose();
    parent?.dispose();
  }
}

/**
 * The temperature that calibrates the fine-tuned model's served probabilities (with the parent's
 * test-time augmentation) on its early-stopping slice, with that slice's figures before and after.
 * No slice, no temperature.
 */
async function calibrateOnValidation(
  tf: Tf,
  model: LayersModel,
  ds: ImageDataset,
  valIndices: number[],
  meta: ModelMetadata,
): Promise<Pick<ModelMetadata, "temperature" | "calibration">> {
  if (valIndices.length === 0) return { temperature: undefined, calibration: undefined };
  const [h, w, c] = meta.inputShape;
  const tta = meta.testTimeAugmentation ?? "none";
  const { probs } = await predictSplit(
    tf,
    model,
    ds,
    valIndices,
    meta.preprocessing,
    h * w * c,
    meta.labels.length,
    tta,
  );
  const truth = valIndices.map((i) => ds.samples[i]?.label ?? 0);
  const fitted = fitTemperature(probs, truth);
  const calibrated = probs.map((p) => applyTemperature(p, fitted.temperature));
  return {
    temperature: fitted.temperature === 1 ? undefined : fitted.temperature,
    calibration: {
      temperature: fitted.temperature,
      fitted_on: `early-stopping slice (${valIndices.length} faces)`,
      n: fitted.n,
      nll_before: fitted.nllBefore,
      nll_after: fitted.nllAfter,
      ece_before: expectedCalibrationError(probs, truth),
      ece_after: expectedCalibrationError(calibrated, truth),
    },
  };
}
