// The loop, measured: a simulated reviewer corrects the model through the real app (HTTP API,
// Postgres, pg-boss, worker); an admin retrains at checkpoints; each new version is measured on a
// holdout against FER+ crowd labels and the original FER2013 labels.
// Run: npm run bench:loop [-- --base <model dir>] [--limit N --checkpoints 20,40 --epochs 1] (--help for all flags)
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { getEnv } from "@/lib/env/env";
import { allowNativeAccelerator, getTf } from "@/lib/tf/backend";
import { readModelMetadata } from "@/lib/model/metadata";
import { checksumDir } from "@/lib/registry/checksum";
import { startTestApp, type TestApp } from "@/test/support/app-server";
import { trainingParamsSchema, type TrainingParams } from "@/worker/params";
import {
  dropSeenFromHoldout,
  FERPLUS_COLUMNS,
  FERPLUS_TO_MODEL,
  loadLabeledFaces,
  splitStreamHoldout,
  type FaceRecord,
  type FerPlusColumn,
  type SkipReason,
} from "./support/ferplus";
import { apiClient, signIn, type ApiClient } from "./support/http";
import { readHoldout, scoreVersionDir, type Holdout } from "./support/measure";
import {
  formatTable,
  headerLines,
  machineInfo,
  renderMarkdown,
  targetLines,
  type CheckpointRow,
  type LoopResult,
  type Score,
} from "./support/report";

const USAGE = `npm run bench:loop -- [flags]

  --base <dir>          base model folder (default models/baseline), registered as version 1
  --data <dir>          FER2013 test-public folder (default ../shared/data/fer2013/test-public)
  --mapping <csv>       ferplus-mapping.csv (default <data>/../ferplus-mapping.csv)
  --ferplus <csv>       FER+ fer2013new.csv (default <data>/../../ferplus/fer2013new.csv)
  --train <dir>         FER2013 train folder; exact copies of its images leave the holdout (default <data>/../train)
  --seed <n>            split and stream order (default 1)
  --holdout <fraction>  held out per class (default 0.3)
  --limit <n>           stream only the first n faces
  --checkpoints <list>  verdict counts to retrain at, plus "all" (default 100,300,1000,all)
  --epochs, --lr, --strategy head|full, --batch-size   job params (defaults: the API's)
  --min-samples <n>     job param (default 10)
  --job-timeout <min>   give up on a job after this many minutes (default 360)
  --out <dir>           where loop-<date>-<backend>.md/.json go (default bench/results)
  --keep                keep the app's temp folder (database, crops, versions) for inspection`;

const JOB_POLL_MS = 2_000;
const PROGRESS_PRINT_MS = 15_000;

interface Options {
  base: string;
  data: string;
  mappingCsv: string;
  ferplusCsv: string;
  trainDir: string;
  seed: number;
  holdout: number;
  limit: number | null;
  checkpoints: number[];
  checkpointAll: boolean;
  params: TrainingParams;
  jobTimeoutMs: number;
  out: string;
  keep: boolean;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      base: { type: "string", default: "models/baseline" },
      data: { type: "string", default: "../shared/data/fer2013/test-public" },
      mapping: { type: "string" },
      ferplus: { type: "string" },
      train: { type: "string" },
      seed: { type: "string", default: "1" },
      holdout: { type: "string", default: "0.3" },
      limit: { type: "string" },
      checkpoints: { type: "string", default: "100,300,1000,all" },
      epochs: { type: "string" },
      lr: { type: "string" },
      strategy: { type: "string" },
      "batch-size": { type: "string" },
      "min-samples": { type: "string", default: "10" },
      "job-timeout": { type: "string", default: "360" },
      out: { type: "string", default: "bench/results" },
      keep: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name: string, v: string, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${v}"`);
    return n;
  };
  const parts = values.checkpoints
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const checkpoints = [...new Set(parts.filter((p) => p !== "all").map((p) => int("checkpoints", p, 1)))].sort(
    (a, b) => a - b,
  );
  const checkpointAll = parts.includes("all");
  if (!checkpoints.length && !checkpointAll) throw new UsageError("--checkpoints needs at least one count or all");
  const params = trainingParamsSchema.safeParse({
    epochs: values.epochs,
    learning_rate: values.lr,
    strategy: values.strategy,
    batch_size: values["batch-size"],
    min_samples: values["min-samples"],
  });
  if (!params.success)
    throw new UsageError(
      `job params: ${params.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  const holdout = Number(values.holdout);
  if (!(holdout > 0 && holdout < 1))
    throw new UsageError(`--holdout must be a fraction in (0, 1), got "${values.holdout}"`);
  const data = path.resolve(values.data);
  return {
    base: path.resolve(values.base),
    data,
    mappingCsv: path.resolve(values.mapping ?? path.join(data, "..", "ferplus-mapping.csv")),
    ferplusCsv: path.resolve(values.ferplus ?? path.join(data, "..", "..", "ferplus", "fer2013new.csv")),
    trainDir: path.resolve(values.train ?? path.join(data, "..", "train")),
    seed: int("seed", values.seed, 0),
    holdout,
    limit: values.limit === undefined ? null : int("limit", values.limit, 1),
    checkpoints,
    checkpointAll,
    params: params.data,
    jobTimeoutMs: int("job-timeout", values["job-timeout"], 1) * 60_000,
    out: path.resolve(values.out),
    keep: values.keep,
  };
}

class UsageError extends Error {}

interface UploadAnswer {
  faces: { prediction_id: number; label: string; model_version: { version: number } }[];
  /** Set when the same bytes were uploaded before (200). */
  duplicate_of?: number;
}

interface JobView {
  id: number;
  status: string;
  progress: {
    epoch: number;
    epochs: number;
    batch: number;
    batches: number;
    samplesPerSec?: number;
    etaSeconds?: number;
  } | null;
  candidate_version: { id: number; version: number; status: string } | null;
  error: string | null;
  decision: { promote?: boolean; reason?: string } | null;
  snapshot_size: number | null;
}

interface ModelView {
  model: {
    id: number;
    version: number;
    status: string;
    checksum: string;
    metrics: {
      holdout?: { n: number; accuracy: number };
      active_holdout?: { accuracy: number } | null;
      snapshot?: unknown;
      training?: { durationSeconds?: number; backend?: string };
    } | null;
  };
}

let app: TestApp | null = null;
let keepFiles = false;

async function main(): Promise<void> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const opts = parseOptions();
  keepFiles = opts.keep;
  getEnv();

  // Preconditions, with what to do about each.
  if (!fs.existsSync(path.join(opts.base, "model.json")) || !fs.existsSync(path.join(opts.base, "metadata.json"))) {
    throw new UsageError(
      `No base model at ${opts.base} (model.json + metadata.json). Run \`npm run train:baseline\` first, or pass --base <model dir>.`,
    );
  }
  for (const [what, p] of [
    ["--data", opts.data],
    ["--mapping", opts.mappingCsv],
    ["--ferplus", opts.ferplusCsv],
  ] as const) {
    if (!fs.existsSync(p))
      throw new UsageError(
        `${what}: ${p} not found. The bench needs the FER2013 folders and FER+ labels in ../shared/data (see its README).`,
      );
  }
  const baseMeta = await readModelMetadata(opts.base);

  // Data: one seeded, stratified split; the stream is shuffled across classes.
  const faces = await loadLabeledFaces({
    dataDir: opts.data,
    mappingCsv: opts.mappingCsv,
    ferplusCsv: opts.ferplusCsv,
  });
  const split = splitStreamHoldout(faces, opts.holdout, opts.seed);
  const stream = opts.limit === null ? split.stream : split.stream.slice(0, opts.limit);
  // Against the whole stream, not just the --limit part, so a smoke run measures the same holdout.
  const trainDir = fs.existsSync(opts.trainDir) ? opts.trainDir : null;
  const unseen = await dropSeenFromHoldout(split.holdout, split.stream, trainDir);
  const holdout = await readHoldout(unseen.holdout);
  const crowdColumns = Object.fromEntries(FERPLUS_COLUMNS.map((c) => [c, 0])) as Record<FerPlusColumn, number>;
  const skipped: Record<SkipReason, number> = { tie: 0, unknown: 0, NF: 0, "no-votes": 0, "no-ferplus-row": 0 };
  for (const f of faces) {
    if (f.ferplus.label) crowdColumns[f.ferplus.column] += 1;
    else {
      skipped[f.ferplus.skip] += 1;
      if (f.ferplus.skip === "unknown" || f.ferplus.skip === "NF") crowdColumns[f.ferplus.skip] += 1;
    }
  }
  console.log(
    `data: ${faces.length} faces → stream ${split.stream.length} (using ${stream.length}), holdout ${split.holdout.length} ` +
      `→ ${holdout.faces.length} after dropping exact copies of stream (${unseen.inStream}) and train (${unseen.inTrain}) images; ` +
      `${faces.length - Object.values(skipped).reduce((a, b) => a + b, 0)} have a FER+ majority label`,
  );
  if (!trainDir) console.log(`(no ${opts.trainDir}: the holdout keeps images that may be copies of training images)`);

  const rt = await getTf();
  const baselineScore = await scoreVersionDir(opts.base, holdout);
  console.log(
    `baseline on the holdout: ${pct(baselineScore.ferplus.accuracy)} vs FER+ (n=${baselineScore.ferplus.n}), ` +
      `${pct(baselineScore.original.accuracy)} vs original (n=${baselineScore.original.n}) [${baselineScore.seconds.toFixed(1)} s]`,
  );

  // The app, as `npm start` runs it, with a worker.
  const tStart = performance.now();
  console.log("starting the app (launcher + web server + worker) …");
  // A fresh database on TEST_DATABASE_URL's server, or else the launcher's own embedded default.
  const database = getEnv().TEST_DATABASE_URL ? "server" : "embedded";
  // A real model's warm-up takes longer than the tiny one's the tests use.
  app = await startTestApp({
    baseModelDir: opts.base,
    worker: true,
    embeddedDatabase: database === "embedded",
    startupTimeoutMs: 180_000,
  });
  const startupSeconds = (performance.now() - tStart) / 1000;
  const health = await apiClient(app.baseUrl).get<{ backend: string | null; model: { version: number } | null }>(
    "/api/health",
  );
  if (!health.model) throw new Error("the app has no active model after start");
  console.log(
    `app on ${app.baseUrl} (${database} database), backend ${health.backend}, model v${health.model.version}; started in ${startupSeconds.toFixed(0)} s`,
  );

  // People: the bootstrap admin, and a reviewer created through the API, each with an API token.
  const adminCookie = await signIn(app.baseUrl, app.admin.email, app.admin.password);
  const adminToken = await createToken(app.baseUrl, adminCookie, "bench admin");
  const admin = apiClient(app.baseUrl, { token: adminToken });
  const reviewerLogin = { email: "reviewer@bench.test", password: "bench-reviewer-password" };
  await admin.post("/api/users", { ...reviewerLogin, name: "Simulated reviewer", role: "REVIEWER" }, [201]);
  const reviewerToken = await createToken(
    app.baseUrl,
    await signIn(app.baseUrl, reviewerLogin.email, reviewerLogin.password),
    "bench reviewer",
  );
  const reviewer = apiClient(app.baseUrl, { token: reviewerToken });

  // The stream: upload each face, give the FER+ verdict, retrain at each checkpoint.
  const pending = [...opts.checkpoints];
  const rows: CheckpointRow[] = [];
  const notes: string[] = [];
  let uploaded = 0;
  let verdicts = 0;
  let incorrect = 0;
  let streamMs = 0;
  let lastPrint = performance.now();
  const checkpoint = async (name: string) => {
    const row = await retrainAndMeasure({
      name,
      admin,
      app: app!,
      holdout,
      params: opts.params,
      timeoutMs: opts.jobTimeoutMs,
    });
    rows.push({ ...row, checkpoint: name, faces: uploaded, verdicts, incorrect });
    console.log(`\n${formatTable(snapshotResult())}\n`);
  };
  const snapshotResult = (): LoopResult => ({
    date: startedAt,
    machine: machineInfo(),
    backend: {
      app: health.backend,
      bench: `${rt.backend}${rt.threads ? ` (${rt.threads} thread${rt.threads === 1 ? "" : "s"})` : ""}`,
    },
    // Relative to the project, so results read the same on every machine.
    base: { dir: shown(opts.base), name: baseMeta.name ?? null },
    data: { dir: shown(opts.data), mappingCsv: shown(opts.mappingCsv), ferplusCsv: shown(opts.ferplusCsv) },
    seed: opts.seed,
    holdoutFraction: opts.holdout,
    split: {
      faces: faces.length,
      stream: split.stream.length,
      streamUsed: stream.length,
      holdoutDrawn: split.holdout.length,
      holdoutDropped: {
        copyInStream: unseen.inStream,
        copyInTrain: unseen.inTrain,
        trainDir: trainDir && shown(trainDir),
      },
      holdout: holdout.faces.length,
      holdoutWithCrowdLabel: baselineScore.ferplus.n,
      crowdColumns,
      skipped,
    },
    params: { ...opts.params },
    appEnv: appEnv(),
    baseline: { version: health.model!.version, ferplus: baselineScore.ferplus, original: baselineScore.original },
    rows,
    notes,
    timings: {
      startupSeconds,
      streamSeconds: streamMs / 1000,
      facesPerSecond: uploaded / Math.max(streamMs / 1000, 1e-9),
      totalSeconds: (performance.now() - t0) / 1000,
    },
  });

  for (const face of stream) {
    const tFace = performance.now();
    const verdict = await reviewOne(reviewer, face);
    uploaded += 1;
    if (verdict) {
      verdicts += 1;
      if (verdict === "incorrect") incorrect += 1;
    }
    streamMs += performance.now() - tFace;
    if (performance.now() - lastPrint > 10_000) {
      lastPrint = performance.now();
      console.log(
        `stream: ${uploaded}/${stream.length} faces, ${verdicts} verdicts (${pct(incorrect / Math.max(verdicts, 1))} incorrect), ` +
          `${(uploaded / (streamMs / 1000)).toFixed(1)} faces/s`,
      );
    }
    if (pending[0] !== undefined && verdicts >= pending[0]) {
      const n = pending.shift()!;
      await checkpoint(String(n));
    }
  }
  const lastVerdicts = rows.at(-1)?.verdicts ?? 0;
  if (pending.length) {
    const which = pending.length === 1 ? `Checkpoint ${pending[0]} was` : `Checkpoints ${pending.join(", ")} were`;
    notes.push(
      `${which} not reached: the stream gave ${verdicts} verdicts; the run retrained once more at the end instead.`,
    );
  }
  if ((opts.checkpointAll || pending.length) && verdicts > lastVerdicts)
    await checkpoint(opts.checkpointAll ? "all" : `end (${verdicts})`);

  notes.push(
    "Holdout: a seeded, per-class share of FER2013 test-public, split once before the stream and never uploaded. test-public is " +
      "outside the baseline's training split (`npm run train:baseline` trains on fer2013/train and only reports test-public), and " +
      "holdout faces whose exact image (byte-identical file) also appears in fer2013/train or in the stream are dropped, so accuracy " +
      "against the original labels there is a fair forgetting check: forgetting = the drop vs the baseline on original labels.",
    "Accuracy vs FER+ counts only holdout faces with a FER+ majority label; accuracy vs original counts every holdout face. " +
      "The FER+ majority disagrees with the original label on many faces, so the two targets pull in different directions.",
    "The simulated reviewer answers `correct` when the prediction equals the FER+ label, else `incorrect` with the FER+ label; " +
      "faces without one are uploaded and left unreviewed. Incorrect share = incorrect verdicts / all verdicts so far, on " +
      "predictions made by whichever version was active when the face arrived.",
    "Each job fine-tunes the active version on every verdict so far (with the app's replay of the base model's training data " +
      "when that is on disk, REPLAY_PER_CLASS); its own gate holds out 20 % of the verdicts per class. Train time = the fine-tune " +
      "alone (the candidate's metrics); the job's wall time is in the list under the table.",
    `Measured in the bench process with loadModelFromDir + predictImages (the app's preprocessing) and training/metrics computeMetrics, ` +
      `on the version folders the app wrote (checksums checked against GET /api/models/:id).`,
  );

  const result = snapshotResult();
  fs.mkdirSync(opts.out, { recursive: true });
  const stem = path.join(
    opts.out,
    `loop-${result.date.slice(0, 10)}-${(health.backend ?? "unknown").replace(/[^a-z0-9_-]/gi, "_")}`,
  );
  fs.writeFileSync(`${stem}.md`, renderMarkdown(result));
  fs.writeFileSync(`${stem}.json`, JSON.stringify({ ...result, mapping: FERPLUS_TO_MODEL }, null, 2) + "\n");

  console.log(`\n# The loop, measured\n`);
  for (const l of headerLines(result)) console.log(l);
  console.log("");
  console.log(formatTable(result));
  console.log("");
  for (const l of targetLines(result)) console.log(`target: ${l}`);
  console.log(
    `\nstream ${result.timings.facesPerSecond.toFixed(1)} faces/s; whole run ${result.timings.totalSeconds.toFixed(0)} s`,
  );
  console.log(`wrote ${stem}.md and ${stem}.json`);
}

/** Uploads one face as a crop and, when it has a FER+ label, gives the verdict. */
async function reviewOne(reviewer: ApiClient, face: FaceRecord): Promise<"correct" | "incorrect" | null> {
  const bytes = fs.readFileSync(face.file);
  const type = /\.png$/i.test(face.file) ? "image/png" : "image/jpeg";
  const up = await reviewer.uploadFaceCrop<UploadAnswer>(bytes, path.basename(face.file), type);
  const predicted = up.faces[0];
  if (up.faces.length !== 1 || !predicted)
    throw new Error(`${face.key}: a face-crop upload gave ${up.faces.length} faces`);
  // An image byte-identical to one uploaded before is that upload: its face has this reviewer's verdict.
  if (!face.ferplus.label || up.duplicate_of !== undefined) return null;
  const correct = predicted.label === face.ferplus.label;
  await reviewer.post(
    "/api/reviews",
    correct
      ? { prediction_id: predicted.prediction_id, verdict: "correct" }
      : { prediction_id: predicted.prediction_id, verdict: "incorrect", corrected_label: face.ferplus.label },
    [201],
  );
  return correct ? "correct" : "incorrect";
}

/** As the admin: start a retrain, wait for it (printing progress), and measure its candidate. */
async function retrainAndMeasure(o: {
  name: string;
  admin: ApiClient;
  app: TestApp;
  holdout: Holdout;
  params: TrainingParams;
  timeoutMs: number;
}): Promise<Omit<CheckpointRow, "checkpoint" | "faces" | "verdicts" | "incorrect">> {
  const { admin } = o;
  const { job_id: jobId } = await admin.post<{ job_id: number }>("/api/training-jobs", o.params, [202]);
  console.log(`checkpoint ${o.name}: training job ${jobId} queued (${JSON.stringify(o.params)})`);
  const t0 = performance.now();
  let lastLine = "";
  let lastPrint = 0;
  let job: JobView;
  for (;;) {
    job = (await admin.get<{ job: JobView }>(`/api/training-jobs/${jobId}`)).job;
    if (["SUCCEEDED", "FAILED", "CANCELLED"].includes(job.status)) break;
    const elapsed = (performance.now() - t0) / 1000;
    if (performance.now() - t0 > o.timeoutMs) {
      await admin.post(`/api/training-jobs/${jobId}/cancel`, {}).catch(() => {});
      throw new Error(
        `training job ${jobId} did not finish within ${Math.round(o.timeoutMs / 60_000)} min (last: ${lastLine}); cancelled it`,
      );
    }
    const p = job.progress;
    const line = p
      ? `epoch ${p.epoch}/${p.epochs}, batch ${p.batch}/${p.batches}` +
        (p.samplesPerSec ? `, ${p.samplesPerSec.toFixed(0)} samples/s` : "") +
        (p.etaSeconds !== undefined ? `, eta ${Math.round(p.etaSeconds)} s` : "")
      : job.status.toLowerCase();
    if (line !== lastLine && performance.now() - lastPrint > PROGRESS_PRINT_MS) {
      console.log(`  job ${jobId} ${job.status.toLowerCase()} ${elapsed.toFixed(0)} s: ${line}`);
      lastPrint = performance.now();
      lastLine = line;
    }
    await new Promise((r) => setTimeout(r, JOB_POLL_MS));
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  console.log(
    `  job ${jobId} ${job.status.toLowerCase()} after ${wallSeconds.toFixed(0)} s${job.error ? `: ${job.error}` : ""}${job.decision?.reason ? `; ${job.decision.reason}` : ""}`,
  );
  const jobRow: CheckpointRow["job"] = {
    id: jobId,
    status: job.status,
    error: job.error,
    wallSeconds,
    trainSeconds: null,
    backend: null,
    snapshot: null,
    decision: job.decision?.reason ?? null,
    gate: null,
  };
  const cand = job.candidate_version;
  if (job.status !== "SUCCEEDED" || !cand) return { job: jobRow, candidate: null, score: null };

  const { model } = await admin.get<ModelView>(`/api/models/${cand.id}`);
  const m = model.metrics;
  jobRow.trainSeconds = m?.training?.durationSeconds ?? null;
  jobRow.backend = m?.training?.backend ?? null;
  jobRow.snapshot = m?.snapshot ?? null;
  jobRow.gate = m?.holdout
    ? { candidate: m.holdout.accuracy, active: m.active_holdout?.accuracy ?? null, n: m.holdout.n }
    : null;

  // The runner writes a job's version to versions/job-<id>-<random>; the checksum proves which folder is this version.
  const versionsDir = path.join(o.app.modelsDir, "versions");
  const folders = fs.readdirSync(versionsDir).filter((f) => f.startsWith(`job-${jobId}-`));
  const sums = await Promise.all(
    folders.map((f) => checksumDir(path.join(versionsDir, f)).catch((err: unknown) => `unreadable: ${String(err)}`)),
  );
  const found = folders[sums.indexOf(model.checksum)];
  if (!found) {
    const seen = folders.map((f, i) => `${f}: ${sums[i]}`).join(", ") || "none";
    throw new Error(
      `no versions/job-${jobId}-* folder holds version ${model.version} (checksum ${model.checksum}; found ${seen})`,
    );
  }
  const dir = path.join(versionsDir, found);
  const s = await scoreVersionDir(dir, o.holdout);
  const score: Score = { ferplus: s.ferplus, original: s.original };
  console.log(
    `  v${model.version} on the holdout: ${pct(s.ferplus.accuracy)} vs FER+, ${pct(s.original.accuracy)} vs original [${s.seconds.toFixed(1)} s]`,
  );
  // Status as the job left it: ACTIVE right after the job means the gate promoted it.
  return {
    job: jobRow,
    candidate: { id: cand.id, version: cand.version, status: cand.status, promoted: cand.status === "ACTIVE" },
    score,
  };
}

/** POST /api/tokens takes a signed-in session only; the secret is shown once. */
async function createToken(baseUrl: string, cookie: string, name: string): Promise<string> {
  const { secret } = await apiClient(baseUrl, { cookie }).post<{ secret: string }>("/api/tokens", { name }, [201]);
  return secret;
}

/** The app settings that change the outcome, as the app sees them (the launcher inherits this environment). */
function appEnv(): LoopResult["appEnv"] {
  const e = getEnv();
  return {
    PROMOTION_AUTO: e.PROMOTION_AUTO,
    PROMOTION_GOLDEN_TOLERANCE: e.PROMOTION_GOLDEN_TOLERANCE,
    REPLAY_PER_CLASS: e.REPLAY_PER_CLASS,
    TFJS_BACKEND: e.TFJS_BACKEND ?? null,
    TFJS_WASM_THREADS: e.TFJS_WASM_THREADS ?? null,
  };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

let exiting = false;
async function shutdown(code: number): Promise<void> {
  // A second Ctrl-C while stopping changes nothing: the stop is bounded (about 35 s at most).
  if (exiting) return;
  exiting = true;
  if (app) {
    if (code !== 0) console.error(`launcher: ${app.launcherState()}\nlast app output:\n${app.output().slice(-3000)}`);
    console.log(keepFiles ? `stopping the app (keeping ${app.work}) …` : "stopping the app …");
    await app
      .stop({ keepFiles })
      .catch((err: unknown) => console.error(`could not stop the app cleanly: ${String(err)}`));
  }
  // Threaded WASM keeps Node alive: leave explicitly.
  process.exit(code);
}

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    console.error(`\n${sig}: stopping`);
    void shutdown(130);
  });
}

// Measures version folders in-process and never detects faces (uploads go through the app).
allowNativeAccelerator();
main()
  .then(() => shutdown(0))
  .catch((err: unknown) => {
    console.error(
      err instanceof UsageError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err),
    );
    return shutdown(err instanceof UsageError ? 2 : 1);
  });

function shown(p: string): string {
  return path.relative(process.cwd(), p) || ".";
}
