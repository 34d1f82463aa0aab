import fs from "node:fs/promises";
import type { LayersModel, Tensor } from "@tensorflow/tfjs";
import { getTf } from "@/lib/tf/backend";
import { fileSystemIOHandler } from "@/lib/model/fs-io";
import { readModelMetadata, writeModelMetadata, type ModelMetadata } from "@/lib/model/metadata";
import { imageToPixels, normalizePixels } from "@/lib/model/preprocess";
import { augmentPixels, mulberry32 } from "@/training/augment";
import { fastBatchNormalization } from "@/training/batch-norm";
import { classWeights, type ClassWeightMode } from "@/training/dataset";

/** An encoded image (any format sharp reads) with its label name. */
export interface LabeledImage {
  image: Buffer;
  label: string;
}

export interface FineTuneProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  samplesPerSec: number;
  etaSeconds: number;
  loss: number;
  acc: number;
}

export interface EpochPoint {
  epoch: number;
  loss: number;
  acc: number;
  valLoss: number | null;
  valAcc: number | null;
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
  /** Loss weight per class from the training counts (default "balanced"); see classWeights(). */
  classWeights?: ClassWeightMode;
  seed: number;
  /** Stop when validation loss has not improved for this many epochs (best weights are kept). */
  patience?: number;
  onProgress?: (p: FineTuneProgress) => void | Promise<void>;
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
 * Fine-tunes a saved model on labelled images with on-the-fly augmentation and inverse-frequency
 * class weights, and writes the result as a model version folder. Labels are matched to the base
 * model's labels by name, case-insensitively; an unknown label is an error.
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
  const [h, w, c] = meta.inputShape;
  const size = h * w * c;
  const k = meta.labels.length;
  const train = await Promise.all(o.train.map(async (s) => ({ px: await imageToPixels(s.image, meta.inputShape), y: classOf(s.label) })));
  const val = await Promise.all(o.validation.map(async (s) => ({ px: await imageToPixels(s.image, meta.inputShape), y: classOf(s.label) })));
  if (train.length === 0) throw new Error("Nothing to train on.");

  // Loads BatchNormalization layers with the closed-form training gradient (same weights and config).
  fastBatchNormalization(tf);
  const model: LayersModel = await tf.loadLayersModel(fileSystemIOHandler(tf, o.baseDir));
  try {
    if (o.strategy === "head") freezeAllButHead(model);
    model.compile({ optimizer: tf.train.adam(o.learningRate), loss: "categoricalCrossentropy", metrics: ["accuracy"] });

    const counts = new Array<number>(k).fill(0);
    for (const s of train) counts[s.y] = (counts[s.y] ?? 0) + 1;
    const classWeight: Record<number, number> = Object.fromEntries(
      classWeights(counts, o.classWeights ?? "balanced").map((w, i) => [i, counts[i] ? w : 1]),
    );

    const rand = mulberry32(o.seed);
    /** [n, h, w, c] inputs and [n, k] one-hot targets. */
    const toTensors = (rows: { px: Uint8Array; y: number }[], augment: boolean) => {
      const x = new Float32Array(rows.length * size);
      const y = new Float32Array(rows.length * k);
      rows.forEach((r, i) => {
        x.set(normalizePixels(augment ? augmentPixels(r.px, h, w, c, rand) : r.px, meta.preprocessing), i * size);
        y[i * k + r.y] = 1;
      });
      return { x: tf.tensor4d(x, [rows.length, h, w, c]), y: tf.tensor2d(y, [rows.length, k]) };
    };
    const valT = val.length ? toTensors(val, false) : null;

    const history: EpochPoint[] = [];
    let best: { loss: number; weights: Tensor[] } | null = null;
    let sinceBest = 0;
    let stopped = false;
    const batches = Math.ceil(train.length / o.batchSize);
    for (let epoch = 1; epoch <= o.epochs && !stopped; epoch++) {
      // Fresh augmentation every epoch: the model never sees the same distorted face twice.
      const t = toTensors(train, true);
      const epochStart = Date.now();
      let seen = 0;
      let last = { loss: NaN, acc: NaN };
      try {
        const h1 = await model.fit(t.x, t.y, {
          epochs: 1,
          batchSize: o.batchSize,
          shuffle: true,
          classWeight,
          verbose: 0,
          callbacks: {
            onBatchEnd: async (batch, logs) => {
              seen += logs?.size ?? o.batchSize;
              last = { loss: logs?.loss ?? NaN, acc: logs?.acc ?? NaN };
              const elapsed = (Date.now() - epochStart) / 1000;
              const rate = seen / Math.max(elapsed, 1e-3);
              const remaining = (o.epochs - epoch) * train.length + (train.length - seen);
              await o.onProgress?.({ epoch, epochs: o.epochs, batch: batch + 1, batches, samplesPerSec: rate, etaSeconds: remaining / rate, loss: last.loss, acc: last.acc });
              if (o.shouldStop?.()) {
                stopped = true;
                model.stopTraining = true;
              }
            },
          },
        });
        last = { loss: Number(h1.history.loss?.at(-1) ?? last.loss), acc: Number(h1.history.acc?.at(-1) ?? last.acc) };
      } finally {
        t.x.dispose();
        t.y.dispose();
      }
      if (stopped) break;
      let valLoss: number | null = null;
      let valAcc: number | null = null;
      if (valT) {
        const [l, a] = model.evaluate(valT.x, valT.y, { batchSize: 64 }) as Tensor[];
        valLoss = (await l!.data())[0] ?? null;
        valAcc = (await a!.data())[0] ?? null;
        l!.dispose();
        a!.dispose();
      }
      const point = { epoch, loss: last.loss, acc: last.acc, valLoss, valAcc };
      history.push(point);
      await o.onEpoch?.(point);
      if (valLoss !== null) {
        if (!best || valLoss < best.loss) {
          best?.weights.forEach((x) => x.dispose());
          best = { loss: valLoss, weights: model.getWeights().map((x) => x.clone()) };
          sinceBest = 0;
        } else if (++sinceBest >= (o.patience ?? 3)) {
          break;
        }
      }
    }
    valT?.x.dispose();
    valT?.y.dispose();
    if (stopped) {
      best?.weights.forEach((x) => x.dispose());
      return { stopped, epochs: history, metadata: meta, durationSeconds: (Date.now() - started) / 1000 };
    }
    if (best) {
      model.setWeights(best.weights);
      best.weights.forEach((x) => x.dispose());
    }
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
        classWeights: o.classWeights ?? "balanced",
        classWeight,
      },
    };
    await writeModelMetadata(o.outDir, metadata);
    return { stopped, epochs: history, metadata, durationSeconds };
  } finally {
    model.dispose();
  }
}
