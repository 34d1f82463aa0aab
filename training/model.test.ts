import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { LayersModel, Tensor } from "@tensorflow/tfjs";
import { getTf } from "@/lib/tf/backend";
import type { Tf } from "@/lib/tf/tf";
import { fileSystemIOHandler } from "@/lib/model/fs-io";
import { createModel, type Architecture } from "@/training/model";

let tf: Tf;
beforeAll(async () => {
  tf = (await getTf()).tf;
});

const archs: Architecture[] = ["tiny", "mini-xception", "xception-wide", "vgg-bn"];

/** n inputs whose class (0 or 1) is written in their brightness, and their one-hot targets. */
function twoClassBatch(n: number, shape: [number, number, number]): { x: Tensor; y: Tensor; labels: number[] } {
  const size = shape[0] * shape[1] * shape[2];
  const labels = Array.from({ length: n }, (_, i) => i % 2);
  const data = new Float32Array(n * size);
  labels.forEach((l, i) => data.fill(l ? 0.8 : 0.2, i * size, (i + 1) * size));
  for (let i = 0; i < data.length; i++) data[i] = (data[i] ?? 0) + ((i * 7919) % 101) / 1000;
  return { x: tf.tensor4d(data, [n, ...shape]), y: tf.oneHot(tf.tensor1d(labels, "int32"), 7), labels };
}

describe.each(archs)("%s", (arch) => {
  it("maps [n, 48, 48, 1] to 7 probabilities per input", () => {
    const model = createModel(tf, arch, { seed: 3 });
    const out = tf.tidy(() => model.predict(tf.zeros([2, 48, 48, 1])) as Tensor);
    expect(out.shape).toEqual([2, 7]);
    const rows = out.arraySync() as number[][];
    rows.forEach((r) => expect(r.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5));
    out.dispose();
    model.dispose();
  });

  it("fits a tiny two-class set (training loss falls, the set is learned)", async () => {
    // 16x16 inputs keep the test fast; every architecture ends in global pooling.
    const shape: [number, number, number] = [16, 16, 1];
    const model = createModel(tf, arch, { seed: 5, inputShape: shape, dropout: 0 });
    const { x, y, labels } = twoClassBatch(8, shape);
    model.compile({ optimizer: tf.train.adam(0.01), loss: "categoricalCrossentropy" });
    const history = await model.fit(x, y, { epochs: 25, batchSize: 8, verbose: 0, shuffle: false });
    const losses = history.history.loss as number[];
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.5);
    // Batch statistics: 25 steps are too few for batch norm's moving averages (momentum 0.99).
    const predicted = tf.tidy(
      () => tf.argMax(model.apply(x, { training: true }) as Tensor, -1).arraySync() as number[],
    );
    const trainingModeAcc = predicted.filter((p, i) => p === labels[i]).length / labels.length;
    expect(trainingModeAcc).toBe(1);
    tf.dispose([x, y]);
    model.dispose();
  }, 30_000);

  it("round-trips save → load with the same predictions", async () => {
    const model = createModel(tf, arch, { seed: 9 });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), `model-${arch}-`));
    await model.save(fileSystemIOHandler(tf, dir));
    const loaded: LayersModel = await tf.loadLayersModel(fileSystemIOHandler(tf, dir));
    const x = tf.randomUniform([3, 48, 48, 1], 0, 1, "float32", 4);
    const a = tf.tidy(() => (model.predict(x) as Tensor).dataSync());
    const b = tf.tidy(() => (loaded.predict(x) as Tensor).dataSync());
    expect(Array.from(b)).toEqual(Array.from(a));
    const json = JSON.parse(await fs.readFile(path.join(dir, "model.json"), "utf8")) as { modelTopology: unknown };
    // Layers are plain Keras classes: the fast batch norm serialises as BatchNormalization.
    expect(JSON.stringify(json.modelTopology)).not.toMatch(/FastBatchNormalization/);
    tf.dispose(x);
    model.dispose();
    loaded.dispose();
    await fs.rm(dir, { recursive: true });
  });
});

it("the same seed builds identical weights", () => {
  const a = createModel(tf, "mini-xception", { seed: 11 });
  const b = createModel(tf, "mini-xception", { seed: 11 });
  a.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(b.getWeights()[i]!.dataSync())));
  a.dispose();
  b.dispose();
});
