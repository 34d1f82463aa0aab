/**
 * `npm run model:import -- <path> [--labels a,b,c…] [--preprocess unit|symmetric] [--tta none|flip|flip-shift] [--out <dir>] [--register]`
 *
 * Imports a Keras model without Python: a Keras 2 full-model .h5/.hdf5, a Keras 3 .keras archive,
 * or a TF.js Layers folder (or its model.json). Writes a model version folder — model.json, shards,
 * metadata.json — that the app and the worker load like any other; by default
 * `<MODELS_DIR>/versions/import-<file name>`. On a terminal, missing --labels / --preprocess are
 * asked for; otherwise they are required. `--register` also adds it to the app's registry as a
 * CANDIDATE version (DATABASE_URL, or the embedded database: stop `npm start` first), which an
 * admin can then activate like any other.
 */
import path from "node:path";
import readline from "node:readline/promises";
import { parseArgs } from "node:util";
import type { Db } from "@/lib/db/client";
import type { ModelVersion } from "@/lib/db/generated/prisma/client";
import { getEnv } from "@/lib/env/env";
import { allowNativeAccelerator } from "@/lib/tf/backend";
import { describeTestTimeAugmentation, EMOTION_LABELS, PREPROCESSING_MODES, type Preprocessing } from "@/lib/model/metadata";
import {
  labelsSchema,
  parseImportOptions,
  readKerasModel,
  writeImportedModel,
  type ImportOptions,
  type ImportResult,
  type ImportSummary,
} from "@/training/keras-import/import-model";

const USAGE = "usage: npm run model:import -- <model.h5 | model.keras | tfjs folder | model.json> [--labels a,b,c…] [--preprocess unit|symmetric] [--tta none|flip|flip-shift] [--out <dir>] [--register]";

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
      out: { type: "string" },
      register: { type: "boolean" },
    },
    strict: true,
  });
  if (positionals.length !== 1) throw new Error(positionals.length === 0 ? USAGE : `expected one model path, got ${positionals.length}\n${USAGE}`);
  return {
    source: positionals[0]!,
    labels: values.labels,
    preprocessing: values.preprocess,
    ...(values.tta === undefined ? {} : { testTimeAugmentation: values.tta }),
    out: values.out,
    register: values.register ?? false,
  };
}

/**
 * Adds an imported folder to the registry as a CANDIDATE. Registered versions live under
 * MODELS_DIR (the registry stores paths relative to it and checksums the files), so a folder
 * elsewhere is refused before anything is written.
 */
export async function registerImportedModel(db: Db, dir: string): Promise<ModelVersion> {
  const { registerModelVersion } = await import("@/lib/registry/model-versions");
  const artifactPath = insideModelsDir(dir);
  return registerModelVersion(db, { artifactPath, name: `import ${path.basename(dir).replace(/^import-/, "")}`, status: "CANDIDATE" });
}

/** `dir` relative to MODELS_DIR, with forward slashes; an error when it is not below it. */
function insideModelsDir(dir: string): string {
  const modelsDir = getEnv().modelsDir;
  const rel = path.relative(modelsDir, path.resolve(dir));
  if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) {
    throw new Error(`--register needs the model inside MODELS_DIR (${modelsDir}); ${dir} is not. Leave out --out, or point it below MODELS_DIR.`);
  }
  return rel.split(path.sep).join("/");
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
    const answer = (await asker.question(`The model has ${outputs} outputs. Labels in output order, comma-separated${fer ? ` [${fer}]` : ""}: `)).trim();
    const parsed = labelsSchema.safeParse(answer === "" && fer ? fer : answer);
    if (parsed.success && parsed.data.length === outputs) return parsed.data;
    console.log(parsed.success ? `  ${parsed.data.length} labels given, the model has ${outputs} outputs` : `  ${parsed.error.issues[0]?.message}`);
  }
}

/** How pixels were scaled in training: the file does not record it, so it is never guessed. */
export async function askPreprocessing(asker: Asker): Promise<Preprocessing> {
  const modes = PREPROCESSING_MODES.map((m) => `${m} (${PREPROCESSING_HELP[m]})`).join(" or ");
  if (!asker.interactive) throw new Error(`Pass --preprocess with how pixels were scaled when the model was trained: ${modes}`);
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
    ["test-time aug.", ((m) => `${m} (${describeTestTimeAugmentation(m)})`)(r.metadata.testTimeAugmentation ?? "none")],
    ["written to", r.dir],
  ];
  return [
    "Imported the model:",
    ...rows.map(([k, v]) => `  ${k.padEnd(16)}${v}`),
    ...(s.notes.length > 0 ? ["Notes:", ...s.notes.map((n) => `  - ${n}`)] : []),
  ].join("\n");
}

async function main(): Promise<void> {
  const { register, ...args } = parseImportArgs(process.argv.slice(2));
  const options = parseImportOptions(args);
  // The default --out is inside MODELS_DIR; another one is refused before the (slow) import, not after.
  if (register && options.out) insideModelsDir(options.out);
  const imported = await readKerasModel(options.source);
  const rl = process.stdin.isTTY ? readline.createInterface({ input: process.stdin, output: process.stdout }) : null;
  const asker: Asker = { interactive: rl !== null, question: (p) => (rl ? rl.question(p) : Promise.resolve("")) };
  try {
    const labels = options.labels ?? (await askLabels(imported.outputs, asker));
    const preprocessing = options.preprocessing ?? (await askPreprocessing(asker));
    const result = await writeImportedModel(imported, { labels, preprocessing, testTimeAugmentation: options.testTimeAugmentation, out: options.out });
    console.log(formatImportReport(imported, result));
    if (register) await registerWithDatabase(result.dir);
  } finally {
    rl?.close();
    imported.model.dispose();
  }
  // XNNPACK's pool would otherwise keep a finished CLI alive a little longer.
  process.exit(0);
}

/** The registry step of `--register`, on DATABASE_URL or the embedded database. */
async function registerWithDatabase(dir: string): Promise<void> {
  const { prepareDatabase } = await import("@/lib/db/prepare");
  const { createDb } = await import("@/lib/db/client");
  const database = await prepareDatabase({ log: (line) => console.log(line) });
  const db = createDb(database.url);
  try {
    const v = await registerImportedModel(db, dir);
    console.log(`Registered as version ${v.version} (candidate, id ${v.id}): activate it on the Models page or with POST /api/models/${v.id}/activate.`);
  } finally {
    await db.$disconnect();
    await database.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // Importing never detects faces, so the native accelerator's tfjs may build the model.
  allowNativeAccelerator();
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
