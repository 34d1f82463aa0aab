/**
 * The model import behind `npm run model:import` (its command line, with `--register`, is
 * scripts/import-model.ts): a Keras 2 full-model .h5/.hdf5, a Keras 3 .keras archive, or a TF.js
 * Layers folder (or its model.json) becomes a model version folder — model.json, shards,
 * metadata.json — that the app and the worker load like any other; by default
 * `<MODELS_DIR>/versions/import-<file name>`. On a terminal, missing --labels / --preprocess are
 * asked for; otherwise they are required.
 */
import readline from "node:readline/promises";
import { parseArgs } from "node:util";
import {
  describeTestTimeAugmentation,
  EMOTION_LABELS,
  PREPROCESSING_MODES,
  type Preprocessing,
  resizeFilterOf,
} from "@/lib/model/metadata";
import {
  labelsSchema,
  parseImportOptions,
  readKerasModel,
  writeImportedModel,
  type ImportOptions,
  type ImportResult,
  type ImportSummary,
} from "@/training/keras-import/import-model";

const USAGE =
  "usage: npm run model:import -- <model.h5 | model.keras | tfjs folder | model.json> [--labels a,b,c…] [--preprocess unit|symmetric] [--tta none|flip|flip-shift] [--resize bilinear|lanczos3] [--out <dir>] [--register]";

const PREPROCESSING_HELP: Record<Preprocessing, string> = {
  unit: "x/255 → [0, 1]",
  symmetric: "x/255·2−1 → [−1, 1], e.g. the Keras mini-Xception FER models",
};

/** The command line as given; parseImportOptions validates it. */
export function parseImportArgs(argv: string[]): Partial<Record<keyof ImportOptions, string>> & { register: boolean } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      labels: { type: "string" },
      preprocess: { type: "string" },
      tta: { type: "string" },
      resize: { type: "string" },
      out: { type: "string" },
      register: { type: "boolean" },
    },
    strict: true,
  });
  if (positionals.length !== 1)
    throw new Error(positionals.length === 0 ? USAGE : `expected one model path, got ${positionals.length}\n${USAGE}`);
  return {
    source: positionals[0]!,
    labels: values.labels,
    preprocessing: values.preprocess,
    ...(values.tta === undefined ? {} : { testTimeAugmentation: values.tta }),
    ...(values.resize === undefined ? {} : { resizeFilter: values.resize }),
    out: values.out,
    register: values.register ?? false,
  };
}

/** Where questions go; `interactive` false (no terminal) makes every missing answer an error naming its flag. */
export interface Asker {
  interactive: boolean;
  question(prompt: string): Promise<string>;
}

/**
 * Labels in output order. A 7-output model is most likely a FER2013 one, whose order is offered as
 * the default; any other count has to be typed.
 */
export async function askLabels(outputs: number, asker: Asker): Promise<string[]> {
  const fer = outputs === EMOTION_LABELS.length ? EMOTION_LABELS.join(",") : null;
  if (!asker.interactive) {
    throw new Error(
      `The model has ${outputs} outputs: pass --labels with ${outputs} comma-separated class names in output order` +
        (fer ? ` (FER2013 order: --labels ${fer})` : ""),
    );
  }
  for (;;) {
    const answer = (
      await asker.question(
        `The model has ${outputs} outputs. Labels in output order, comma-separated${fer ? ` [${fer}]` : ""}: `,
      )
    ).trim();
    const parsed = labelsSchema.safeParse(answer === "" && fer ? fer : answer);
    if (parsed.success && parsed.data.length === outputs) return parsed.data;
    console.log(
      parsed.success
        ? `  ${parsed.data.length} labels given, the model has ${outputs} outputs`
        : `  ${parsed.error.issues[0]?.message}`,
    );
  }
}

/** How pixels were scaled in training: the file does not record it, so it is never guessed. */
export async function askPreprocessing(asker: Asker): Promise<Preprocessing> {
  const modes = PREPROCESSING_MODES.map((m) => `${m} (${PREPROCESSING_HELP[m]})`).join(" or ");
  if (!asker.interactive)
    throw new Error(`Pass --preprocess with how pixels were scaled when the model was trained: ${modes}`);
  for (;;) {
    const answer = (await asker.question(`How were pixels scaled in training? ${modes}: `)).trim().toLowerCase();
    const mode = PREPROCESSING_MODES.find((m) => m === answer);
    if (mode) return mode;
    console.log(`  answer ${PREPROCESSING_MODES.join(" or ")}`);
  }
}

/** What the import did, for the terminal. */
export function formatImportReport(s: ImportSummary, r: ImportResult): string {
  const [h, w, c] = s.inputShape;
  // A tfjs save records "tfjs-layers 4.22.0" where Keras records its version.
  const version = s.kerasVersion ? `, ${/^\d/.test(s.kerasVersion) ? `Keras ${s.kerasVersion}` : s.kerasVersion}` : "";
  const rows: [string, string][] = [
    ["format", `${s.format}${version}${s.backend ? `, ${s.backend} backend` : ""}`],
    ["from", `${s.path} (sha256 ${s.sha256.slice(0, 12)}…)`],
    ["layers", String(s.layerCount)],
    ["parameters", s.params.toLocaleString("en-US")],
    ["input", `${h}x${w}x${c} (${c === 1 ? "grayscale" : "RGB"})`],
    ["labels", r.metadata.labels.join(", ")],
    ["preprocessing", `${r.metadata.preprocessing} (${PREPROCESSING_HELP[r.metadata.preprocessing]})`],
    ["resize filter", resizeFilterOf(r.metadata)],
    ["test-time aug.", ((m) => `${m} (${describeTestTimeAugmentation(m)})`)(r.metadata.testTimeAugmentation ?? "none")],
    ["written to", r.dir],
  ];
  return [
    "Imported the model:",
    ...rows.map(([k, v]) => `  ${k.padEnd(16)}${v}`),
    ...(s.notes.length > 0 ? ["Notes:", ...s.notes.map((n) => `  - ${n}`)] : []),
  ].join("\n");
}

/**
 * Reads the model, asks for what the options left out (on a terminal), writes the version folder
 * and prints what it did. The model is disposed before this returns.
 */
export async function importWithAnswers(options: ReturnType<typeof parseImportOptions>): Promise<ImportResult> {
  const imported = await readKerasModel(options.source);
  const rl = process.stdin.isTTY ? readline.createInterface({ input: process.stdin, output: process.stdout }) : null;
  const asker: Asker = { interactive: rl !== null, question: (p) => (rl ? rl.question(p) : Promise.resolve("")) };
  try {
    const labels = options.labels ?? (await askLabels(imported.outputs, asker));
    const preprocessing = options.preprocessing ?? (await askPreprocessing(asker));
    const result = await writeImportedModel(imported, {
      labels,
      preprocessing,
      testTimeAugmentation: options.testTimeAugmentation,
      resizeFilter: options.resizeFilter,
      out: options.out,
    });
    console.log(formatImportReport(imported, result));
    return result;
  } finally {
    rl?.close();
    imported.model.dispose();
  }
}
