import crypto from "node:crypto";
import fsSync from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import type { LayersModel } from "@tensorflow/tfjs";
import { z } from "zod";
import { getEnv } from "@/lib/env/env";
import { getTf } from "@/lib/tf/backend";
import type { Tf } from "@/lib/tf/tf";
import { fileSystemIOHandler } from "@/lib/model/fs-io";
import {
  MODEL_FILE,
  PREPROCESSING_MODES,
  TEST_TIME_AUGMENTATION_MODES,
  writeModelMetadata,
  type ModelMetadata,
  type Preprocessing,
  type TestTimeAugmentation,
  RESIZE_FILTERS,
  type ResizeFilter,
} from "@/lib/model/metadata";
import { loadModelFromDir } from "@/lib/model/predictor";
import {
  tfjsClassesFromRegistry,
  translateKerasModel,
  type KerasLayerRef,
  type TranslatedModel,
} from "@/training/keras-import/keras-config";
import { readKerasH5 } from "@/training/keras-import/read-keras-h5";
import { readKerasV3 } from "@/training/keras-import/read-keras-v3";
import { readTfjsFolder } from "@/training/keras-import/read-tfjs-folder";
import { KERAS_FORMATS, type KerasFormat, type KerasSource, type StoredWeight } from "@/training/keras-import/source";

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04];

/** Class names in output order, comma-separated: unique (case-insensitively), at least two. */
export const labelsSchema = z
  .string()
  .transform((s) => s.split(",").map((l) => l.trim()))
  .pipe(
    z
      .array(z.string().min(1, "labels must not be empty"))
      .min(2, "give at least two labels")
      .refine((l) => new Set(l.map((s) => s.toLowerCase())).size === l.length, "labels must be unique"),
  );

/** What `npm run model:import` accepts; labels and preprocessing may instead be asked for. */
export const importOptionsSchema = z.object({
  source: z.string().min(1, "give the path of a Keras .h5/.hdf5, a .keras archive or a TF.js model folder"),
  labels: labelsSchema.optional(),
  preprocessing: z
    .enum(PREPROCESSING_MODES, { message: `preprocessing must be one of: ${PREPROCESSING_MODES.join(", ")}` })
    .optional(),
  testTimeAugmentation: z
    .enum(TEST_TIME_AUGMENTATION_MODES, {
      message: `test-time augmentation must be one of: ${TEST_TIME_AUGMENTATION_MODES.join(", ")}`,
    })
    .optional(),
  /** Default "bilinear": Keras and OpenCV resize so, and the model was trained on what they gave. */
  resizeFilter: z
    .enum(RESIZE_FILTERS, { message: `resize filter must be one of: ${RESIZE_FILTERS.join(", ")}` })
    .optional(),
  out: z.string().min(1).optional(),
});
export type ImportOptions = z.input<typeof importOptionsSchema>;

/** Where an import came from, kept in metadata.json. */
export const importedFromSchema = z.object({
  format: z.enum(KERAS_FORMATS),
  /** File (or folder) name as given, without the path: the path is of the importing machine. */
  file: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  kerasVersion: z.string().nullable(),
});
export type ImportedFrom = z.infer<typeof importedFromSchema>;

/** A Keras model rebuilt in tfjs with its weights, checked to take one image and give one score vector. */
export interface ImportedKerasModel {
  model: LayersModel;
  format: KerasFormat;
  /** What was read: the file, or the TF.js folder. */
  path: string;
  sha256: string;
  kerasVersion: string | null;
  backend: string | null;
  /** Layers in the Keras config (including ones left out because they do nothing at inference). */
  layerCount: number;
  params: number;
  /** [height, width, channels]. */
  inputShape: [number, number, 1 | 3];
  /** Size of the output vector: the number of labels it needs. */
  outputs: number;
  /** Things changed on the way, for the report (dropped training-only layers, dtype policies, …). */
  notes: string[];
}

/**
 * Reads any of the three formats (recognised by content, not by name), translates the config,
 * builds the model with the process's tfjs and loads the weights layer by layer.
 */
export async function readKerasModel(sourcePath: string): Promise<ImportedKerasModel> {
  const { tf } = await getTf();
  const source = await readKerasSource(tf, path.resolve(sourcePath));
  const classes = tfjsClassesFromRegistry(Object.keys(tf.serialization.SerializationMap.getMap().classNameMap));
  const translated = translateKerasModel(source.modelConfig, { classes, kerasVersion: source.kerasVersion });
  let model: LayersModel;
  try {
    model = await tf.models.modelFromJSON({ modelTopology: translated.topology });
  } catch (err) {
    throw new Error(
      `TensorFlow.js cannot build the model in ${source.path}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  try {
    assignWeights(tf, model, source, translated);
    const { inputShape, outputs } = checkImportable(model);
    return {
      model,
      format: source.format,
      path: source.path,
      sha256: source.sha256,
      kerasVersion: source.kerasVersion,
      backend: source.backend,
      layerCount: translated.layers.length,
      params: model.countParams(),
      inputShape,
      outputs,
      notes: translated.notes,
    };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/** Picks the reader by the file's first bytes: HDF5 signature, zip signature, or a TF.js folder / model.json. */
export async function readKerasSource(tf: Tf, file: string): Promise<KerasSource> {
  let stat: fsSync.Stats;
  try {
    stat = await fs.stat(file);
  } catch {
    throw new Error(`No such file or folder: ${file}`);
  }
  if (stat.isDirectory()) {
    if (fsSync.existsSync(path.join(file, MODEL_FILE))) return readTfjsFolder(tf, file);
    if (fsSync.existsSync(path.join(file, "saved_model.pb"))) {
      throw new Error(
        `${file} is a TensorFlow SavedModel, which holds a graph rather than Keras layers; import the Keras .h5/.keras file instead`,
      );
    }
    throw new Error(`${file} is a folder without ${MODEL_FILE}; expected a TF.js Layers model folder`);
  }
  const bytes = new Uint8Array(await fs.readFile(file));
  const sha256 = crypto.createHash("sha256").update(bytes).digest("hex");
  // HDF5 allows a user block before the signature, at 0, 512, 1024, 2048, … bytes.
  for (let at = 0; at + HDF5_SIGNATURE.length <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (startsWith(bytes, HDF5_SIGNATURE, at)) return readKerasH5(file, sha256);
  }
  if (startsWith(bytes, ZIP_SIGNATURE, 0)) return readKerasV3(file, bytes, sha256);
  if (path.extname(file).toLowerCase() === ".json" && firstNonSpace(bytes) === "{")
    return readTfjsFolder(tf, path.dirname(file));
  const head = [...bytes.slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
  throw new Error(
    `Cannot import ${file}: not a Keras model file (expected a Keras 2 .h5/.hdf5, a Keras 3 .keras archive, or a TF.js model.json / folder; it starts with bytes ${head || "(empty file)"})`,
  );
}

function startsWith(bytes: Uint8Array, signature: readonly number[], at: number): boolean {
  return signature.every((b, i) => bytes[at + i] === b);
}

function firstNonSpace(bytes: Uint8Array): string {
  for (const b of bytes.subarray(0, 1024))
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return String.fromCharCode(b);
  return "";
}

/**
 * Gives every tfjs layer the weights stored for it, checking count and shapes first so an error
 * names the layer and weight. Keras stores a layer's weights in the order tfjs-layers creates
 * them (kernel, bias; depthwise, pointwise, bias; gamma, beta, moving mean, moving variance), so
 * order decides where the stored names cannot (Keras 3 numbers them 0, 1, …).
 */
export function assignWeights(tf: Tf, model: LayersModel, source: KerasSource, translated: TranslatedModel): void {
  const refs = new Map(translated.layers.map((l) => [l.name, l]));
  // Layers left out of the tfjs model still own whatever the file stores for them.
  for (const dropped of translated.dropped) source.weightsFor(dropped, []);
  for (const layer of model.layers) {
    const ref: KerasLayerRef = refs.get(layer.name) ?? { name: layer.name, className: layer.getClassName() };
    const targets = layer.weights;
    const stored = source.weightsFor(
      ref,
      targets.map((w) => w.originalName),
    );
    if (targets.length === 0) {
      if (stored && stored.length > 0) {
        throw new Error(
          `The file stores ${stored.length} weights for layer "${ref.name}" (${ref.className}), which has none in TensorFlow.js`,
        );
      }
      continue;
    }
    if (!stored || stored.length === 0) {
      throw new Error(
        `Weights missing for layer "${ref.name}" (${ref.className}): the file has none at ${source.locate(ref)}`,
      );
    }
    if (stored.length !== targets.length) {
      throw new Error(
        `Layer "${ref.name}" (${ref.className}) has ${targets.length} weights in TensorFlow.js (${targets.map((w) => shortName(w.originalName)).join(", ")}) but the file stores ${stored.length} (${stored.map((w) => w.name).join(", ")})`,
      );
    }
    const ordered =
      matchByName(
        stored,
        targets.map((w) => w.originalName),
      ) ?? stored;
    ordered.forEach((w, i) => {
      const want = targets[i]!.shape;
      if (w.shape.length !== want.length || w.shape.some((d, j) => d !== want[j])) {
        throw new Error(
          `Layer "${ref.name}" (${ref.className}): weight ${shortName(targets[i]!.originalName)} has shape [${w.shape.join(", ")}] in the file (${w.name}) but the layer needs [${want.join(", ")}]`,
        );
      }
    });
    const tensors = ordered.map((w) => tf.tensor(w.values, w.shape, "float32"));
    try {
      layer.setWeights(tensors);
    } finally {
      tf.dispose(tensors);
    }
  }
  const extra = source.unclaimed();
  if (extra.length > 0)
    throw new Error(`The file stores weights no layer of the model config uses: ${extra.join(", ")}`);
}

/** "conv2d_1/kernel:0" → "kernel". */
function shortName(name: string): string {
  return name.replace(/:\d+$/, "").split("/").at(-1) ?? name;
}

/**
 * Stored weights reordered to the targets' order when their names say unambiguously which is
 * which (Keras 2 "…/gamma:0" ↔ tfjs "…/gamma"); null when names cannot decide (Keras 3's 0, 1, …).
 */
function matchByName(stored: StoredWeight[], targets: string[]): StoredWeight[] | null {
  const byName = new Map(stored.map((w) => [shortName(w.name), w]));
  const wanted = targets.map(shortName);
  if (byName.size !== stored.length || new Set(wanted).size !== wanted.length) return null;
  const out = wanted.map((n) => byName.get(n));
  return out.every((w) => w !== undefined) ? (out as StoredWeight[]) : null;
}

/** The project's models take one H×W×1 or H×W×3 image and give one vector of class scores. */
export function checkImportable(model: LayersModel): { inputShape: [number, number, 1 | 3]; outputs: number } {
  if (model.inputs.length !== 1)
    throw new Error(`The model has ${model.inputs.length} inputs; only models taking one image can be imported`);
  if (model.outputs.length !== 1)
    throw new Error(
      `The model has ${model.outputs.length} outputs; only models giving one vector of class scores can be imported`,
    );
  const shape = model.inputs[0]!.shape;
  const [, h, w, c] = shape;
  if (shape.length !== 4 || typeof h !== "number" || typeof w !== "number" || typeof c !== "number") {
    throw new Error(
      `The model's input has shape ${JSON.stringify(shape)}; expected images [null, height, width, channels] of a fixed size`,
    );
  }
  if (c !== 1 && c !== 3)
    throw new Error(`The model's input is ${h}x${w}x${c}; it must be HxWx1 (grayscale) or HxWx3 (RGB)`);
  const out = model.outputs[0]!.shape;
  if (out.length !== 2 || typeof out[1] !== "number" || out[1] < 2) {
    throw new Error(
      `The model's output has shape ${JSON.stringify(out)}; expected one vector of at least two class scores [null, classes]`,
    );
  }
  return { inputShape: [h, w, c], outputs: out[1] };
}

export interface WriteImportOptions {
  labels: string[];
  preprocessing: Preprocessing;
  /** Default "none": the model's own output. */
  testTimeAugmentation?: TestTimeAugmentation;
  /** Default "bilinear" (Keras and OpenCV's resize). */
  resizeFilter?: ResizeFilter;
  /** Default: defaultImportDir(imported.path). */
  out?: string;
}

export interface ImportResult {
  dir: string;
  metadata: ModelMetadata;
}

/**
 * Writes the model as a version folder (model.json + shards + metadata.json) through a temporary
 * folder, and moves it into place only after loadModelFromDir — what the app and the worker use —
 * has loaded it and agreed with its metadata. Refuses a non-empty target.
 */
export async function writeImportedModel(
  imported: ImportedKerasModel,
  options: WriteImportOptions,
): Promise<ImportResult> {
  const { tf } = await getTf();
  const { labels, preprocessing } = options;
  if (labels.length !== imported.outputs) {
    throw new Error(
      `The model has ${imported.outputs} outputs but ${labels.length} labels were given (${labels.join(", ")}); give one label per output, in output order`,
    );
  }
  const dir = path.resolve(options.out ?? defaultImportDir(imported.path));
  if (fsSync.existsSync(dir) && (await fs.readdir(dir)).length > 0) {
    throw new Error(`${dir} already exists and is not empty; choose another --out or remove it`);
  }
  const name = sourceName(imported.path);
  const importedFrom: ImportedFrom = {
    format: imported.format,
    file: path.basename(imported.path),
    sha256: imported.sha256,
    kerasVersion: imported.kerasVersion,
  };
  const metadata: ModelMetadata = {
    labels,
    inputShape: imported.inputShape,
    preprocessing,
    resizeFilter: options.resizeFilter ?? "bilinear",
    ...(options.testTimeAugmentation && options.testTimeAugmentation !== "none"
      ? { testTimeAugmentation: options.testTimeAugmentation }
      : {}),
    name,
    createdAt: new Date().toISOString(),
    parent: null,
    importedFrom,
  };
  await fs.mkdir(path.dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  await fs.rm(tmp, { recursive: true, force: true });
  try {
    await imported.model.save(fileSystemIOHandler(tf, tmp));
    await writeModelMetadata(tmp, metadata);
    const check = await loadModelFromDir(tmp);
    check.dispose();
    if (fsSync.existsSync(dir)) await fs.rmdir(dir);
    await fs.rename(tmp, dir);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return { dir, metadata };
}

/**
 * `<MODELS_DIR>/versions/import-<name>`: beside the versions the app trains (git-ignored), in the
 * same layout, so it can be registered as a version like them.
 */
export function defaultImportDir(sourcePath: string): string {
  return path.join(
    getEnv().modelsDir,
    "versions",
    `import-${sourceName(sourcePath).replace(/[^A-Za-z0-9._-]+/g, "-")}`,
  );
}

/** The model's name: its file name without the extension, or the TF.js folder's name. */
function sourceName(sourcePath: string): string {
  const base = path.basename(sourcePath);
  return base.replace(/\.(h5|hdf5|keras)$/i, "") || base;
}

export type ImportSummary = Omit<ImportedKerasModel, "model">;

/** Validates options, naming each bad one (zod's own message is a JSON dump). */
export function parseImportOptions(
  input: Partial<Record<keyof ImportOptions, string>>,
): z.output<typeof importOptionsSchema> {
  const parsed = importOptionsSchema.safeParse(input);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `${String(i.path[0] ?? "options")}: ${i.message}`).join("\n"));
  }
  return parsed.data;
}

/** readKerasModel + writeImportedModel, for callers that have labels and preprocessing already. */
export async function importKerasModel(options: ImportOptions): Promise<ImportResult & { summary: ImportSummary }> {
  const { source, labels, preprocessing, testTimeAugmentation, resizeFilter, out } = parseImportOptions(options);
  if (!labels) throw new Error("labels are required: one per model output, in output order");
  if (!preprocessing) throw new Error(`preprocessing is required: ${PREPROCESSING_MODES.join(" or ")}`);
  const { model, ...summary } = await readKerasModel(source);
  try {
    const result = await writeImportedModel(
      { model, ...summary },
      { labels, preprocessing, testTimeAugmentation, resizeFilter, out },
    );
    return { ...result, summary };
  } finally {
    model.dispose();
  }
}
