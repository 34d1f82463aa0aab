// How a retrain's parameters trade learning the corrections against forgetting, without the app:
// the same split as bench:loop (FER2013 test-public → stream and holdout), the first N labelled
// stream faces as the reviewers' verdicts (FER+ majority), the job's own recipe (20 % of them held
// out, replay of the base's training data, fineTune), and every resulting version scored on the
// holdout against FER+ and against the original labels. Used to choose the job defaults.
// Run: npm run bench:finetune [-- --base <dir> --corrections 1000 --run "lr=1e-4 epochs=8" --run …]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { getEnv } from "@/lib/env/env";
import { trainingParamsSchema, type TrainingParams } from "@/worker/params";
import { assembleTrainingSet, REPLAY_MODES, sampleReplay, type ReplayMode } from "@/worker/training-set";
import { readModelMetadata } from "@/lib/model/metadata";
import { allowNativeAccelerator, getTf } from "@/lib/tf/backend";
import { fineTune, type LabeledImage } from "@/training/fine-tune";
import { dropSeenFromHoldout, loadLabeledFaces, splitStreamHoldout } from "./support/ferplus";
import { readHoldout, scoreVersionDir } from "./support/measure";
import { machineInfo, markdownTable } from "./support/report";

const USAGE = `npm run bench:finetune -- [flags]

  --base <dir>          model to fine-tune (default models/baseline)
  --data <dir>          FER2013 test-public folder (default ../shared/data/fer2013/test-public)
  --corrections <n>     labelled stream faces given as verdicts (default 1000)
  --run "<k=v …>"       one configuration, repeatable: lr, epochs, strategy (head|full), batch,
                        replay (faces per class from the base's training data), mix (proportional |
                        per-class: how the replay is spread over classes), cw (class weights: none |
                        sqrt | balanced); unset keys take the job's defaults. Default: the job
                        defaults at three learning rates
  --seed <n>            split and stream order, as bench:loop (default 1)
  --out <dir>           where finetune.md and finetune.json go (default bench/results)`;

interface RunConfig {
  params: TrainingParams;
  replayPerClass: number;
  replayMode: ReplayMode;
}

function parseRun(spec: string, replayDefault: number): RunConfig {
  const raw: Record<string, string> = {};
  for (const part of spec.trim().split(/\s+/).filter(Boolean)) {
    const [k, v] = part.split("=");
    if (!k || v === undefined) throw new Error(`--run "${spec}": expected key=value pairs, got "${part}"`);
    raw[k] = v;
  }
  const { replay, lr, batch, cw, mix, ...rest } = raw;
  const replayMode = (mix ?? "proportional") as ReplayMode;
  if (!REPLAY_MODES.includes(replayMode))
    throw new Error(`--run "${spec}": mix must be one of ${REPLAY_MODES.join(", ")}`);
  const params = trainingParamsSchema.parse({ ...rest, learning_rate: lr, batch_size: batch, class_weights: cw });
  const replayPerClass = replay === undefined ? replayDefault : Number(replay);
  if (!Number.isInteger(replayPerClass) || replayPerClass < 0)
    throw new Error(`--run "${spec}": replay must be a whole number ≥ 0`);
  return { params, replayPerClass, replayMode };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      base: { type: "string", default: "models/baseline" },
      data: { type: "string", default: "../shared/data/fer2013/test-public" },
      corrections: { type: "string", default: "1000" },
      run: { type: "string", multiple: true },
      seed: { type: "string", default: "1" },
      out: { type: "string", default: "bench/results" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const data = path.resolve(values.data);
  const mappingCsv = path.join(data, "..", "ferplus-mapping.csv");
  const ferplusCsv = path.join(data, "..", "..", "ferplus", "fer2013new.csv");
  for (const p of [data, mappingCsv, ferplusCsv]) {
    if (!fs.existsSync(p))
      throw new Error(
        `${p} not found: the bench needs the FER2013 folders and FER+ labels in ../shared/data (see its README).`,
      );
  }
  const replayDefault = getEnv().REPLAY_PER_CLASS;
  const runs = (values.run?.length ? values.run : ["lr=3e-4", "lr=1e-4", "lr=3e-5"]).map((r) =>
    parseRun(r, replayDefault),
  );
  const corrections = Number(values.corrections);
  const seed = Number(values.seed);
  const base = path.resolve(values.base);
  const meta = await readModelMetadata(base);
  const replayDir = typeof meta.trainingConfig?.data === "string" ? path.resolve(meta.trainingConfig.data) : null;

  const rt = await getTf();
  const faces = await loadLabeledFaces({ dataDir: data, mappingCsv, ferplusCsv });
  const split = splitStreamHoldout(faces, 0.3, seed);
  const trainDir = path.join(data, "..", "train");
  const holdout = await readHoldout(
    (await dropSeenFromHoldout(split.holdout, split.stream, fs.existsSync(trainDir) ? trainDir : null)).holdout,
  );
  const labelled = split.stream.filter((f) => f.ferplus.label).slice(0, corrections);
  const verdicts: LabeledImage[] = labelled.map((f) => ({ image: fs.readFileSync(f.file), label: f.ferplus.label! }));
  // The job holds out a fifth of the snapshot for its gate; it never trains on it.
  const reviewed = verdicts.filter((_, i) => i % 5 !== 0);
  const baseline = await scoreVersionDir(base, holdout);
  console.log(
    `base ${meta.name ?? base}: ${pct(baseline.ferplus.accuracy)} vs FER+ (n=${baseline.ferplus.n}), ${pct(baseline.original.accuracy)} vs original (n=${baseline.original.n}); backend ${rt.backend}`,
  );

  const rows: Row[] = [];
  for (const run of runs) {
    const replay = replayDir
      ? await sampleReplay(replayDir, meta.labels, run.replayPerClass, seed, run.replayMode)
      : [];
    const { train, validation } = assembleTrainingSet(reviewed, replay);
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "el-finetune-"));
    try {
      const result = await fineTune({
        baseDir: base,
        outDir,
        train,
        validation,
        epochs: run.params.epochs,
        learningRate: run.params.learning_rate,
        batchSize: run.params.batch_size,
        strategy: run.params.strategy,
        classWeights: run.params.class_weights,
        seed,
      });
      const score = await scoreVersionDir(outDir, holdout);
      const row: Row = {
        ...run,
        reviewed: reviewed.length,
        replay: replay.length,
        trained: train.length,
        validation: validation.length,
        epochsRun: result.epochs.length,
        seconds: result.durationSeconds,
        ferplus: score.ferplus.accuracy,
        original: score.original.accuracy,
      };
      rows.push(row);
      console.log(formatRow(row, baseline.ferplus.accuracy, baseline.original.accuracy).join(" | "));
    } finally {
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  }

  const machine = machineInfo();
  const head = [
    "lr",
    "epochs (run)",
    "strategy",
    "batch",
    "replay",
    "class weights",
    "faces trained on",
    "acc vs FER+",
    "Δ",
    "acc vs original",
    "Δ",
    "train (s)",
  ];
  const table = markdownTable(
    head,
    rows.map((r) => formatRow(r, baseline.ferplus.accuracy, baseline.original.accuracy)),
  );
  const header = [
    `# Fine-tuning parameters, measured`,
    ``,
    `date: ${new Date().toISOString()}`,
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.ramGiB} GiB RAM (${machine.os}, Node ${machine.node}); backend ${rt.backend}${rt.threads ? ` (${rt.threads} thread${rt.threads === 1 ? "" : "s"})` : ""}; load ${os.loadavg()[0]!.toFixed(1)} at the end`,
    `base: ${meta.name ?? values.base} (${values.base}); before fine-tuning ${pct(baseline.ferplus.accuracy)} vs FER+ (n=${baseline.ferplus.n}), ${pct(baseline.original.accuracy)} vs original (n=${baseline.original.n}) on the holdout`,
    `verdicts: the first ${labelled.length} labelled stream faces (FER+ majority), ${reviewed.length} trained on (a fifth held out, as a job does); replay from ${replayDir ? path.relative(process.cwd(), replayDir) : "(none: the base names no training data on this machine)"}; seed ${seed}`,
  ];
  const md = [...header, ``, table, ``].join("\n");
  console.log(`\n${md}`);
  fs.mkdirSync(values.out, { recursive: true });
  fs.writeFileSync(path.join(values.out, "finetune.md"), md);
  fs.writeFileSync(
    path.join(values.out, "finetune.json"),
    JSON.stringify(
      {
        machine,
        backend: rt.backend,
        base: values.base,
        baseline: { ferplus: baseline.ferplus.accuracy, original: baseline.original.accuracy },
        verdicts: labelled.length,
        seed,
        rows,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`wrote ${path.join(values.out, "finetune.md")} and finetune.json`);
}

interface Row extends RunConfig {
  reviewed: number;
  replay: number;
  /** Reviewed + replay faces trained on, and kept for early stopping. */
  trained: number;
  validation: number;
  epochsRun: number;
  seconds: number;
  ferplus: number;
  original: number;
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const pts = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(1)}`;

function formatRow(r: Row, ferplus0: number, original0: number): string[] {
  return [
    String(r.params.learning_rate),
    `${r.params.epochs} (${r.epochsRun})`,
    r.params.strategy,
    String(r.params.batch_size),
    `${r.replayPerClass}/class, ${r.replayMode}`,
    r.params.class_weights,
    `${r.trained} (+${r.validation} val)`,
    pct(r.ferplus),
    pts(r.ferplus - ferplus0),
    pct(r.original),
    pts(r.original - original0),
    r.seconds.toFixed(0),
  ];
}

allowNativeAccelerator();
main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
