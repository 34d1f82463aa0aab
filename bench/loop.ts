// The loop, measured: a simulated reviewer corrects the model through the real app (HTTP API,
// Postgres, pg-boss, worker); an admin retrains at checkpoints; each new version is measured on a
// holdout against FER+ crowd labels and the original FER2013 labels. The reviewer answers the faces
// as they arrive, or works the app's review queue in one of its orders; several orders and seeds run
// one after another, each on a fresh app, and are compared in one table.
// Run: npm run bench:loop [-- --base <model dir>] [--order uncertain,arrival --seed 1,2,3] [--limit N --checkpoints 20,40 --epochs 1] (--help for all flags)
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { getEnv } from "@/lib/env/env";
import { topMargin } from "@/lib/model/top-prediction";
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
  formatOrdersTable,
  formatTable,
  headerLines,
  LOOP_ORDERS,
  machineInfo,
  ordersResult,
  renderMarkdown,
  renderOrdersMarkdown,
  targetLines,
  type CheckpointRow,
  type LoopOrder,
  type LoopResult,
  type Score,
} from "./support/report";

const USAGE = `npm run bench:loop -- [flags]

  --base <dir>          base model folder (default models/baseline), registered as version 1
  --data <dir>          FER2013 test-public folder (default ../shared/data/fer2013/test-public)
  --mapping <csv>       ferplus-mapping.csv (default <data>/../ferplus-mapping.csv)
  --ferplus <csv>       FER+ fer2013new.csv (default <data>/../../ferplus/fer2013new.csv)
  --train <dir>         FER2013 train folder; exact copies of its images leave the holdout (default <data>/../train)
  --seed <list>         split and stream order; one run per seed, e.g. 1,2,3 (default 1)
  --order <list>        the order the reviewer answers the faces in; one run per order (default uncertain):
                          arrival    each face answered as it is uploaded
                          uncertain, random, newest
                                     the whole stream uploaded first, then answered as the app's review
                                     queue serves it (GET /api/review/next?order=…; uncertain is its default)
  --holdout <fraction>  held out per class (default 0.3)
  --limit <n>           stream only the first n faces
  --checkpoints <list>  verdict counts to retrain at, plus "all" (default 100,300,1000,all)
  --epochs, --lr, --strategy head|full, --batch-size   job params (defaults: the API's)
  --min-samples <n>     job param (default 10)
  --job-timeout <min>   give up on a job after this many minutes (default 360)
  --out <dir>           where each run's loop-<date>-<backend>-<order>-seed<n>.md/.json go, and with more
                        than one run the comparison loop-orders-<date>-<backend>.md/.json (default bench/results)
  --keep                keep each app's temp folder (database, crops, versions) for inspection`;

const JOB_POLL_MS = 2_000;
const PROGRESS_PRINT_MS = 15_000;

interface Options {
  base: string;
  data: string;
  mappingCsv: string;
  ferplusCsv: string;
  trainDir: string;
  seeds: number[];
  orders: LoopOrder[];
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
      order: { type: "string", default: "uncertain" },
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
  const list = (v: string) =>
    v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  const parts = list(values.checkpoints);
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
  const seeds = [...new Set(list(values.seed).map((p) => int("seed", p, 0)))];
  if (!seeds.length) throw new UsageError("--seed needs at least one seed");
  const asked = [...new Set(list(values.order))];
  const orders = asked.filter((o): o is LoopOrder => (LOOP_ORDERS as readonly string[]).includes(o));
  if (!asked.length || orders.length !== asked.length)
    throw new UsageError(`--order takes ${LOOP_ORDERS.join(", ")} (comma-separated), got "${values.order}"`);
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
    seeds,
    orders,
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
  /** This upload's id, or with `duplicate_of` the earlier upload's. */
  upload_id: number;
  faces: {
    prediction_id: number;
    label: string;
    probabilities: Record<string, number>;
    model_version: { version: number };
  }[];
  /** Set when the same bytes were uploaded before (200). */
  duplicate_of?: number;
}

/** GET /api/review/next's item, as far as the bench reads it. */
interface QueueItem {
  prediction_id: number;
  face: { id: number; upload: { id: number } };
  prediction: { label: string; margin: number; model_version: { version: number } };
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

/** The same for every run: options, the labelled faces (read once) and what is known about them. */
interface Shared {
  opts: Options;
  faces: FaceRecord[];
  crowdColumns: Record<FerPlusColumn, number>;
  skipped: Record<SkipReason, number>;
  baseName: string | null;
  benchBackend: string;
}

/** One seed's split, holdout and baseline: the same for every order, so orders differ only in when a face is answered. */
interface SeedData {
  seed: number;
  split: { stream: FaceRecord[]; holdout: FaceRecord[] };
  /** The part of the stream used (--limit). */
  stream: FaceRecord[];
  trainDir: string | null;
  unseen: { inStream: number; inTrain: number };
  holdout: Holdout;
  baseline: Score;
}

/** The simulated reviewer's answer, as POST /api/reviews takes it (less the prediction id). */
type Answer = { verdict: "correct" | "not_a_face" | "unsure" } | { verdict: "incorrect"; corrected_label: string };

/** How many answered faces a results file lists, to show which faces an order serves first. */
const FIRST_ANSWERED = 10;

async function main(): Promise<void> {
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

  // Data, read once: every seed splits the same faces.
  const faces = await loadLabeledFaces({
    dataDir: opts.data,
    mappingCsv: opts.mappingCsv,
    ferplusCsv: opts.ferplusCsv,
  });
  const crowdColumns = Object.fromEntries(FERPLUS_COLUMNS.map((c) => [c, 0])) as Record<FerPlusColumn, number>;
  const skipped: Record<SkipReason, number> = { tie: 0, unknown: 0, NF: 0, "no-votes": 0, "no-ferplus-row": 0 };
  for (const f of faces) {
    if (f.ferplus.label) crowdColumns[f.ferplus.column] += 1;
    else {
      skipped[f.ferplus.skip] += 1;
      if (f.ferplus.skip === "unknown" || f.ferplus.skip === "NF") crowdColumns[f.ferplus.skip] += 1;
    }
  }
  const rt = await getTf();
  const shared: Shared = {
    opts,
    faces,
    crowdColumns,
    skipped,
    baseName: baseMeta.name ?? null,
    benchBackend: `${rt.backend}${rt.threads ? ` (${rt.threads} thread${rt.threads === 1 ? "" : "s"})` : ""}`,
  };

  const runs = opts.seeds.length * opts.orders.length;
  const results: LoopResult[] = [];
  const files: string[] = [];
  for (const seed of opts.seeds) {
    const data = await prepareSeed(shared, seed);
    for (const order of opts.orders) {
      if (runs > 1) console.log(`\n=== run ${results.length + 1} of ${runs}: seed ${seed}, order ${order} ===`);
      const result = await runLoop(shared, data, order);
      fs.mkdirSync(opts.out, { recursive: true });
      const stem = path.join(
        opts.out,
        `loop-${result.date.slice(0, 10)}-${fileSafe(result.backend.app)}-${order}-seed${seed}`,
      );
      fs.writeFileSync(`${stem}.md`, renderMarkdown(result));
      fs.writeFileSync(`${stem}.json`, JSON.stringify({ ...result, mapping: FERPLUS_TO_MODEL }, null, 2) + "\n");
      results.push(result);
      files.push(path.basename(`${stem}.md`));

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
      // The next run starts its own app on a fresh database.
      await stopApp();
    }
  }

  if (results.length > 1) {
    const comparison = ordersResult(startedAt, results, files);
    const stem = path.join(opts.out, `loop-orders-${startedAt.slice(0, 10)}-${fileSafe(comparison.backend.app)}`);
    fs.writeFileSync(`${stem}.md`, renderOrdersMarkdown(comparison));
    fs.writeFileSync(`${stem}.json`, JSON.stringify(comparison, null, 2) + "\n");
    console.log(`\n# The loop by review order (Δ in points vs each seed's baseline)\n`);
    console.log(formatOrdersTable(comparison.summary));
    console.log(`\nwrote ${stem}.md and ${stem}.json`);
  }
}

/** One seeded, stratified split (the stream shuffled across classes), its holdout and the baseline's score on it. */
async function prepareSeed(shared: Shared, seed: number): Promise<SeedData> {
  const { opts, faces, skipped } = shared;
  const split = splitStreamHoldout(faces, opts.holdout, seed);
  const stream = opts.limit === null ? split.stream : split.stream.slice(0, opts.limit);
  // Against the whole stream, not just the --limit part, so a smoke run measures the same holdout.
  const trainDir = fs.existsSync(opts.trainDir) ? opts.trainDir : null;
  const unseen = await dropSeenFromHoldout(split.holdout, split.stream, trainDir);
  const holdout = await readHoldout(unseen.holdout);
  console.log(
    `data (seed ${seed}): ${faces.length} faces → stream ${split.stream.length} (using ${stream.length}), holdout ${split.holdout.length} ` +
      `→ ${holdout.faces.length} after dropping exact copies of stream (${unseen.inStream}) and train (${unseen.inTrain}) images; ` +
      `${faces.length - Object.values(skipped).reduce((a, b) => a + b, 0)} have a FER+ majority label`,
  );
  if (!trainDir) console.log(`(no ${opts.trainDir}: the holdout keeps images that may be copies of training images)`);
  const s = await scoreVersionDir(opts.base, holdout);
  console.log(
    `baseline on the holdout: ${pct(s.ferplus.accuracy)} vs FER+ (n=${s.ferplus.n}), ` +
      `${pct(s.original.accuracy)} vs original (n=${s.original.n}) [${s.seconds.toFixed(1)} s]`,
  );
  return {
    seed,
    split,
    stream,
    trainDir,
    unseen: { inStream: unseen.inStream, inTrain: unseen.inTrain },
    holdout,
    baseline: { ferplus: s.ferplus, original: s.original },
  };
}

/** One run: a fresh app, the stream answered in `order`, a retrain and a measurement at each checkpoint. */
async function runLoop(shared: Shared, data: SeedData, order: LoopOrder): Promise<LoopResult> {
  const { opts } = shared;
  const { stream, holdout } = data;
  const t0 = performance.now();
  const startedAt = new Date().toISOString();

  // The app, as `npm start` runs it, with a worker.
  await stopApp();
  const tStart = performance.now();
  console.log("starting the app (launcher + web server + worker) …");
  // A fresh database on TEST_DATABASE_URL's server, or else the launcher's own embedded default.
  const database = getEnv().TEST_DATABASE_URL ? "server" : "embedded";
  // A real model's warm-up takes longer than the tiny one's the tests use.
  const running = await startTestApp({
    baseModelDir: opts.base,
    worker: true,
    embeddedDatabase: database === "embedded",
    startupTimeoutMs: 180_000,
  });
  app = running;
  const startupSeconds = (performance.now() - tStart) / 1000;
  const health = await apiClient(running.baseUrl).get<{ backend: string | null; model: { version: number } | null }>(
    "/api/health",
  );
  const baseVersion = health.model?.version;
  if (baseVersion === undefined) throw new Error("the app has no active model after start");
  console.log(
    `app on ${running.baseUrl} (${database} database), backend ${health.backend}, model v${baseVersion}; started in ${startupSeconds.toFixed(0)} s`,
  );

  // People: the bootstrap admin, and a reviewer created through the API, each with an API token.
  const adminCookie = await signIn(running.baseUrl, running.admin.email, running.admin.password);
  const adminToken = await createToken(running.baseUrl, adminCookie, "bench admin");
  const admin = apiClient(running.baseUrl, { token: adminToken });
  const reviewerLogin = { email: "reviewer@bench.test", password: "bench-reviewer-password" };
  await admin.post("/api/users", { ...reviewerLogin, name: "Simulated reviewer", role: "REVIEWER" }, [201]);
  const reviewerToken = await createToken(
    running.baseUrl,
    await signIn(running.baseUrl, reviewerLogin.email, reviewerLogin.password),
    "bench reviewer",
  );
  const reviewer = apiClient(running.baseUrl, { token: reviewerToken });

  const pending = [...opts.checkpoints];
  const rows: CheckpointRow[] = [];
  const notes: string[] = [];
  const firstAnswered: LoopResult["firstAnswered"] = [];
  const otherVerdicts: LoopResult["otherVerdicts"] = { not_a_face: 0, unsure: 0 };
  let uploaded = 0;
  let verdicts = 0;
  let incorrect = 0;
  let streamMs = 0;
  let lastPrint = performance.now();
  const checkpoint = async (name: string) => {
    const row = await retrainAndMeasure({
      name,
      admin,
      app: running,
      holdout,
      params: opts.params,
      timeoutMs: opts.jobTimeoutMs,
    });
    rows.push({ ...row, checkpoint: name, faces: uploaded, verdicts, incorrect });
    console.log(`\n${formatTable(snapshotResult())}\n`);
  };
  const checkpointReached = async () => {
    if (pending[0] !== undefined && verdicts >= pending[0]) await checkpoint(String(pending.shift()));
  };
  /** Posts the answer to a prediction and counts it; only correct and incorrect are corrections. */
  const answer = async (
    face: FaceRecord,
    shown: { upload: number; predictionId: number; label: string; margin: number },
  ) => {
    const a = answerFor(face, shown.label);
    await reviewer.post("/api/reviews", { prediction_id: shown.predictionId, ...a }, [201]);
    if (a.verdict === "correct" || a.verdict === "incorrect") {
      verdicts += 1;
      if (a.verdict === "incorrect") incorrect += 1;
    } else otherVerdicts[a.verdict] += 1;
    if (firstAnswered.length < FIRST_ANSWERED) {
      firstAnswered.push({
        upload: shown.upload,
        face: face.key,
        predicted: shown.label,
        margin: shown.margin,
        verdict: a.verdict,
      });
      if (firstAnswered.length === FIRST_ANSWERED)
        console.log(
          `first ${FIRST_ANSWERED} answered (upload id, margin): ${firstAnswered.map((f) => `#${f.upload} ${f.margin.toFixed(3)}`).join(", ")}`,
        );
    }
  };
  const printProgress = (what: string) => {
    if (performance.now() - lastPrint <= 10_000) return;
    lastPrint = performance.now();
    console.log(
      `${what}; ${verdicts} verdicts (${pct(incorrect / Math.max(verdicts, 1))} incorrect), ` +
        `${(uploaded / (streamMs / 1000)).toFixed(1)} faces/s`,
    );
  };
  const snapshotResult = (): LoopResult => ({
    date: startedAt,
    machine: machineInfo(),
    backend: { app: health.backend, bench: shared.benchBackend },
    // Relative to the project, so results read the same on every machine.
    base: { dir: shown(opts.base), name: shared.baseName },
    data: { dir: shown(opts.data), mappingCsv: shown(opts.mappingCsv), ferplusCsv: shown(opts.ferplusCsv) },
    seed: data.seed,
    order,
    holdoutFraction: opts.holdout,
    split: {
      faces: shared.faces.length,
      stream: data.split.stream.length,
      streamUsed: stream.length,
      holdoutDrawn: data.split.holdout.length,
      holdoutDropped: {
        copyInStream: data.unseen.inStream,
        copyInTrain: data.unseen.inTrain,
        trainDir: data.trainDir && shown(data.trainDir),
      },
      holdout: holdout.faces.length,
      holdoutWithCrowdLabel: data.baseline.ferplus.n,
      crowdColumns: shared.crowdColumns,
      skipped: shared.skipped,
    },
    params: { ...opts.params },
    appEnv: appEnv(),
    baseline: { version: baseVersion, ...data.baseline },
    rows,
    firstAnswered,
    otherVerdicts,
    notes,
    timings: {
      startupSeconds,
      streamSeconds: streamMs / 1000,
      facesPerSecond: uploaded / Math.max(streamMs / 1000, 1e-9),
      totalSeconds: (performance.now() - t0) / 1000,
    },
  });

  if (order === "arrival") {
    // Each face uploaded, given the FER+ verdict at once, a retrain at each checkpoint.
    for (const face of stream) {
      const tFace = performance.now();
      const up = await uploadFace(reviewer, face);
      uploaded += 1;
      // An image byte-identical to one uploaded before is that upload: its face has this reviewer's verdict.
      if (face.ferplus.label && up.duplicate_of === undefined) {
        const p = up.face;
        await answer(face, {
          upload: up.upload_id,
          predictionId: p.prediction_id,
          label: p.label,
          margin: topMargin(Object.values(p.probabilities)),
        });
      }
      streamMs += performance.now() - tFace;
      printProgress(`stream: ${uploaded}/${stream.length} faces`);
      await checkpointReached();
    }
  } else {
    // The whole stream first, so the queue holds every face before the first verdict.
    const byUpload = new Map<number, FaceRecord>();
    let duplicates = 0;
    for (const face of stream) {
      const tFace = performance.now();
      const up = await uploadFace(reviewer, face);
      uploaded += 1;
      // The same bytes as an earlier upload: the earlier upload's face stands for both.
      if (up.duplicate_of !== undefined) duplicates += 1;
      else byUpload.set(up.upload_id, face);
      streamMs += performance.now() - tFace;
      printProgress(`upload: ${uploaded}/${stream.length} faces`);
    }
    console.log(
      `uploaded ${uploaded} faces (${duplicates} the same bytes as an earlier one); answering them as ` +
        `GET /api/review/next?order=${order} serves them`,
    );
    let answered = 0;
    // Without "all", the queue is worked only as far as the last count asked for.
    while (pending.length || opts.checkpointAll) {
      const tItem = performance.now();
      const item = await reviewer.get<QueueItem | null>(`/api/review/next?order=${order}`, [200, 204]);
      if (!item) break;
      const face = byUpload.get(item.face.upload.id);
      if (!face)
        throw new Error(
          `the queue served prediction ${item.prediction_id} of upload ${item.face.upload.id}, which is none of the stream's uploads`,
        );
      await answer(face, {
        upload: item.face.upload.id,
        predictionId: item.prediction_id,
        label: item.prediction.label,
        margin: item.prediction.margin,
      });
      answered += 1;
      streamMs += performance.now() - tItem;
      printProgress(`queue: ${answered}/${byUpload.size} faces answered`);
      await checkpointReached();
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
    order === "arrival"
      ? "Order arrival: the simulated reviewer answers each face as it is uploaded, `correct` when the prediction equals the " +
          "FER+ label, else `incorrect` with the FER+ label; faces without one are uploaded and left unreviewed. Incorrect " +
          "share = incorrect verdicts / all verdicts so far, on predictions made by whichever version was active when the face arrived."
      : `Order ${order}: the simulated reviewer uploads the whole stream first, then takes faces from GET /api/review/next?order=${order} ` +
          `(${opts.checkpointAll ? "until the queue is empty" : "until the last checkpoint"}) and answers \`correct\` when the ` +
          "prediction equals the FER+ label, else `incorrect` with the FER+ label; a face without one is answered `not_a_face` " +
          "(FER+ majority NF) or `unsure` (a tie, unknown, no votes or no FER+ row), answers the app never trains on and that " +
          "are not counted as corrections. Every prediction the reviewer sees is the base version's, since all were made at " +
          "upload, before the first verdict; the incorrect share (incorrect / corrections so far) is the base version's errors " +
          "among the faces served so far.",
    "Each job fine-tunes the active version on every verdict so far (with the app's replay of the base model's training data " +
      "when that is on disk, REPLAY_PER_CLASS); its own gate holds out 20 % of the verdicts per class. Train time = the fine-tune " +
      "alone (the candidate's metrics); the job's wall time is in the list under the table.",
    `Measured in the bench process with loadModelFromDir + predictImages (the app's preprocessing) and training/metrics computeMetrics, ` +
      `on the version folders the app wrote (checksums checked against GET /api/models/:id).`,
  );
  return snapshotResult();
}

/** Uploads one face as a crop; the answer's one face is its prediction. */
async function uploadFace(
  reviewer: ApiClient,
  face: FaceRecord,
): Promise<{ upload_id: number; duplicate_of?: number; face: UploadAnswer["faces"][number] }> {
  const bytes = fs.readFileSync(face.file);
  const type = /\.png$/i.test(face.file) ? "image/png" : "image/jpeg";
  const up = await reviewer.uploadFaceCrop<UploadAnswer>(bytes, path.basename(face.file), type);
  const predicted = up.faces[0];
  if (up.faces.length !== 1 || !predicted)
    throw new Error(`${face.key}: a face-crop upload gave ${up.faces.length} faces`);
  return { upload_id: up.upload_id, duplicate_of: up.duplicate_of, face: predicted };
}

/**
 * The simulated reviewer's answer: the FER+ majority label decides correct or incorrect. A face
 * without one is not a face when the crowd's majority said so (NF), else one the reviewer cannot tell.
 */
function answerFor(face: FaceRecord, predicted: string): Answer {
  if (!face.ferplus.label) return { verdict: face.ferplus.skip === "NF" ? "not_a_face" : "unsure" };
  return predicted === face.ferplus.label
    ? { verdict: "correct" }
    : { verdict: "incorrect", corrected_label: face.ferplus.label };
}

/** Stops the running app, if any; the next run starts its own. */
async function stopApp(): Promise<void> {
  const running = app;
  if (!running) return;
  console.log(keepFiles ? `stopping the app (keeping ${running.work}) …` : "stopping the app …");
  await running.stop({ keepFiles });
  app = null;
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

/** A backend's name as part of a file name. */
function fileSafe(backend: string | null): string {
  return (backend ?? "unknown").replace(/[^a-z0-9_-]/gi, "_");
}
