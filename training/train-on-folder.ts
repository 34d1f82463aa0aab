/**
 * Training on an image folder `<data>/<label>/*.png|jpg` (from scratch, or fine-tuning a base
 * version), resumable: a stratified seeded validation split, the shared loop (fit.ts), a checkpoint
 * after every epoch (checkpoint.ts), and a model version folder (model.json + shards +
 * metadata.json) written from the best epoch through a temp folder. The CLI is train.ts.
 */
import crypto from "node:crypto";
import fsSync from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import type { LayersModel, Optimizer } from "@tensorflow/tfjs";
import { getEnv } from "@/lib/env/env";
import { getTf } from "@/lib/tf/backend";
import type { Tf } from "@/lib/tf/tf";
import { fileSystemIOHandler } from "@/lib/model/fs-io";
import {
  EMOTION_LABELS,
  readModelMetadata,
  writeModelMetadata,
  type ModelMetadata,
  type TestTimeAugmentation,
} from "@/lib/model/metadata";
import { DEFAULT_AUGMENT } from "@/training/augment";
import { fastBatchNormalization } from "@/training/batch-norm";
import {
  findCheckpoint,
  readCheckpointState,
  readOptimizerWeights,
  saveCheckpoint,
  type TrainState,
} from "@/training/checkpoint";
import { dataFingerprint, loadImageFolder, stratifiedSplit, type ClassWeightMode } from "@/training/dataset";
import {
  fit,
  formatPercent,
  initialFitState,
  predictSplit,
  type EpochPoint,
  type FitProgress,
  type Teacher,
} from "@/training/fit";
import { FIT_DEFAULTS, type FitConfig } from "@/training/fit-defaults";
import { computeMetrics, type EvalMetrics } from "@/training/metrics";
import { formatTeacherSpec, precomputedTeacher, teacherProbabilities, type TeacherSpec } from "@/training/teacher";
import { createModel, type Architecture } from "@/training/model";

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
  /**
   * Distil from these versions (their mean served probabilities on each training image, computed
   * once and cached beside the checkpoints; see teacher.ts), with `distillWeight` of the loss.
   */
  teachers?: TeacherSpec[];
  /** Share of the loss on the teachers' softened outputs (default 0.5 with teachers). */
  distillWeight?: number;
  /** Softening temperature of that term (default FIT_DEFAULTS.fromScratch's). */
  distillTemperature?: number;
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
  onProgress?: (p: FitProgress) => void;
}

export interface TrainResult {
  /** The written version folder; null when this call stopped early (maxEpochsThisRun). */
  outDir: string | null;
  finished: boolean;
  history: EpochPoint[];
  metadata: ModelMetadata | null;
  checkpointDir: string;
}

/** Trains per `opts`; see the file header. Returns after writing the version (or pausing). */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const preset = FIT_DEFAULTS.fromScratch;
  const fitConfig: FitConfig = {
    ...preset,
    epochs: opts.epochs ?? preset.epochs,
    batchSize: opts.batchSize ?? preset.batchSize,
    learningRate: opts.lr ?? preset.learningRate,
    seed: opts.seed ?? preset.seed,
    patience: opts.patience ?? preset.patience,
    lrPatience: opts.lrPatience ?? preset.lrPatience,
    lrFactor: opts.lrFactor ?? preset.lrFactor,
    minLearningRate: opts.minLr ?? preset.minLearningRate,
    augment: opts.augment ?? preset.augment,
    classWeights: opts.classWeights ?? preset.classWeights,
    distillWeight: opts.teachers?.length ? (opts.distillWeight ?? 0.5) : 0,
    distillTemperature: opts.distillTemperature ?? preset.distillTemperature,
  };
  const cfg = {
    architecture: opts.architecture ?? ("xception-wide" as Architecture),
    valFraction: opts.valFraction ?? 0.1,
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
  const resizeFilter = baseMeta?.resizeFilter;
  const tta = opts.testTimeAugmentation ?? baseMeta?.testTimeAugmentation ?? "none";
  const env = getEnv();
  const out = path.resolve(
    opts.out ?? path.join(env.modelsDir, new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)),
  );
  if (!opts.replace && fsSync.existsSync(out)) throw new Error(`Output folder ${out} already exists`);
  const checkpointDir = path.resolve(
    opts.checkpointDir ??
      path.join(
        env.dataDir,
        "checkpoints",
        hash(
          [
            dataRoot,
            opts.base ? path.resolve(opts.base) : "",
            cfg.architecture,
            out,
            ...(opts.teachers ?? []).map((t) => formatTeacherSpec({ ...t, dir: path.resolve(t.dir) })),
          ].join("\n"),
        ).slice(0, 16),
      ),
  );

  log(`reading ${dataRoot} …`);
  const ds = await loadImageFolder(dataRoot, { labels, inputShape, resizeFilter });
  const fingerprint = dataFingerprint(ds.samples, labels);
  const split = stratifiedSplit(ds.samples, cfg.valFraction, fitConfig.seed);
  if (split.val.length === 0) throw new Error("validation split is empty; use more images or a larger --val-fraction");
  log(
    `${ds.samples.length} images (${labels.map((l, i) => `${l} ${ds.counts[i]}`).join(", ")}); train ${split.train.length}, validation ${split.val.length}`,
  );

  // --- model, optimiser and state: resumed, fine-tuned or fresh ---
  let state: TrainState;
  let model: LayersModel;
  let optimizer: Optimizer;
  const last = await findCheckpoint(checkpointDir, "last");
  if (last && !opts.resume) {
    throw new Error(
      `A checkpoint exists in ${checkpointDir}; pass --resume to continue it, or delete the folder to start over`,
    );
  }
  if (last && opts.resume) {
    state = await readCheckpointState(last);
    if (state.fingerprint !== fingerprint) {
      throw new Error(
        `The images in ${dataRoot} changed since the checkpoint in ${checkpointDir} was made (fingerprint differs); start over instead of resuming`,
      );
    }
    model = await tf.loadLayersModel(fileSystemIOHandler(tf, last));
    optimizer = tf.train.adam(state.lr);
    log(
      `resuming at epoch ${state.epoch + 1} from ${last} (best val loss ${state.bestValLoss.toFixed(4)} at epoch ${state.bestEpoch})`,
    );
  } else {
    model = opts.base
      ? await tf.loadLayersModel(fileSystemIOHandler(tf, opts.base))
      : createModel(tf, cfg.architecture, { inputShape, numClasses: labels.length, seed: fitConfig.seed });
    optimizer = tf.train.adam(fitConfig.learningRate);
    state = { version: 1, ...initialFitState(fitConfig.learningRate), fingerprint };
  }
  if (cfg.freeze) freezeLayers(model, cfg.freeze);
  if (last && opts.resume) await optimizer.setWeights(await readOptimizerWeights(tf, last));
  log(
    `model ${model.name}: ${model.countParams()} weights (${model.trainableWeights.length} trainable tensors); backend ${backend}; checkpoints in ${checkpointDir}`,
  );

  const [h, w, c] = inputShape;
  const size = h * w * c;
  const k = labels.length;
  let teacher: Teacher | undefined;
  if (opts.teachers?.length && fitConfig.distillWeight > 0 && !opts.exportBest) {
    const probs = await teacherProbabilities({ teachers: opts.teachers, ds, cacheDir: checkpointDir, log });
    const val = computeMetrics(
      labels,
      split.val.map((i) => ds.samples[i]?.label ?? 0),
      split.val.map((i) => probs.subarray(i * k, (i + 1) * k)),
    );
    log(
      `teacher (${opts.teachers.map(formatTeacherSpec).join(" + ")}) on the validation split: accuracy ${formatPercent(val.accuracy)}, macro-F1 ${formatPercent(val.macro_f1)}; distilled with ${fitConfig.distillWeight} of the loss at temperature ${fitConfig.distillTemperature}`,
    );
    teacher = precomputedTeacher(tf, probs, k);
  }
  let epochsThisRun = 0;
  try {
    if (!opts.exportBest) {
      const run = await fit({
        tf,
        model,
        optimizer,
        ds,
        train: split.train,
        val: split.val,
        preprocessing,
        config: fitConfig,
        teacher,
        state,
        maxEpochsThisRun: opts.maxEpochsThisRun,
        // The best epoch may come from an earlier, resumed run: the version is written from disk.
        restoreBest: false,
        log,
        onProgress: opts.onProgress ?? printProgressLine,
        onBest: (m) => saveCheckpoint(tf, checkpointDir, "best", m, null, null),
        onEpochEnd: (m, opt, s) => saveCheckpoint(tf, checkpointDir, "last", m, opt, { ...s, version: 1, fingerprint }),
      });
      optimizer = run.optimizer;
      state = { ...run.state, version: 1, fingerprint };
      epochsThisRun = run.epochsThisRun;
    }
  } finally {
    model.dispose();
    optimizer.dispose();
  }
  const history = state.history;

  const finished = state.stopped || state.epoch >= fitConfig.epochs;
  if (opts.exportBest && state.epoch === 0) throw new Error(`no finished epoch to export in ${checkpointDir}`);
  if (!finished && !opts.exportBest) {
    log(`paused after epoch ${state.epoch}; continue with --resume`);
    return { outDir: null, finished, history, metadata: null, checkpointDir };
  }

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
      ...(resizeFilter ? { resizeFilter } : {}),
      ...(tta === "none" ? {} : { testTimeAugmentation: tta }),
      metrics: metricsForMetadata(
        val.metrics,
        `validation split (${Math.round(cfg.valFraction * 100)}%) of ${path.basename(dataRoot)}`,
      ),
      trainingConfig: {
        kind: opts.base ? "fine-tune" : "from-scratch",
        script: "training/train.ts",
        data: path.relative(process.cwd(), dataRoot) || ".",
        architecture: opts.base ? null : cfg.architecture,
        epochs: fitConfig.epochs,
        epochsRun: state.epoch,
        bestEpoch: state.bestEpoch,
        batchSize: fitConfig.batchSize,
        learningRate: fitConfig.learningRate,
        finalLearningRate: state.lr,
        freeze: cfg.freeze,
        valFraction: cfg.valFraction,
        seed: fitConfig.seed,
        augment: fitConfig.augment ? DEFAULT_AUGMENT : null,
        classWeights: fitConfig.classWeights,
        ...(opts.teachers?.length
          ? {
              distillation: {
                teachers: opts.teachers.map((t) =>
                  formatTeacherSpec({ ...t, dir: path.relative(process.cwd(), path.resolve(t.dir)) || "." }),
                ),
                weight: fitConfig.distillWeight,
                temperature: fitConfig.distillTemperature,
              },
            }
          : {}),
        trainSamples: split.train.length,
        validationSamples: split.val.length,
        ...(finished
          ? {}
          : {
              interim: `best checkpoint after ${state.epoch} of up to ${fitConfig.epochs} epochs, exported while training goes on`,
            }),
        history,
      },
      dataFingerprint: fingerprint,
      backend,
      durationSeconds: Math.round(durationSeconds),
    };
    await writeVersion(tf, best, metadata, out, opts.replace ?? false);
    log(
      `wrote ${out} (val acc ${formatPercent(val.metrics.accuracy)}, macro-F1 ${formatPercent(val.metrics.macro_f1)})`,
    );
    return { outDir: out, finished, history, metadata, checkpointDir };
  } finally {
    best.dispose();
  }
}

/** The figures stored in metadata.json (the full per-class table and confusion included). */
export function metricsForMetadata(m: EvalMetrics, dataset: string): NonNullable<ModelMetadata["metrics"]> {
  return {
    accuracy: m.accuracy,
    macro_f1: m.macro_f1,
    ece: m.ece,
    n: m.n,
    dataset,
    per_class: m.per_class,
    confusion: m.confusion,
  };
}

/** `spec` "N" freezes the first N layers that have weights; otherwise a comma-separated name list. */
export function freezeLayers(model: LayersModel, spec: string): string[] {
  const withWeights = model.layers.filter((l) => l.weights.length > 0);
  let frozen: typeof withWeights;
  if (/^\d+$/.test(spec.trim())) {
    const n = Number(spec);
    if (n >= withWeights.length)
      throw new Error(`--freeze ${n} would freeze all ${withWeights.length} layers with weights`);
    frozen = withWeights.slice(0, n);
  } else {
    const names = spec
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const missing = names.filter((n) => !model.layers.some((l) => l.name === n));
    if (missing.length)
      throw new Error(
        `--freeze names unknown layers: ${missing.join(", ")} (layers: ${withWeights.map((l) => l.name).join(", ")})`,
      );
    frozen = model.layers.filter((l) => names.includes(l.name));
  }
  frozen.forEach((l) => (l.trainable = false));
  return frozen.map((l) => l.name);
}

/** Saves model + metadata into a temp folder beside `out`, then renames it into place. */
export async function writeVersion(
  tf: Tf,
  model: LayersModel,
  metadata: ModelMetadata,
  out: string,
  replace: boolean,
): Promise<void> {
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

let lastLine = 0;
/** A live status line on a terminal; on a pipe (nohup log) one line every 30 s and at epoch end. */
function printProgressLine(p: FitProgress): void {
  const line = `epoch ${p.epoch}/${p.epochs} batch ${p.batch}/${p.batches} | ${p.samplesPerSec.toFixed(1)} samples/s | ETA ${formatSeconds(p.epochEtaSeconds)} | loss ${p.loss.toFixed(4)} acc ${formatPercent(p.acc)} | lr ${p.lr.toExponential(1)}`;
  if (process.stderr.isTTY) {
    process.stderr.write(`\r${line}\x1b[K${p.batch === p.batches ? "\n" : ""}`);
  } else if (Date.now() - lastLine > 30_000 || p.batch === p.batches) {
    lastLine = Date.now();
    process.stderr.write(`${line}\n`);
  }
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  const m = Math.floor(s / 60);
  return m >= 60
    ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`
    : `${m}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
}
