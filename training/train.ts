/**
 * `npm run train -- --data <dir> [--base <model dir>] [--arch <name>] [--epochs N] [--batch-size N]
 *   [--lr X] [--freeze <N | layer,names>] [--out <dir>] [--resume] [--checkpoints <dir>]
 *   [--class-weights none|balanced|sqrt] [--tta none|flip|flip-shift] [--no-augment] [--seed N] [--val-fraction X]`
 *
 * Trains (from scratch, or fine-tunes `--base`) on an image folder `<data>/<label>/*.png|jpg`, with
 * a stratified seeded validation split, on-the-fly augmentation of training batches only, LR decay
 * and early stopping on validation loss, a checkpoint after every epoch (resumable with --resume),
 * and writes a model version folder (model.json + shards + metadata.json) through a temp folder.
 */
import crypto from "node:crypto";
import fsSync from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import type { LayersModel, Optimizer, Scalar, Tensor, Variable, io } from "@tensorflow/tfjs";
import { getEnv } from "@/lib/env/env";
import { allowNativeAccelerator, getTf, type Tf } from "@/lib/tf/backend";
import { fileSystemIOHandler, joinBuffers } from "@/lib/model/fs-io";
import {
  EMOTION_LABELS,
  readModelMetadata,
  parseTestTimeAugmentation,
  writeModelMetadata,
  type ModelMetadata,
  type TestTimeAugmentation,
} from "@/lib/model/metadata";
import { servedProbabilities } from "@/lib/model/predictor";
import { normalizePixels } from "@/lib/model/preprocess";
import { augmentPixels, DEFAULT_AUGMENT } from "@/training/augment";
import { fastBatchNormalization } from "@/training/batch-norm";
import {
  CLASS_WEIGHT_MODES,
  classWeights,
  dataFingerprint,
  loadImageFolder,
  samplePixels,
  stratifiedSplit,
  type ClassWeightMode,
  type ImageDataset,
} from "@/training/dataset";
import { computeMetrics, type EvalMetrics } from "@/training/metrics";
import { ARCHITECTURES, createModel, type Architecture } from "@/training/model";
import { mixSeed, seededRandom, shuffled } from "@/training/random";

export interface TrainOptions {
  /** Image folder: `<data>/<label>/*.png|jpg`. */
  data: string;
  /** Model version folder to fine-tune; its labels, input shape and preprocessing are kept. */
  base?: string;
  /** Used when there is no base. Default "xception-wide". */
  architecture?: Architecture;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  /** "N": the first N layers that have weights; otherwise comma-separated layer names. */
  freeze?: string;
  /** Output version folder (must not exist unless `replace`). Default `<MODELS_DIR>/<timestamp>`. */
  out?: string;
  replace?: boolean;
  /** Continue from the last checkpoint in `checkpointDir` (fresh start if there is none). */
  resume?: boolean;
  /** Default `<DATA_DIR>/checkpoints/<hash of data, base, architecture, out>`. */
  checkpointDir?: string;
  valFraction?: number;
  seed?: number;
  /** Early stopping: epochs without a better validation loss. */
  patience?: number;
  /** LR × lrFactor after this many epochs without a better validation loss. */
  lrPatience?: number;
  lrFactor?: number;
  minLr?: number;
  augment?: boolean;
  classWeights?: ClassWeightMode;
  /** How the version serves (metadata.testTimeAugmentation); default the base's, else "none". */
  testTimeAugmentation?: TestTimeAugmentation;
  name?: string;
  /** Stop after this many epochs in this call (the checkpoint lets a later call resume). */
  maxEpochsThisRun?: number;
  /**
   * Write the version from the best checkpoint so far without training further (needs an existing
   * checkpoint; training can resume afterwards). Its metadata says it is interim.
   */
  exportBest?: boolean;
  /** Line-oriented log (default console.log). */
  log?: (line: string) => void;
  /** Live progress within an epoch (default: a status line on stderr). */
  onProgress?: (p: TrainProgress) => void;
}

export interface TrainProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  samplesPerSec: number;
  /** Seconds left in this epoch. */
  etaSeconds: number;
  loss: number;
  acc: number;
  lr: number;
}

export interface EpochRecord {
  epoch: number;
  loss: number;
  acc: number;
  valLoss: number;
  valAcc: number;
  lr: number;
  seconds: number;
}

export interface TrainResult {
  /** The written version folder; null when this call stopped early (maxEpochsThisRun). */
  outDir: string | null;
  finished: boolean;
  history: EpochRecord[];
  metadata: ModelMetadata | null;
  checkpointDir: string;
}

/** Everything a resumed run needs besides weights; lives in `<checkpoint>/last/state.json`. */
interface TrainState {
  version: 1;
  /** Epochs completed. */
  epoch: number;
  lr: number;
  bestValLoss: number;
  bestEpoch: number;
  sinceBest: number;
  sinceLrDrop: number;
  history: EpochRecord[];
  fingerprint: string;
  elapsedSeconds: number;
  stopped: boolean;
}

const OPTIMIZER_FILE = "optimizer.bin";
const OPTIMIZER_SPECS = "optimizer.json";
const STATE_FILE = "state.json";

/** Trains per `opts`; see the file header. Returns after writing the version (or pausing). */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const cfg = {
    architecture: opts.architecture ?? ("xception-wide" as Architecture),
    epochs: opts.epochs ?? 60,
    batchSize: opts.batchSize ?? 64,
    lr: opts.lr ?? 1e-3,
    valFraction: opts.valFraction ?? 0.1,
    seed: opts.seed ?? 1,
    patience: opts.patience ?? 10,
    lrPatience: opts.lrPatience ?? 3,
    lrFactor: opts.lrFactor ?? 0.5,
    minLr: opts.minLr ?? 1e-5,
    augment: opts.augment ?? true,
    classWeights: opts.classWeights ?? ("none" as ClassWeightMode),
    freeze: opts.freeze ?? null,
  };
  const started = Date.now();
  const { tf, backend } = await getTf();
  // Registered before any model is built or loaded, so BatchNormalization layers train fast.
  fastBatchNormalization(tf);

  const dataRoot = path.resolve(opts.data);
  const baseMeta = opts.base ? await readModelMetadata(opts.base) : null;
  const labels = baseMeta?.labels ?? [...EMOTION_LABELS];
  const inputShape = baseMeta?.inputShape ?? ([48, 48, 1] as ModelMetadata["inputShape"]);
  const preprocessing = baseMeta?.preprocessing ?? "unit";
  const tta = opts.testTimeAugmentation ?? baseMeta?.testTimeAugmentation ?? "none";
  const env = getEnv();
  const out = path.resolve(opts.out ?? path.join(env.modelsDir, new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)));
  if (!opts.replace && fsSync.existsSync(out)) throw new Error(`Output folder ${out} already exists`);
  const checkpointDir = path.resolve(
    opts.checkpointDir ??
      path.join(env.dataDir, "checkpoints", hash([dataRoot, opts.base ? path.resolve(opts.base) : "", cfg.architecture, out].join("\n")).slice(0, 16)),
  );

  log(`reading ${dataRoot} …`);
  const ds = await loadImageFolder(dataRoot, { labels, inputShape });
  const fingerprint = dataFingerprint(ds.samples, labels);
  const split = stratifiedSplit(ds.samples, cfg.valFraction, cfg.seed);
  if (split.val.length === 0) throw new Error("validation split is empty; use more images or a larger --val-fraction");
  const trainCounts = labels.map((_, c) => split.train.filter((i) => ds.samples[i]?.label === c).length);
  const weights = classWeights(trainCounts, cfg.classWeights);
  log(`${ds.samples.length} images (${labels.map((l, i) => `${l} ${ds.counts[i]}`).join(", ")}); train ${split.train.length}, validation ${split.val.length}`);

  // --- model, optimiser and state: resumed, fine-tuned or fresh ---
  let state: TrainState;
  let model: LayersModel;
  let optimizer: Optimizer;
  const last = await findCheckpoint(checkpointDir, "last");
  if (last && !opts.resume) {
    throw new Error(`A checkpoint exists in ${checkpointDir}; pass --resume to continue it, or delete the folder to start over`);
  }
  if (last && opts.resume) {
    state = JSON.parse(await fs.readFile(path.join(last, STATE_FILE), "utf8")) as TrainState;
    if (state.fingerprint !== fingerprint) {
      throw new Error(`The images in ${dataRoot} changed since the checkpoint in ${checkpointDir} was made (fingerprint differs); start over instead of resuming`);
    }
    model = await tf.loadLayersModel(fileSystemIOHandler(tf, last));
    optimizer = tf.train.adam(state.lr);
    log(`resuming at epoch ${state.epoch + 1} from ${last} (best val loss ${state.bestValLoss.toFixed(4)} at epoch ${state.bestEpoch})`);
  } else {
    model = opts.base ? await tf.loadLayersModel(fileSystemIOHandler(tf, opts.base)) : createModel(tf, cfg.architecture, { inputShape, numClasses: labels.length, seed: cfg.seed });
    optimizer = tf.train.adam(cfg.lr);
    state = { version: 1, epoch: 0, lr: cfg.lr, bestValLoss: Infinity, bestEpoch: 0, sinceBest: 0, sinceLrDrop: 0, history: [], fingerprint, elapsedSeconds: 0, stopped: false };
  }
  if (cfg.freeze) freezeLayers(model, cfg.freeze);
  const vars = trainableVariables(tf, model);
  if (last && opts.resume) await optimizer.setWeights(await readOptimizerWeights(tf, last));
  log(`model ${model.name}: ${model.countParams()} weights (${vars.length} trainable tensors); backend ${backend}; checkpoints in ${checkpointDir}`);

  const [h, w, c] = inputShape;
  const size = h * w * c;
  const k = labels.length;
  const history = [...state.history];
  let epochsThisRun = 0;
  try {
    while (!state.stopped && state.epoch < cfg.epochs) {
      if (opts.exportBest) break;
      if (opts.maxEpochsThisRun !== undefined && epochsThisRun >= opts.maxEpochsThisRun) break;
      const epoch = state.epoch + 1;
      const epochStart = Date.now();
      const order = shuffled(split.train, seededRandom(mixSeed(cfg.seed, epoch)));
      // A last batch of a few samples gives batch norm useless statistics; it rejoins next epoch.
      const batches = Math.max(1, order.length % cfg.batchSize >= 8 ? Math.ceil(order.length / cfg.batchSize) : Math.floor(order.length / cfg.batchSize));
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      for (let b = 0; b < batches; b++) {
        const idx = order.slice(b * cfg.batchSize, (b + 1) * cfg.batchSize);
        const batch = makeTrainBatch(ds, idx, preprocessing, cfg.augment ? mixSeed(cfg.seed, epoch, b) : null, weights);
        const stepOut = trainStep(tf, model, optimizer, vars, batch, [idx.length, h, w, c], k);
        lossSum += stepOut.loss * idx.length;
        correct += stepOut.correct;
        seen += idx.length;
        const secs = (Date.now() - epochStart) / 1000;
        const rate = seen / Math.max(secs, 1e-3);
        const p: TrainProgress = {
          epoch,
          epochs: cfg.epochs,
          batch: b + 1,
          batches,
          samplesPerSec: rate,
          etaSeconds: (order.length - seen) / rate,
          loss: lossSum / seen,
          acc: correct / seen,
          lr: state.lr,
        };
        (opts.onProgress ?? defaultProgress)(p);
      }
      if (!opts.onProgress) process.stderr.write(process.stderr.isTTY ? "\n" : "");

      const val = await predictSplit(tf, model, ds, split.val, preprocessing, size, k);
      const record: EpochRecord = {
        epoch,
        loss: lossSum / seen,
        acc: correct / seen,
        valLoss: val.loss,
        valAcc: val.metrics.accuracy,
        lr: state.lr,
        seconds: (Date.now() - epochStart) / 1000,
      };
      history.push(record);
      const improved = record.valLoss < state.bestValLoss - 1e-4;
      state = {
        ...state,
        epoch,
        history,
        bestValLoss: improved ? record.valLoss : state.bestValLoss,
        bestEpoch: improved ? epoch : state.bestEpoch,
        sinceBest: improved ? 0 : state.sinceBest + 1,
        sinceLrDrop: improved ? 0 : state.sinceLrDrop + 1,
        elapsedSeconds: state.elapsedSeconds + record.seconds,
      };
      log(
        `epoch ${epoch}/${cfg.epochs}: loss ${record.loss.toFixed(4)} acc ${pct(record.acc)} | val loss ${record.valLoss.toFixed(4)} val acc ${pct(record.valAcc)} | lr ${state.lr.toExponential(1)} | ${record.seconds.toFixed(0)} s${improved ? " | best" : ""}`,
      );
      if (improved) await saveCheckpoint(tf, checkpointDir, "best", model, null, null);
      if (state.sinceBest >= cfg.patience) {
        log(`early stopping: no better validation loss for ${cfg.patience} epochs (best epoch ${state.bestEpoch})`);
        state.stopped = true;
      } else if (state.sinceLrDrop >= cfg.lrPatience && state.lr > cfg.minLr) {
        const lr = Math.max(cfg.minLr, state.lr * cfg.lrFactor);
        optimizer = await withLearningRate(tf, optimizer, lr);
        log(`learning rate ${state.lr.toExponential(1)} → ${lr.toExponential(1)}`);
        state = { ...state, lr, sinceLrDrop: 0 };
      }
      await saveCheckpoint(tf, checkpointDir, "last", model, optimizer, state);
      epochsThisRun++;
    }
  } finally {
    model.dispose();
  }

  const finished = state.stopped || state.epoch >= cfg.epochs;
  if (opts.exportBest && state.epoch === 0) throw new Error(`no finished epoch to export in ${checkpointDir}`);
  if (!finished && !opts.exportBest) {
    optimizer.dispose();
    log(`paused after epoch ${state.epoch}; continue with --resume`);
    return { outDir: null, finished, history, metadata: null, checkpointDir };
  }
  optimizer.dispose();

  // --- the version: best weights, evaluated on the validation split ---
  const bestDir = (await findCheckpoint(checkpointDir, "best")) ?? (await findCheckpoint(checkpointDir, "last"));
  if (!bestDir) throw new Error(`no checkpoint in ${checkpointDir}`);
  const best = await tf.loadLayersModel(fileSystemIOHandler(tf, bestDir));
  try {
    const val = await predictSplit(tf, best, ds, split.val, preprocessing, size, k, tta);
    best.layers.forEach((l) => (l.trainable = true));
    // Epoch time summed over every run that built this model, plus this run's data loading and evaluation.
    const thisRunEpochs = history.slice(history.length - epochsThisRun).reduce((a, r) => a + r.seconds, 0);
    const durationSeconds = state.elapsedSeconds + (Date.now() - started) / 1000 - thisRunEpochs;
    const metadata: ModelMetadata = {
      name: opts.name ?? path.basename(out),
      createdAt: new Date().toISOString(),
      parent: opts.base ? path.basename(path.resolve(opts.base)) : null,
      labels,
      inputShape,
      preprocessing,
      ...(tta === "none" ? {} : { testTimeAugmentation: tta }),
      metrics: metricsForMetadata(val.metrics, `validation split (${Math.round(cfg.valFraction * 100)}%) of ${path.basename(dataRoot)}`),
      trainingConfig: {
        kind: opts.base ? "fine-tune" : "from-scratch",
        script: "training/train.ts",
        data: path.relative(process.cwd(), dataRoot) || ".",
        architecture: opts.base ? null : cfg.architecture,
        epochs: cfg.epochs,
        epochsRun: state.epoch,
        bestEpoch: state.bestEpoch,
        batchSize: cfg.batchSize,
        learningRate: cfg.lr,
        finalLearningRate: state.lr,
        freeze: cfg.freeze,
        valFraction: cfg.valFraction,
        seed: cfg.seed,
        augment: cfg.augment ? DEFAULT_AUGMENT : null,
        classWeights: cfg.classWeights,
        trainSamples: split.train.length,
        validationSamples: split.val.length,
        ...(finished ? {} : { interim: `best checkpoint after ${state.epoch} of up to ${cfg.epochs} epochs, exported while training goes on` }),
        history,
      },
      dataFingerprint: fingerprint,
      backend,
      durationSeconds: Math.round(durationSeconds),
    };
    await writeVersion(tf, best, metadata, out, opts.replace ?? false);
    log(`wrote ${out} (val acc ${pct(val.metrics.accuracy)}, macro-F1 ${pct(val.metrics.macro_f1)})`);
    return { outDir: out, finished, history, metadata, checkpointDir };
  } finally {
    best.dispose();
  }
}

/** The figures stored in metadata.json (the full per-class table and confusion included). */
export function metricsForMetadata(m: EvalMetrics, dataset: string): NonNullable<ModelMetadata["metrics"]> {
  return { accuracy: m.accuracy, macro_f1: m.macro_f1, ece: m.ece, n: m.n, dataset, per_class: m.per_class, confusion: m.confusion };
}

/**
 * Training inputs for one batch: one preallocated buffer, augmented (seeded by `augmentSeed`) or
 * not, normalised with the shared preprocessing; one-hot targets and per-sample loss weights.
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
  const random = augmentSeed === null ? null : seededRandom(augmentSeed);
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
 * @returns mean cross-entropy and the metrics over `indices`.
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

/** One optimiser step on a batch; returns the batch's mean loss (with weight decay) and hits. */
function trainStep(
  tf: Tf,
  model: LayersModel,
  optimizer: Optimizer,
  vars: Variable[],
  batch: { x: Float32Array; y: Float32Array; w: Float32Array },
  shape: [number, number, number, number],
  k: number,
): { loss: number; correct: number } {
  let hits: Tensor | undefined;
  const loss = tf.tidy(() => {
    const x = tf.tensor4d(batch.x, shape);
    const y = tf.tensor2d(batch.y, [shape[0], k]);
    const sw = tf.tensor1d(batch.w);
    const { value, grads } = tf.variableGrads(() => {
      /** [n, k] */
      const probs = model.apply(x, { training: true }) as Tensor;
      hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(probs, -1), tf.argMax(y, -1)), "float32")));
      const ce = tf.neg(tf.sum(tf.mul(y, tf.log(tf.clipByValue(probs, 1e-7, 1))), -1));
      const dataLoss = tf.mean(tf.mul(ce, sw));
      const decay = model.calculateLosses();
      return (decay.length ? tf.add(dataLoss, tf.addN(decay)) : dataLoss) as Scalar;
    }, vars);
    optimizer.applyGradients(grads);
    return value;
  });
  const out = { loss: loss.dataSync()[0] ?? NaN, correct: hits?.dataSync()[0] ?? 0 };
  tf.dispose([loss, ...(hits ? [hits] : [])]);
  if (!Number.isFinite(out.loss)) throw new Error("training diverged (loss is not finite); lower --lr");
  return out;
}

function trainableVariables(tf: Tf, model: LayersModel): Variable[] {
  return model.trainableWeights.map((w) => {
    const v = w.read();
    if (!(v instanceof tf.Variable)) throw new Error(`weight ${w.name} is not a variable`);
    return v;
  });
}

/** `spec` "N" freezes the first N layers that have weights; otherwise a comma-separated name list. */
export function freezeLayers(model: LayersModel, spec: string): string[] {
  const withWeights = model.layers.filter((l) => l.weights.length > 0);
  let frozen: typeof withWeights;
  if (/^\d+$/.test(spec.trim())) {
    const n = Number(spec);
    if (n >= withWeights.length) throw new Error(`--freeze ${n} would freeze all ${withWeights.length} layers with weights`);
    frozen = withWeights.slice(0, n);
  } else {
    const names = spec.split(",").map((s) => s.trim()).filter(Boolean);
    const missing = names.filter((n) => !model.layers.some((l) => l.name === n));
    if (missing.length) throw new Error(`--freeze names unknown layers: ${missing.join(", ")} (layers: ${withWeights.map((l) => l.name).join(", ")})`);
    frozen = model.layers.filter((l) => names.includes(l.name));
  }
  frozen.forEach((l) => (l.trainable = false));
  return frozen.map((l) => l.name);
}

/** Adam keeps its rate private; a new optimiser inherits the moments and step count instead. */
async function withLearningRate(tf: Tf, old: Optimizer, lr: number): Promise<Optimizer> {
  const next = tf.train.adam(lr);
  await next.setWeights(await old.getWeights());
  old.dispose();
  return next;
}

/** Writes `<dir>/<name>` via a temp folder and renames, so a crash never leaves half a checkpoint. */
async function saveCheckpoint(tf: Tf, dir: string, name: "last" | "best", model: LayersModel, optimizer: Optimizer | null, state: TrainState | null): Promise<void> {
  const target = path.join(dir, name);
  const tmp = `${target}.tmp`;
  await fs.rm(tmp, { recursive: true, force: true });
  await fs.mkdir(tmp, { recursive: true });
  await model.save(fileSystemIOHandler(tf, tmp));
  if (optimizer) {
    const weights = await optimizer.getWeights();
    const { data, specs } = await tf.io.encodeWeights(weights);
    await fs.writeFile(path.join(tmp, OPTIMIZER_FILE), new Uint8Array(joinBuffers(Array.isArray(data) ? data : [data])));
    await fs.writeFile(path.join(tmp, OPTIMIZER_SPECS), JSON.stringify(specs));
  }
  if (state) await fs.writeFile(path.join(tmp, STATE_FILE), JSON.stringify(state, null, 1));
  const old = `${target}.old`;
  await fs.rm(old, { recursive: true, force: true });
  if (fsSync.existsSync(target)) await fs.rename(target, old);
  await fs.rename(tmp, target);
  await fs.rm(old, { recursive: true, force: true });
}

/** `<dir>/<name>`, or its `.old` twin if a crash came between the two renames. */
async function findCheckpoint(dir: string, name: "last" | "best"): Promise<string | null> {
  const marker = name === "last" ? STATE_FILE : "model.json";
  for (const candidate of [path.join(dir, name), path.join(dir, `${name}.old`)]) {
    if (fsSync.existsSync(path.join(candidate, marker))) return candidate;
  }
  return null;
}

async function readOptimizerWeights(tf: Tf, dir: string): Promise<{ name: string; tensor: Tensor }[]> {
  const specs = JSON.parse(await fs.readFile(path.join(dir, OPTIMIZER_SPECS), "utf8")) as io.WeightsManifestEntry[];
  const buf = await fs.readFile(path.join(dir, OPTIMIZER_FILE));
  const map = tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer, specs);
  return specs.map((s) => {
    const tensor = map[s.name];
    if (!tensor) throw new Error(`optimizer state in ${dir} lacks ${s.name}`);
    return { name: s.name, tensor };
  });
}

/** Saves model + metadata into a temp folder beside `out`, then renames it into place. */
export async function writeVersion(tf: Tf, model: LayersModel, metadata: ModelMetadata, out: string, replace: boolean): Promise<void> {
  const tmp = `${out}.tmp-${process.pid}`;
  await fs.rm(tmp, { recursive: true, force: true });
  await fs.mkdir(tmp, { recursive: true });
  await model.save(fileSystemIOHandler(tf, tmp));
  await writeModelMetadata(tmp, metadata);
  if (fsSync.existsSync(out)) {
    if (!replace) throw new Error(`Output folder ${out} already exists`);
    const aside = `${out}.replaced-${process.pid}`;
    await fs.rename(out, aside);
    await fs.rename(tmp, out);
    await fs.rm(aside, { recursive: true, force: true });
  } else {
    await fs.rename(tmp, out);
  }
}

function hash(s: string): string {
  return crypto.createHash("sha256").update(s).digest("hex");
}

function pct(v: number): string {
  return `${(v * 100).toFixed(1)}%`;
}

let lastLine = 0;
/** A live status line on a terminal; on a pipe (nohup log) one line every 30 s and at epoch end. */
function defaultProgress(p: TrainProgress): void {
  const line = `epoch ${p.epoch}/${p.epochs} batch ${p.batch}/${p.batches} | ${p.samplesPerSec.toFixed(1)} samples/s | ETA ${formatSeconds(p.etaSeconds)} | loss ${p.loss.toFixed(4)} acc ${pct(p.acc)} | lr ${p.lr.toExponential(1)}`;
  if (process.stderr.isTTY) {
    process.stderr.write(`\r${line}\x1b[K`);
  } else if (Date.now() - lastLine > 30_000 || p.batch === p.batches) {
    lastLine = Date.now();
    process.stderr.write(`${line}\n`);
  }
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m` : `${m}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
}

/** CLI flags → TrainOptions (exported for tests). */
export function parseTrainArgs(argv: string[]): TrainOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: "string" },
      base: { type: "string" },
      arch: { type: "string" },
      epochs: { type: "string" },
      "batch-size": { type: "string" },
      lr: { type: "string" },
      freeze: { type: "string" },
      out: { type: "string" },
      replace: { type: "boolean" },
      resume: { type: "boolean" },
      checkpoints: { type: "string" },
      "class-weights": { type: "string" },
      tta: { type: "string" },
      "no-augment": { type: "boolean" },
      seed: { type: "string" },
      "val-fraction": { type: "string" },
      patience: { type: "string" },
      name: { type: "string" },
    },
    strict: true,
  });
  if (!values.data) throw new Error("--data <image folder> is required");
  const num = (v: string | undefined, flag: string): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${flag} must be a positive number, got "${v}"`);
    return n;
  };
  const arch = values.arch;
  if (arch !== undefined && !(ARCHITECTURES as readonly string[]).includes(arch)) throw new Error(`--arch must be one of ${ARCHITECTURES.join(", ")}`);
  const cw = values["class-weights"];
  if (cw !== undefined && !(CLASS_WEIGHT_MODES as readonly string[]).includes(cw)) throw new Error(`--class-weights must be one of ${CLASS_WEIGHT_MODES.join(", ")}`);
  return {
    data: values.data,
    base: values.base,
    architecture: arch as Architecture | undefined,
    epochs: num(values.epochs, "epochs"),
    batchSize: num(values["batch-size"], "batch-size"),
    lr: num(values.lr, "lr"),
    freeze: values.freeze,
    out: values.out,
    replace: values.replace,
    resume: values.resume,
    checkpointDir: values.checkpoints,
    classWeights: cw as ClassWeightMode | undefined,
    testTimeAugmentation: values.tta === undefined ? undefined : parseTestTimeAugmentation(values.tta),
    augment: values["no-augment"] ? false : undefined,
    seed: num(values.seed, "seed"),
    valFraction: num(values["val-fraction"], "val-fraction"),
    patience: num(values.patience, "patience"),
    name: values.name,
  };
}

async function main(): Promise<void> {
  const result = await train(parseTrainArgs(process.argv.slice(2)));
  if (result.outDir) console.log(result.outDir);
  // XNNPACK's pool and sharp's threads would otherwise keep a finished CLI alive a little longer.
  process.exit(0);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  allowNativeAccelerator();
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
