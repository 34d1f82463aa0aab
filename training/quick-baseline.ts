/**
 * `npm run train:quick-baseline -- [--minutes N] [--data <fer2013 dir>] [--out <dir>]`
 *
 * A small CNN trained from scratch on FER2013 within a time budget, so that a fresh clone serves
 * a model of the project's own while the full baseline (`npm run train:baseline`, many hours on a
 * CPU) is not there yet. Trains on `<data>/train` (a stratified tenth held out for early
 * stopping), evaluates on `<data>/test-public`, and writes a model version folder with the
 * figures in its metadata.json.
 */
import fs from "node:fs/promises";
import fsSync from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { getTf } from "@/lib/tf/backend";
import { fileSystemIOHandler } from "@/lib/model/fs-io";
import { EMOTION_LABELS, writeModelMetadata } from "@/lib/model/metadata";
import { loadModelFromDir } from "@/lib/model/predictor";
import { fineTune, type LabeledImage } from "@/training/fine-tune";
import { computeMetrics } from "@/training/metrics";
import { mulberry32 } from "@/training/augment";

/** ~290k weights, ~85 MFLOP per face: three conv blocks with batch norm, then global pooling. */
export async function createQuickCnn(seed = 1) {
  const { tf } = await getTf();
  let s = seed;
  const init = () => tf.initializers.heNormal({ seed: s++ });
  const block = (filters: number, first: boolean) => [
    tf.layers.conv2d({ filters, kernelSize: 3, padding: "same", useBias: false, kernelInitializer: init(), ...(first ? { inputShape: [48, 48, 1] } : {}) }),
    tf.layers.batchNormalization(),
    tf.layers.reLU(),
    tf.layers.conv2d({ filters, kernelSize: 3, padding: "same", useBias: false, kernelInitializer: init() }),
    tf.layers.batchNormalization(),
    tf.layers.reLU(),
    tf.layers.maxPooling2d({ poolSize: 2 }),
  ];
  return tf.sequential({
    name: "quick_emotion_cnn",
    layers: [
      ...block(32, true),
      ...block(64, false),
      ...block(128, false),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dropout({ rate: 0.3, seed: s++ }),
      tf.layers.dense({ units: EMOTION_LABELS.length, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: s++ }) }),
    ],
  });
}

/** `<root>/<label>/*.jpg|png` with labels matched to EMOTION_LABELS by name. */
export async function readImageFolder(root: string): Promise<LabeledImage[]> {
  const out: LabeledImage[] = [];
  for (const label of EMOTION_LABELS) {
    const dir = path.join(root, label);
    const files = (await fs.readdir(dir)).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort();
    for (const f of files) out.push({ image: await fs.readFile(path.join(dir, f)), label });
  }
  return out;
}

async function main() {
  const { values } = parseArgs({
    options: {
      minutes: { type: "string", default: "45" },
      data: { type: "string", default: "../shared/data/fer2013" },
      out: { type: "string", default: "models/baseline" },
      "batch-size": { type: "string", default: "64" },
      lr: { type: "string", default: "0.002" },
    },
  });
  const dataDir = path.resolve(values.data);
  if (!fsSync.existsSync(path.join(dataDir, "train"))) {
    console.error(`No FER2013 image folders at ${dataDir} (expected train/ and test-public/).`);
    process.exit(2);
  }
  const budgetMs = Number(values.minutes) * 60_000;
  const started = Date.now();
  const { tf, backend } = await getTf();

  console.log(`reading ${dataDir}/train …`);
  const all = await readImageFolder(path.join(dataDir, "train"));
  console.log(`${all.length} images read in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  // Stratified, seeded tenth for early stopping, chosen before any shuffling.
  const rand = mulberry32(2013);
  const byLabel = new Map<string, LabeledImage[]>();
  for (const s of all) byLabel.set(s.label, [...(byLabel.get(s.label) ?? []), s]);
  const train: LabeledImage[] = [];
  const validation: LabeledImage[] = [];
  for (const group of byLabel.values()) {
    const order = group.map((s) => ({ s, k: rand() })).sort((a, b) => a.k - b.k);
    const nVal = Math.round(group.length * 0.1);
    order.forEach(({ s }, i) => (i < nVal ? validation : train).push(s));
  }

  const work = await fs.mkdtemp(path.join(os.tmpdir(), "quick-baseline-"));
  const init = path.join(work, "init");
  const model = await createQuickCnn();
  await fs.mkdir(init, { recursive: true });
  await model.save(fileSystemIOHandler(tf, init));
  model.dispose();
  await writeModelMetadata(init, { labels: [...EMOTION_LABELS], inputShape: [48, 48, 1], preprocessing: "unit", name: "init" });

  const batchSize = Number(values["batch-size"]);
  const trained = path.join(work, "trained");
  let epochStart = Date.now();
  let epochMs = 0;
  const result = await fineTune({
    baseDir: init,
    outDir: trained,
    train,
    validation,
    epochs: 200,
    learningRate: Number(values.lr),
    batchSize,
    strategy: "full",
    seed: 2013,
    patience: 4,
    // End after the epoch when another one would not fit in the budget.
    endAfterEpoch: () => Date.now() - started + epochMs > budgetMs,
    onProgress: (p) => {
      if (p.batch === 1) epochStart = Date.now();
      if (p.batch % 20 === 0 || p.batch === p.batches) {
        process.stdout.write(
          `\repoch ${p.epoch} batch ${p.batch}/${p.batches} ${p.samplesPerSec.toFixed(0)} samples/s loss ${p.loss.toFixed(3)} acc ${(p.acc * 100).toFixed(1)}%   `,
        );
      }
    },
    onEpoch: (e) => {
      epochMs = Date.now() - epochStart;
      console.log(`\nepoch ${e.epoch}: loss ${e.loss.toFixed(4)} val_loss ${e.valLoss?.toFixed(4)} val_acc ${((e.valAcc ?? 0) * 100).toFixed(1)}% (${(epochMs / 1000).toFixed(0)} s)`);
    },
    metadata: {
      name: "quick baseline",
      parent: null,
      trainingConfig: { data: path.join(path.relative(process.cwd(), dataDir), "train"), script: "training/quick-baseline.ts", budgetMinutes: Number(values.minutes) },
    },
  });

  console.log("evaluating on test-public …");
  const test = await readImageFolder(path.join(dataDir, "test-public"));
  const loaded = await loadModelFromDir(trained);
  const probs = await loaded.predictImages(test.map((t) => t.image));
  loaded.dispose();
  const m = computeMetrics(EMOTION_LABELS, test.map((t) => EMOTION_LABELS.indexOf(t.label as (typeof EMOTION_LABELS)[number])), probs);
  const metadata = { ...result.metadata, metrics: { accuracy: m.accuracy, macro_f1: m.macro_f1, ece: m.ece, n: m.n, dataset: "fer2013/test-public", per_class: m.per_class, confusion: m.confusion } };
  await writeModelMetadata(trained, metadata);
  const out = path.resolve(values.out);
  await fs.rm(out, { recursive: true, force: true });
  await fs.mkdir(path.dirname(out), { recursive: true });
  await fs.cp(trained, out, { recursive: true });
  await fs.rm(work, { recursive: true, force: true });
  console.log(JSON.stringify({ accuracy: m.accuracy, macro_f1: m.macro_f1, ece: m.ece, n: m.n, epochs: result.epochs.length, backend, minutes: (Date.now() - started) / 60_000 }));
  process.exit(0);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
