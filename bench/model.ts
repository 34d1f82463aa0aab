// The shipped model's speed and memory on every compute backend: inference at batch 1 and 64,
// full and head-only training, peak RSS. getTf() picks one backend per process, so each
// configuration is measured in a child process of its own that prints one JSON line.
// Run: npm run bench:model [-- --seconds 10 --backends gpu,node,wasm-1,wasm-2,cpu] (--help for all flags)
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { LayersModel, Tensor } from "@tensorflow/tfjs";
import { childProcessEnv } from "@/lib/env/env";
import { allowNativeAccelerator, getTf, type BackendChoice } from "@/lib/tf/backend";
import type { Tf } from "@/lib/tf/tf";
import { fileSystemIOHandler } from "@/lib/model/fs-io";
import { describeTestTimeAugmentation, readModelMetadata, type TestTimeAugmentation } from "@/lib/model/metadata";
import { checkModelMatchesMetadata, servedProbabilities } from "@/lib/model/predictor";
import { normalizePixels } from "@/lib/model/preprocess";
import { mulberry32 } from "@/training/random";
import { fastBatchNormalization } from "@/training/batch-norm";
import { freezeAllButHead } from "@/training/fine-tune";
import { machineInfo, markdownTable, type Machine } from "./support/report";
import { adamStep } from "./support/train-step";

const USAGE = `npm run bench:model -- [flags]

  --model <dir>        model folder (default models/baseline)
  --backends <list>    configurations, in order (default gpu,node,wasm-1,wasm-2,cpu); wasm-<n> = WASM on n threads
  --seconds <s>        measuring time per figure, after one warm-up batch (default 10)
  --cpu-samples <n>    on pure-JS cpu a figure stops after this many samples (default 64: one training batch)
  --out <dir>          where model.md and model.json go (default bench/results)`;

/** Training batch and the larger inference batch (the app's predictor uses 64 too). */
const BATCH = 64;
const CONFIGS = /^(gpu|node|cpu|wasm-([1-8]))$/;
const ROOT = path.resolve(__dirname, "..");

/** Paths inside the project as relative ones, so results read the same on every machine. */
function shown(p: string): string {
  const rel = path.relative(ROOT, p);
  return rel.startsWith("..") || path.isAbsolute(rel) ? p : rel || ".";
}

interface Rate {
  /** Faces (inference) or samples (training) per second. */
  perSec: number;
  /** Timed batches, after the warm-up one. */
  batches: number;
  seconds: number;
}

/** What a child prints: one configuration, measured. */
interface Measured {
  choice: BackendChoice;
  /** tf.getBackend(): "tensorflow", "wasm", "cpu". */
  backend: string;
  threads: number | null;
  reason: string;
  params: number;
  headLayer: string;
  headParams: number;
  inferB1: Rate;
  inferB64: Rate;
  /** Faces/s as the app predicts them at batch 64 (with the version's test-time augmentation). */
  servedB64: Rate;
  trainFull: Rate;
  trainHead: Rate;
  peakRssMiB: number;
  /** One-minute load average when the child started. */
  loadavg1: number;
}

interface Row {
  config: string;
  measured: Measured | null;
  /** Why there is no measurement. */
  error: string | null;
}

interface Options {
  model: string;
  backends: string[];
  seconds: number;
  cpuSamples: number;
  out: string;
  child: string | null;
}

class UsageError extends Error {}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      model: { type: "string", default: "models/baseline" },
      backends: { type: "string", default: "gpu,node,wasm-1,wasm-2,cpu" },
      seconds: { type: "string", default: "10" },
      "cpu-samples": { type: "string", default: String(BATCH) },
      out: { type: "string", default: "bench/results" },
      // Internal: measure one configuration in this process (the parent sets TFJS_BACKEND).
      child: { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const backends = values.backends
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = backends.filter((b) => !CONFIGS.test(b));
  if (!backends.length || bad.length)
    throw new UsageError(
      `--backends: unknown ${bad.join(", ") || "(none given)"}; use gpu, node, wasm-<threads 1-8>, cpu`,
    );
  const seconds = Number(values.seconds);
  if (!(seconds > 0)) throw new UsageError(`--seconds must be a positive number, got "${values.seconds}"`);
  const cpuSamples = Number(values["cpu-samples"]);
  if (!Number.isInteger(cpuSamples) || cpuSamples < 1)
    throw new UsageError(`--cpu-samples must be an integer ≥ 1, got "${values["cpu-samples"]}"`);
  return {
    model: path.resolve(values.model),
    backends,
    seconds,
    cpuSamples,
    out: path.resolve(values.out),
    child: values.child ?? null,
  };
}

async function main(): Promise<void> {
  const opts = parseOptions();
  if (opts.child) {
    console.log(JSON.stringify(await measureHere(opts)));
    return;
  }
  const date = new Date().toISOString();
  const loadavg = os.loadavg();
  const meta = await readModelMetadata(opts.model);
  const rows: Row[] = [];
  for (const config of opts.backends) {
    console.log(`${config}: measuring …`);
    const row = await measureInChild(config, opts);
    console.log(`${config}: ${row.measured ? JSON.stringify(row.measured) : row.error}`);
    rows.push(row);
  }
  const first = rows.find((r) => r.measured)?.measured;
  const result: ModelResult = {
    date,
    machine: machineInfo(),
    model: {
      dir: shown(opts.model),
      name: meta.name ?? null,
      params: first?.params ?? null,
      headLayer: first?.headLayer ?? null,
      headParams: first?.headParams ?? null,
      testTimeAugmentation: meta.testTimeAugmentation ?? "none",
    },
    loadavg,
    settings: { seconds: opts.seconds, cpuSamples: opts.cpuSamples, batch: BATCH },
    rows,
  };
  const header = headerLines(result);
  const table = formatTable(rows);
  fs.mkdirSync(opts.out, { recursive: true });
  const stem = path.join(opts.out, "model");
  fs.writeFileSync(
    `${stem}.md`,
    [
      `# The model, measured — ${date.slice(0, 10)}`,
      "",
      ...header.map((l) => `- ${l}`),
      "",
      table,
      "",
      ...NOTES.map((n) => `- ${n}`),
      "",
    ].join("\n"),
  );
  fs.writeFileSync(`${stem}.json`, JSON.stringify(result, null, 2) + "\n");

  console.log(`\n# The model, measured\n`);
  for (const l of header) console.log(l);
  console.log("");
  console.log(table);
  console.log(`\nwrote ${stem}.md and ${stem}.json`);
}

const NOTES = [
  `Inference: model.predict on preprocessed inputs (seeded random pixels, the model's own preprocessing) plus dataSync, at batch 1 and ${BATCH}.`,
  `Training: one Adam step (softmax cross-entropy, training-mode forward pass, gradients, update) on a batch of ${BATCH}; ` +
    "full = every layer learns; head-only = every layer but the classifier frozen, as fine-tuning's head strategy does.",
  "Each figure follows one warm-up batch and times at least one batch, then runs until the measuring time is up; " +
    "on pure-JS cpu it also stops at the sample cap. Peak RSS is the measuring process's maximum resident set.",
  "Other processes on the machine share its cores: compare the load averages (header, notes column) before comparing rows.",
];

/** Spawns this script for one configuration and reads its JSON line; a missing backend is a row too. */
async function measureInChild(config: string, opts: Options): Promise<Row> {
  const [choice, threads] = config.split("-");
  const args = [
    "--conditions=react-server",
    __filename,
    "--child",
    config,
    "--model",
    opts.model,
    "--seconds",
    String(opts.seconds),
    "--cpu-samples",
    String(opts.cpuSamples),
  ];
  const child = spawn(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: childProcessEnv({ TFJS_BACKEND: choice ?? "", TFJS_WASM_THREADS: threads ?? "" }),
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
    process.stderr.write(d);
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  const line = stdout
    .trim()
    .split("\n")
    .reverse()
    .find((l) => l.startsWith("{"));
  if (code === 0 && line) return { config, measured: JSON.parse(line) as Measured, error: null };
  const missing = stderr.match(/was requested but is not available: (.*)/)?.[1];
  if (missing)
    return {
      config,
      measured: null,
      error: /Cannot find (module|package)/.test(missing) ? "not installed" : `not available: ${missing}`,
    };
  return { config, measured: null, error: `failed (exit ${code}): ${stderr.trim().split("\n").at(-1) ?? ""}` };
}

/** The child: every figure for the backend this process was given. */
async function measureHere(opts: Options): Promise<Measured> {
  const loadavg1 = os.loadavg()[0] ?? 0;
  allowNativeAccelerator();
  const rt = await getTf();
  const { tf } = rt;
  // Before loading: BatchNormalization layers then train with the fast gradient, as in fine-tuning.
  fastBatchNormalization(tf);
  const meta = await readModelMetadata(opts.model);
  const model = await tf.loadLayersModel(fileSystemIOHandler(tf, opts.model));
  checkModelMatchesMetadata(model, meta, opts.model);
  const [h, w, c] = meta.inputShape;
  const k = meta.labels.length;
  const maxSamples = rt.choice === "cpu" ? opts.cpuSamples : Infinity;
  const rate = (batch: number, fn: () => void) => measureRate(fn, batch, opts.seconds, maxSamples);

  /** [n, h, w, c] preprocessed inputs and [n, k] one-hot targets. */
  const rand = mulberry32(1);
  const pixels = Uint8Array.from({ length: BATCH * h * w * c }, () => Math.floor(rand() * 256));
  const inputs = normalizePixels(pixels, meta.preprocessing);
  const x64 = tf.tensor4d(inputs, [BATCH, h, w, c]);
  const x1 = x64.slice([0, 0, 0, 0], [1, h, w, c]);
  const labels = new Float32Array(BATCH * k);
  for (let i = 0; i < BATCH; i++) labels[i * k + (i % k)] = 1;
  const predict = (x: Tensor) => () => tf.tidy(() => void (model.predict(x) as Tensor).dataSync());

  const inferB1 = rate(1, predict(x1));
  const inferB64 = rate(BATCH, predict(x64));
  const tta = meta.testTimeAugmentation ?? "none";
  const servedB64 =
    tta === "none"
      ? inferB64
      : rate(BATCH, () => tf.tidy(() => void servedProbabilities(tf, model, x64, tta).dataSync()));
  const batch = { x: inputs, y: labels, shape: [BATCH, h, w, c] as [number, number, number, number], k };
  const trainFull = trainRate(tf, model, batch, (fn) => rate(BATCH, fn));
  const headLayer = freezeAllButHead(model);
  const headParams = model.trainableWeights.reduce((n, v) => n + v.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
  const trainHead = trainRate(tf, model, batch, (fn) => rate(BATCH, fn));
  const measured: Measured = {
    choice: rt.choice,
    backend: rt.backend,
    threads: rt.threads ?? null,
    reason: rt.reason.replaceAll(ROOT + path.sep, ""),
    params: model.countParams(),
    headLayer,
    headParams,
    inferB1,
    inferB64,
    servedB64,
    trainFull,
    trainHead,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    loadavg1,
  };
  tf.dispose([x1, x64]);
  model.dispose();
  return measured;
}

/** Training samples/s of the model's currently trainable weights with a fresh Adam (the training loop's step). */
function trainRate(
  tf: Tf,
  model: LayersModel,
  b: { x: Float32Array; y: Float32Array; shape: [number, number, number, number]; k: number },
  rate: (fn: () => void) => Rate,
): Rate {
  const { step, dispose } = adamStep(tf, model, b.x, b.y, b.shape, b.k);
  const r = rate(step);
  dispose();
  return r;
}

/**
 * Per second of `fn` (one batch of `batch`), after one warm-up call (XNNPACK operator creation,
 * kernel setup): timed calls until `seconds` pass or `maxSamples` are done, at least one. Pure-JS
 * training runs at about a sample per second, so there the sample cap ends a figure.
 */
function measureRate(fn: () => void, batch: number, seconds: number, maxSamples: number): Rate {
  fn();
  const t0 = performance.now();
  let n = 0;
  while (n < 1 || (performance.now() - t0 < seconds * 1000 && n * batch < maxSamples)) {
    fn();
    n++;
  }
  const elapsed = (performance.now() - t0) / 1000;
  return { perSec: (n * batch) / elapsed, batches: n, seconds: elapsed };
}

interface ModelResult {
  date: string;
  machine: Machine;
  model: {
    dir: string;
    name: string | null;
    params: number | null;
    headLayer: string | null;
    headParams: number | null;
    testTimeAugmentation: TestTimeAugmentation;
  };
  loadavg: number[];
  settings: { seconds: number; cpuSamples: number; batch: number };
  rows: Row[];
}

function headerLines(r: ModelResult): string[] {
  const m = r.machine;
  const n = (x: number | null) => (x === null ? "?" : x.toLocaleString("en"));
  return [
    `date: ${r.date}`,
    `machine: ${m.cpu}, ${m.cores} cores, ${m.ramGiB.toFixed(0)} GiB RAM (${m.os}, Node ${m.node})`,
    `model: ${r.model.name ?? "(unnamed)"}, ${n(r.model.params)} weights (head-only: ${n(r.model.headParams)} trainable, layer ${r.model.headLayer ?? "?"}), ${r.model.dir}`,
    `served: what the app computes per face, test-time augmentation ${r.model.testTimeAugmentation} (${describeTestTimeAugmentation(r.model.testTimeAugmentation)})`,
    `load average at start: ${r.loadavg.map((x) => x.toFixed(2)).join(", ")} (1, 5, 15 min)`,
    `measuring: ${r.settings.seconds} s per figure after one warm-up batch (cpu: at most ${r.settings.cpuSamples} samples), batch ${r.settings.batch} for training`,
  ];
}

function formatTable(rows: Row[]): string {
  const head = [
    "backend",
    "threads",
    "infer b=1 (faces/s)",
    `infer b=${BATCH} (faces/s)`,
    `served b=${BATCH} (faces/s)`,
    "train full (samples/s)",
    "train head-only (samples/s)",
    "peak RSS (MiB)",
    "notes",
  ];
  const rate = (r: Rate) => r.perSec.toFixed(r.perSec >= 100 ? 0 : r.perSec >= 1 ? 1 : 2);
  return markdownTable(
    head,
    rows.map(({ config, measured: m, error }) => {
      if (!m)
        return [config.split("-")[0] ?? config, config.split("-")[1] ?? "–", "–", "–", "–", "–", "–", "–", error ?? ""];
      // getTf's reason starts with "forced by TFJS_BACKEND=…", which every child is.
      const detail = m.reason.replace(/^forced by TFJS_BACKEND=\w+;?\s*/, "");
      const notes = [detail, `load ${m.loadavg1.toFixed(1)}`];
      if (m.choice === "cpu") notes.push(`timed training batches ${m.trainFull.batches} + ${m.trainHead.batches}`);
      return [
        m.choice === "wasm" || m.choice === "cpu" ? m.choice : `${m.choice} (${m.backend})`,
        m.threads !== null ? String(m.threads) : m.choice === "cpu" ? "1" : "–",
        rate(m.inferB1),
        rate(m.inferB64),
        rate(m.servedB64),
        rate(m.trainFull),
        rate(m.trainHead),
        m.peakRssMiB.toFixed(0),
        notes.filter(Boolean).join("; "),
      ];
    }),
  );
}

main()
  // Threaded WASM keeps Node alive: leave explicitly.
  .then(() => process.exit(0))
  .catch((err: unknown) => {
    console.error(
      err instanceof UsageError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err),
    );
    process.exit(err instanceof UsageError ? 2 : 1);
  });
