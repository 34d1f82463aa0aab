import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { TEST_TIME_AUGMENTATION_MODES } from "@/lib/model/test-time-augmentation";
import { DEFAULT_RESIZE_FILTER, RESIZE_FILTERS, type ResizeFilter } from "@/lib/model/resize";
import { PREPROCESSING_MODES } from "@/lib/model/model-input";

// The label list lives in a module without Node imports so client components can use it too.
export { EMOTION_LABELS, type EmotionLabel } from "@/lib/model/labels";

// How uint8 pixels become model inputs; in a module without Node imports (the browser uses it too).
export { PREPROCESSING_MODES, type Preprocessing } from "@/lib/model/model-input";

// Test-time augmentation too (the version page describes it).
export {
  describeTestTimeAugmentation,
  parseTestTimeAugmentation,
  TEST_TIME_AUGMENTATION_MODES,
  type TestTimeAugmentation,
} from "@/lib/model/test-time-augmentation";

export const METADATA_FILE = "metadata.json";
export const MODEL_FILE = "model.json";

/** Evaluation figures; keys match `npm run eval -- --json`. Anything else is kept as is. */
const metricsSchema = z.looseObject({
  accuracy: z.number().min(0).max(1).optional(),
  macro_f1: z.number().min(0).max(1).optional(),
  ece: z.number().min(0).max(1).optional(),
  n: z.number().int().nonnegative().optional(),
  /** What the figures were measured on, e.g. "fer2013/test-public". */
  dataset: z.string().optional(),
});

/** `metadata.json`, saved next to every `model.json`. Unknown fields pass through untouched. */
export const modelMetadataSchema = z.looseObject({
  /** Class names in output order. */
  labels: z
    .array(z.string().min(1))
    .min(2)
    .refine((l) => new Set(l.map((s) => s.toLowerCase())).size === l.length, "labels must be unique"),
  /** [height, width, channels]; channels 1 (grayscale) or 3 (RGB). */
  inputShape: z.tuple([
    z.number().int().positive(),
    z.number().int().positive(),
    z.union([z.literal(1), z.literal(3)]),
  ]),
  preprocessing: z.enum(PREPROCESSING_MODES),
  /** Absent means "none". Fine-tuned versions keep their parent's. */
  testTimeAugmentation: z.enum(TEST_TIME_AUGMENTATION_MODES).optional(),
  /**
   * How images are resized to the input (lib/model/resize): absent means "lanczos3", what this
   * project's own versions trained with; imported Keras models say "bilinear". Fine-tuned versions
   * keep their parent's.
   */
  resizeFilter: z.enum(RESIZE_FILTERS).optional(),
  /**
   * Temperature applied to every served probability vector (lib/model/calibration): fitted on the
   * version's validation faces; absent means 1 (served as the model gives them).
   */
  temperature: z.number().positive().optional(),
  /** How the temperature was fitted, with the figures on those faces before and after. */
  calibration: z
    .looseObject({
      temperature: z.number().positive(),
      fitted_on: z.string(),
      n: z.number().int().nonnegative(),
      nll_before: z.number(),
      nll_after: z.number(),
      ece_before: z.number(),
      ece_after: z.number(),
    })
    .optional(),
  name: z.string().optional(),
  /** ISO 8601 time the version was written. */
  createdAt: z.string().optional(),
  /** The version this one was fine-tuned from (folder name), null for a model trained from scratch. */
  parent: z.string().nullable().optional(),
  metrics: metricsSchema.optional(),
  trainingConfig: z.record(z.string(), z.unknown()).optional(),
  /** Hash of the sorted (path, label) sample list the model was trained on. */
  dataFingerprint: z.string().optional(),
  /** TF.js backend that trained it, e.g. "wasm" or "tensorflow". */
  backend: z.string().optional(),
  durationSeconds: z.number().nonnegative().optional(),
});

export type ModelMetadata = z.infer<typeof modelMetadataSchema>;

export { RESIZE_FILTERS, type ResizeFilter } from "@/lib/model/resize";

/** The filter a version's input is resized with (its metadata's, else the project's default). */
export function resizeFilterOf(meta: { resizeFilter?: ResizeFilter }): ResizeFilter {
  return meta.resizeFilter ?? DEFAULT_RESIZE_FILTER;
}
export type ModelMetrics = z.infer<typeof metricsSchema>;

/** Validates parsed JSON; `source` names it in the error (a path, "request body"). */
export function parseModelMetadata(value: unknown, source: string): ModelMetadata {
  const parsed = modelMetadataSchema.safeParse(value);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new Error(`Invalid model metadata in ${source}:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

/** Reads and validates `<dir>/metadata.json`. */
export async function readModelMetadata(dir: string): Promise<ModelMetadata> {
  const file = path.join(dir, METADATA_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code === "ENOENT" ? `No ${METADATA_FILE} in model folder ${dir}` : `Cannot read ${file}: ${String(err)}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseModelMetadata(json, file);
}

/** Validates, then writes `<dir>/metadata.json` (pretty-printed, so diffs stay readable). */
export async function writeModelMetadata(dir: string, metadata: ModelMetadata): Promise<void> {
  const checked = parseModelMetadata(metadata, "metadata to write");
  await fs.writeFile(path.join(dir, METADATA_FILE), JSON.stringify(checked, null, 2) + "\n");
}
