/**
 * `npm run train -- --data <dir> [--base <model dir>] [--arch <name>] [--epochs N] [--batch-size N]
 *   [--lr X] [--freeze <N | layer,names>] [--out <dir>] [--resume] [--checkpoints <dir>]
 *   [--class-weights none|balanced|sqrt] [--tta none|flip|flip-shift] [--no-augment] [--seed N] [--val-fraction X]
 *   [--teacher <model dir>[@none|flip|flip-shift] …] [--distill-weight X] [--distill-temperature T]`
 *
 * Trains (from scratch, or fine-tunes `--base`) on an image folder `<data>/<label>/*.png|jpg`, with
 * a stratified seeded validation split, on-the-fly augmentation of training batches only, LR decay
 * and early stopping on validation loss, a checkpoint after every epoch (resumable with --resume),
 * and writes a model version folder (model.json + shards + metadata.json) through a temp folder.
 * With --teacher (repeatable) it distils: the loss mixes the labels with the teachers' mean served
 * probabilities on each image (training/teacher.ts).
 * Defaults: FIT_DEFAULTS.fromScratch (training/fit-defaults.ts). The work is train() in
 * train-on-folder.ts; this file only reads the command line.
 */
import { parseArgs } from "node:util";
import { allowNativeAccelerator } from "@/lib/tf/backend";
import { parseTestTimeAugmentation } from "@/lib/model/metadata";
import { CLASS_WEIGHT_MODES, type ClassWeightMode } from "@/training/dataset";
import { ARCHITECTURES, type Architecture } from "@/training/model";
import { train, type TrainOptions } from "@/training/train-on-folder";
import { parseTeacherSpec } from "@/training/teacher";

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
      teacher: { type: "string", multiple: true },
      "distill-weight": { type: "string" },
      "distill-temperature": { type: "string" },
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
  if (arch !== undefined && !(ARCHITECTURES as readonly string[]).includes(arch))
    throw new Error(`--arch must be one of ${ARCHITECTURES.join(", ")}`);
  const cw = values["class-weights"];
  if (cw !== undefined && !(CLASS_WEIGHT_MODES as readonly string[]).includes(cw))
    throw new Error(`--class-weights must be one of ${CLASS_WEIGHT_MODES.join(", ")}`);
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
    teachers: values.teacher?.map(parseTeacherSpec),
    distillWeight: fraction(values["distill-weight"], "distill-weight"),
    distillTemperature: num(values["distill-temperature"], "distill-temperature"),
  };
}

function fraction(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n > 0 && n < 1)) throw new Error(`--${flag} must be a number between 0 and 1, got "${v}"`);
  return n;
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
