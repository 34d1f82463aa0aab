import type { LayersModel } from "@tensorflow/tfjs";
import { getTf } from "@/lib/tf/backend";
import { fileSystemIOHandler } from "@/lib/model/fs-io";
import { readModelMetadata, type ModelMetadata, type TestTimeAugmentation } from "@/lib/model/metadata";
import { imageToInput, type ModelImage } from "@/lib/model/preprocess";
import { applyTemperature } from "@/lib/model/calibration";
import { servedProbabilities } from "@/lib/model/served-probabilities";

// Pure tf code, shared with the browser (the live view); re-exported for the server side.
export { servedProbabilities, testTimeViews, TTA_SHIFT } from "@/lib/model/served-probabilities";

/** Inputs per forward pass: large enough to keep XNNPACK busy, small enough for little memory. */
const BATCH = 64;
/** Images decoded concurrently by predictImages (sharp runs them on libuv threads). */
const DECODE_CONCURRENCY = 8;

export interface LoadedModel {
  dir: string;
  metadata: ModelMetadata;
  /** tf.getBackend() the model runs on ("tensorflow", "wasm", "cpu"). */
  backend: string;
  /** How predict() forms probabilities (metadata's, unless the loader was told otherwise). */
  testTimeAugmentation: TestTimeAugmentation;
  /** The temperature predict() applies (metadata's, 1 when absent or when loaded uncalibrated). */
  temperature: number;
  /**
   * Probability vectors, one per input, each labels.length long (the model's own softmax).
   * @param inputs each h·w·c floats, already preprocessed (imageToInput).
   */
  predict(inputs: Float32Array[]): Promise<Float32Array[]>;
  /**
   * predict() on encoded images (any format sharp reads) or grey pixels, preprocessed per the
   * metadata.
   */
  predictImages(images: ModelImage[]): Promise<Float32Array[]>;
  dispose(): void;
}

export interface LoadOptions {
  /** Overrides metadata.testTimeAugmentation (e.g. `npm run eval -- --tta none` to compare). */
  testTimeAugmentation?: TestTimeAugmentation;
  /** false serves the model's probabilities without metadata.temperature (to compare); default true. */
  calibrated?: boolean;
}

/**
 * Loads `<dir>/model.json` (+ shards) and `<dir>/metadata.json` on the process's backend, and checks
 * that they agree: input shape, output size, and that outputs are probabilities.
 */
export async function loadModelFromDir(dir: string, options: LoadOptions = {}): Promise<LoadedModel> {
  const { tf, backend } = await getTf();
  const metadata = await readModelMetadata(dir);
  const tta = options.testTimeAugmentation ?? metadata.testTimeAugmentation ?? "none";
  const temperature = options.calibrated === false ? 1 : (metadata.temperature ?? 1);
  const model = await tf.loadLayersModel(fileSystemIOHandler(tf, dir));
  try {
    checkModelMatchesMetadata(model, metadata, dir);
  } catch (err) {
    model.dispose();
    throw err;
  }
  const [h, w, c] = metadata.inputShape;
  const size = h * w * c;
  const classes = metadata.labels.length;
  let disposed = false;

  async function predict(inputs: Float32Array[]): Promise<Float32Array[]> {
    if (disposed) throw new Error(`model ${dir} has been disposed`);
    inputs.forEach((x, i) => {
      if (x.length !== size) throw new Error(`input ${i} has ${x.length} values, expected ${size} (${h}x${w}x${c})`);
    });
    const out: Float32Array[] = [];
    for (let start = 0; start < inputs.length; start += BATCH) {
      const chunk = inputs.slice(start, start + BATCH);
      const batch = new Float32Array(chunk.length * size);
      chunk.forEach((x, i) => batch.set(x, i * size));
      /** [n, classes] */
      const probs = tf.tidy(() => servedProbabilities(tf, model, tf.tensor4d(batch, [chunk.length, h, w, c]), tta));
      const flat = (await probs.data()) as Float32Array;
      probs.dispose();
      for (let i = 0; i < chunk.length; i++) {
        const row = flat.slice(i * classes, (i + 1) * classes);
        out.push(temperature === 1 ? row : applyTemperature(row, temperature));
      }
    }
    return out;
  }

  async function predictImages(images: ModelImage[]): Promise<Float32Array[]> {
    const inputs: Float32Array[] = new Array(images.length);
    for (let start = 0; start < images.length; start += DECODE_CONCURRENCY) {
      const part = images.slice(start, start + DECODE_CONCURRENCY);
      const decoded = await Promise.all(part.map((img) => imageToInput(img, metadata)));
      decoded.forEach((x, i) => (inputs[start + i] = x));
    }
    return predict(inputs);
  }

  // A model whose last layer is not a softmax gives logits, which every caller would misread.
  const [probe] = await predict([new Float32Array(size)]);
  const sum = probe?.reduce((a, b) => a + b, 0) ?? 0;
  if (!probe || probe.some((p) => p < 0 || !Number.isFinite(p)) || Math.abs(sum - 1) > 1e-3) {
    model.dispose();
    throw new Error(
      `model in ${dir} does not output probabilities (sum ${sum.toFixed(4)}); its last layer must be a softmax`,
    );
  }

  return {
    dir,
    metadata,
    backend,
    testTimeAugmentation: tta,
    temperature,
    predict,
    predictImages,
    dispose() {
      if (!disposed) model.dispose();
      disposed = true;
    },
  };
}

/** Throws a clear error unless the model's input is [null, h, w, c] and its output [null, labels]. */
export function checkModelMatchesMetadata(model: LayersModel, metadata: ModelMetadata, dir: string): void {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new Error(
      `model in ${dir} has ${model.inputs.length} inputs and ${model.outputs.length} outputs; expected 1 and 1`,
    );
  }
  const inShape = model.inputs[0]?.shape ?? [];
  const [h, w, c] = metadata.inputShape;
  if (inShape.length !== 4 || inShape[1] !== h || inShape[2] !== w || inShape[3] !== c) {
    throw new Error(
      `model in ${dir} takes input ${JSON.stringify(inShape)} but metadata.json says inputShape [${h},${w},${c}]`,
    );
  }
  const outShape = model.outputs[0]?.shape ?? [];
  if (outShape.length !== 2 || outShape[1] !== metadata.labels.length) {
    throw new Error(
      `model in ${dir} outputs ${JSON.stringify(outShape)} but metadata.json lists ${metadata.labels.length} labels (${metadata.labels.join(", ")})`,
    );
  }
}
