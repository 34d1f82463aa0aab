import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { getTf } from "@/lib/tf/backend";
import { fileSystemIOHandler } from "@/lib/model/fs-io";
import { EMOTION_LABELS, writeModelMetadata, type ModelMetadata } from "@/lib/model/metadata";

export interface TinyModelOptions {
  /** Seeds the weight initialisers; the same seed gives byte-identical weights. Default 42. */
  seed?: number;
  labels?: readonly string[];
  preprocessing?: ModelMetadata["preprocessing"];
  /** Extra metadata fields (name, parent, metrics…). */
  metadata?: Partial<ModelMetadata>;
}

/**
 * A small real TF.js CNN (48x48x1 → 2 convolutions → 7-way softmax, ~1.5k weights) saved as
 * model.json + shard + metadata.json, for tests that need "a model" without the real baseline.
 * Works on any backend. Returns the folder (a fresh temp folder unless `dir` is given).
 */
export async function createTinyModelDir(dir?: string, opts: TinyModelOptions = {}): Promise<string> {
  const { tf } = await getTf();
  const seed = opts.seed ?? 42;
  const labels = [...(opts.labels ?? EMOTION_LABELS)];
  const out = dir ?? (await fs.mkdtemp(path.join(os.tmpdir(), "tiny-model-")));
  const init = (offset: number) => tf.initializers.glorotUniform({ seed: seed + offset });
  // Explicit layer names keep model.json identical however many models the process built before.
  const model = tf.sequential({
    name: "tiny_emotion_cnn",
    layers: [
      tf.layers.conv2d({
        name: "conv1",
        inputShape: [48, 48, 1],
        filters: 8,
        kernelSize: 3,
        strides: 2,
        padding: "same",
        activation: "relu",
        kernelInitializer: init(1),
      }),
      tf.layers.maxPooling2d({ name: "pool1", poolSize: 2 }),
      tf.layers.conv2d({
        name: "conv2",
        filters: 12,
        kernelSize: 3,
        padding: "same",
        activation: "relu",
        kernelInitializer: init(2),
      }),
      tf.layers.globalAveragePooling2d({ name: "gap" }),
      tf.layers.dense({ name: "predictions", units: labels.length, activation: "softmax", kernelInitializer: init(3) }),
    ],
  });
  try {
    await model.save(fileSystemIOHandler(tf, out));
  } finally {
    model.dispose();
  }
  await writeModelMetadata(out, {
    name: "tiny-test-model",
    createdAt: new Date(0).toISOString(),
    parent: null,
    ...opts.metadata,
    labels,
    inputShape: [48, 48, 1],
    preprocessing: opts.preprocessing ?? "unit",
  });
  return out;
}
