import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Tensor } from "@tensorflow/tfjs";
import { getTf } from "@/lib/tf/backend";
import { fileSystemIOHandler } from "@/lib/model/fs-io";
import { createQuickCnn } from "@/training/quick-baseline";

describe("createQuickCnn", () => {
  it("maps 48x48x1 faces to 7 probabilities", async () => {
    const { tf } = await getTf();
    const model = await createQuickCnn();
    expect(model.inputs[0]?.shape).toEqual([null, 48, 48, 1]);
    expect(model.outputs[0]?.shape).toEqual([null, 7]);
    const out = tf.tidy(() => model.predict(tf.randomUniform([3, 48, 48, 1], 0, 1, "float32", 1)) as Tensor);
    const rows = (await out.array()) as number[][];
    out.dispose();
    for (const r of rows) expect(r.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    model.dispose();
  });

  it("fits a tiny batch (loss falls) and survives a save/load round trip unchanged", async () => {
    const { tf } = await getTf();
    const model = await createQuickCnn(7);
    model.compile({ optimizer: tf.train.adam(0.01), loss: "categoricalCrossentropy" });
    const x = tf.randomUniform([8, 48, 48, 1], 0, 1, "float32", 2);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 0], "int32"), 7).toFloat();
    const h = await model.fit(x, y, { epochs: 8, batchSize: 8, verbose: 0 });
    const losses = h.history.loss as number[];
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "quick-cnn-"));
    await model.save(fileSystemIOHandler(tf, dir));
    const back = await tf.loadLayersModel(fileSystemIOHandler(tf, dir));
    const a = (await (model.predict(x) as Tensor).data()) as Float32Array;
    const b = (await (back.predict(x) as Tensor).data()) as Float32Array;
    expect(Array.from(b)).toEqual(Array.from(a));
    model.dispose();
    back.dispose();
    x.dispose();
    y.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
