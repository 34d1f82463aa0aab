// How a retrain's parameters trade learning the corrections against forgetting, without the app:
// the same split as bench:loop (FER2013 test-public → stream and holdout), the first N labelled
// stream faces as the reviewers' verdicts (FER+ majority), the job's own recipe (20 % of them held
// out, replay of the base's training data, fineTune), and every resulting version scored on the
// holdout against FER+ and against the original labels. Used to choose the job defaults.
// Each configuration runs once per seed (split, stream order, replay sample and training order all
// follow the seed); the table gives the mean and spread of the changes over the seeds.
// Run: npm run bench:finetune [-- --base <dir> --corrections 1000 --seeds 1,2,3 --run "lr=1e-4 distill=0.5" --run …]
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
import { machineInfo, markdownTable, spread, type Spread } from "./support/report";

const USAGE = `npm run bench:finetune -- [flags]

  --base <dir>          model to fine-tune (default models/baseline)
  --data <dir>          FER2013 test-public folder (default ../shared/data/fer2013/test-public)
  --corrections <n>     labelled stream faces given as verdicts (default 1000)
  --run "<k=v …>"       one configuration, repeatable: lr, epochs, strategy (head|full), batch,
                        replay (faces per class from the base's training data), mix (proportional |
                        per-class: how the replay is spread over classes), cw (class weights: none |
                        sqrt | balanced), distill (the distillation weight, 0 = off), dt (its
                        temperature); unset keys take the job's defaults. Default: the job
                        defaults at three learning rates
  --seeds <list>        one run of every configuration per seed: split and stream order as
                        bench:loop, replay sample, training order (default 1,2,3)
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
  const { replay, lr, batch, cw, mix, distill, dt, ...rest } = raw;
  const replayMode = (mix ?? "proportional") as ReplayMode;
  if (!REPLAY_MODES.includes(replayMode))
    throw new Error(`--run "${spec}": mix must be one of ${REPLAY_MODES.join(", ")}`);
  const params = trainingParamsSchema.parse({
    ...rest,
    learning_rate: lr,
    batch_size: batch,
    class_weights: cw,
    distill_weight: distill,
    distill_temperature: dt,
  });
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
      seeds: { type: "string", default: "1,2,3" },
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
  const seeds = values.seeds.split(",").map((x) => Number(x.trim()));
  if (!seeds.length || seeds.some((x) => !Number.isInteger(x)))
    throw new Error(`--seeds must be whole numbers separated by commas, got "${values.seeds}"`);
  const base = path.resolve(values.base);
  const meta = await readModelMetadata(base);
  const replayDir = typeof meta.trainingConfig?.data === "string" ? path.resolve(meta.trainingConfig.data) : null;

  const rt = await getTf();
  const faces = await loadLabeledFaces({ dataDir: data, mappingCsv, ferplusCsv });
  const trainDir = path.join(data, "..", "train");
  const rows: Row[] = [];
  const baselines: { seed: number; ferplus: number; original: number; nFerplus: number; nOriginal: number }[] = [];
  let reviewedCount = 0;
  for (const seed of seeds) {
    const split = splitStreamHoldout(faces, 0.3, seed);
    const holdout = await readHoldout(
      (await dropSeenFromHoldout(split.holdout, split.stream, fs.existsSync(trainDir) ? trainDir : null)).holdout,
    );
    const labelled = split.stream.filter((f) => f.ferplus.label).slice(0, corrections);
    const verdicts: LabeledImage[] = labelled.map((f) => ({ image: fs.readFileSync(f.file), label: f.ferplus.label! }));
    // The job holds out a fifth of the snapshot for its gate; it never trains on it.
    const reviewed = verdicts.filter((_, i) => i % 5 !== 0);
    reviewedCount = reviewed.length;
    const baseline = await scoreVersionDir(base, holdout);
    baselines.push({
      seed,
      ferplus: baseline.ferplus.accuracy,
      original: baseline.original.accuracy,
      nFerplus: baseline.ferplus.n,
      nOriginal: baseline.original.n,
    });
    console.log(
      `seed ${seed}: base ${meta.name ?? base} ${pct(baseline.ferplus.accuracy)} vs FER+ (n=${baseline.ferplus.n}), ${pct(baseline.original.accuracy)} vs original (n=${baseline.original.n}); backend ${rt.backend}`,
    );
    // The replay sample depends on the seed and its size and mix, not on the rest of a configuration.
    const replays = new Map<string, Promise<LabeledImage[]>>();
    const replayFor = (run: RunConfig) => {
      const key = `${run.replayPerClass}:${run.replayMode}`;
      if (!replays.has(key))
        replays.set(
          key,
          replayDir
            ? sampleReplay(replayDir, meta.labels, run.replayPerClass, seed, run.replayMode)
            : Promise.resolve([]),
        );
      return replays.get(key)!;
    };
    for (const [configIndex, run] of runs.entries()) {
      const replay = await replayFor(run);
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
          distillWeight: run.params.distill_weight,
          distillTemperature: run.params.distill_temperature,
          seed,
        });
        const score = await scoreVersionDir(outDir, holdout);
        const row: Row = {
          ...run,
          configIndex,
          seed,
          reviewed: reviewed.length,
          replay: replay.length,
          trained: train.length,
          validation: validation.length,
          epochsRun: result.epochs.length,
          seconds: result.durationSeconds,
          ferplus: score.ferplus.accuracy,
          original: score.original.accuracy,
          dFerplus: score.ferplus.accuracy - baseline.ferplus.accuracy,
          dOriginal: score.original.accuracy - baseline.original.accuracy,
        };
        rows.push(row);
        console.log(`seed ${seed} | ${formatSeedRow(row).join(" | ")}`);
      } finally {
        fs.rmSync(outDir, { recursive: true, force: true });
      }
    }
  }

  const machine = machineInfo();
  const summary = runs.map((run, i) =>
    summarize(
      run,
      rows.filter((r) => r.configIndex === i),
    ),
  );
  const table = markdownTable(
    [...CONFIG_HEAD, "seeds", "Δ vs FER+ (mean ± sd)", "range", "Δ vs original (mean ± sd)", "range", "train (s)"],
    summary.map(formatSummary),
  );
  const perSeed = markdownTable(
    ["seed", ...SEED_HEAD],
    rows.map((r) => [String(r.seed), ...formatSeedRow(r)]),
  );
  const header = [
    `# Fine-tuning parameters, measured`,
    ``,
    `date: ${new Date().toISOString()}`,
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.ramGiB} GiB RAM (${machine.os}, Node ${machine.node}); backend ${rt.backend}${rt.threads ? ` (${rt.threads} thread${rt.threads === 1 ? "" : "s"})` : ""}; load ${os.loadavg()[0]!.toFixed(1)} at the end`,
    `base: ${meta.name ?? values.base} (${values.base}); before fine-tuning, per seed: ${baselines.map((b) => `seed ${b.seed} ${pct(b.ferplus)} vs FER+ (n=${b.nFerplus}), ${pct(b.original)} vs original (n=${b.nOriginal})`).join("; ")} on that seed's holdout`,
    `verdicts: the first ${corrections} labelled stream faces of each seed's stream (FER+ majority), ${reviewedCount} trained on (a fifth held out, as a job does); replay from ${replayDir ? path.relative(process.cwd(), replayDir) : "(none: the base names no training data on this machine)"}; seeds ${seeds.join(", ")}`,
    `Δ: the fine-tuned version's accuracy on the seed's holdout minus the base's on the same faces, in points; mean and sample standard deviation over the seeds, range = lowest to highest.`,
  ];
  const md = [...header, ``, table, ``, `## Every run`, ``, perSeed, ``].join("\n");
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
        baselines,
        corrections,
        seeds,
        summary,
        rows,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`wrote ${path.join(values.out, "finetune.md")} and finetune.json`);
}

interface Row extends RunConfig {
  /** Which --run this is. */
  configIndex: number;
  seed: number;
  reviewed: number;
  replay: number;
  /** Reviewed + replay faces trained on, and kept for early stopping. */
  trained: number;
  validation: number;
  epochsRun: number;
  seconds: number;
  ferplus: number;
  original: number;
  /** Against the base on the same seed's holdout. */
  dFerplus: number;
  dOriginal: number;
}

interface Summary extends RunConfig {
  seeds: number;
  epochsRun: number[];
  dFerplus: Spread;
  dOriginal: Spread;
  seconds: number;
}

function summarize(run: RunConfig, rows: Row[]): Summary {
  return {
    ...run,
    seeds: rows.length,
    epochsRun: rows.map((r) => r.epochsRun),
    dFerplus: spread(rows.map((r) => r.dFerplus)),
    dOriginal: spread(rows.map((r) => r.dOriginal)),
    seconds: rows.reduce((a, r) => a + r.seconds, 0) / Math.max(1, rows.length),
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const pts = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(1)}`;
const distillText = (r: RunConfig) =>
  r.params.distill_weight > 0 ? `${r.params.distill_weight}, T ${r.params.distill_temperature}` : "off";
const configCells = (r: RunConfig) => [
  String(r.params.learning_rate),
  String(r.params.epochs),
  r.params.strategy,
  String(r.params.batch_size),
  `${r.replayPerClass}/class, ${r.replayMode}`,
  r.params.class_weights,
  distillText(r),
];

function formatSummary(s: Summary): string[] {
  const [lr, epochs, ...rest] = configCells(s);
  return [
    lr!,
    `${epochs} (${s.epochsRun.join(", ")})`,
    ...rest,
    String(s.seeds),
    `${pts(s.dFerplus.mean)} ± ${(s.dFerplus.sd * 100).toFixed(1)}`,
    `${pts(s.dFerplus.min)} … ${pts(s.dFerplus.max)}`,
    `${pts(s.dOriginal.mean)} ± ${(s.dOriginal.sd * 100).toFixed(1)}`,
    `${pts(s.dOriginal.min)} … ${pts(s.dOriginal.max)}`,
    s.seconds.toFixed(0),
  ];
}

/** The columns configCells() fills, first in both tables. */
const CONFIG_HEAD = ["lr", "epochs (run)", "strategy", "batch", "replay", "class weights", "distillation"];

const SEED_HEAD = [...CONFIG_HEAD, "faces trained on", "acc vs FER+", "Δ", "acc vs original", "Δ", "train (s)"];

function formatSeedRow(r: Row): string[] {
  const [lr, epochs, ...rest] = configCells(r);
  return [
    lr!,
    `${epochs} (${r.epochsRun})`,
    ...rest,
    `${r.trained} (+${r.validation} val)`,
    pct(r.ferplus),
    pts(r.dFerplus),
    pct(r.original),
    pts(r.dOriginal),
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
