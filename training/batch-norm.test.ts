import { beforeAll, describe, expect, it } from "vitest";
import type { LayersModel, Tensor } from "@tensorflow/tfjs";
import { getTf } from "@/lib/tf/backend";
import type { Tf } from "@/lib/tf/tf";
import { fastBatchNormalization } from "@/training/batch-norm";

let tf: Tf;
beforeAll(async () => {
  tf = (await getTf()).tf;
});

/** conv → BN → relu → GAP → dense, with either BN implementation and identical seeded weights. */
function build(fast: boolean): LayersModel {
  const input = tf.input({ shape: [6, 6, 2] });
  const conv = tf.layers
    .conv2d({
      filters: 3,
      kernelSize: 3,
      padding: "same",
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
    })
    .apply(input);
  const BN = fastBatchNormalization(tf);
  const bnArgs = {
    momentum: 0.9,
    gammaInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: 2 }),
    betaInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 3 }),
  };
  const norm = (fast ? new BN(bnArgs) : tf.layers.batchNormalization(bnArgs)).apply(conv);
  const act = tf.layers.activation({ activation: "relu" }).apply(norm);
  const pooled = tf.layers.globalAveragePooling2d({}).apply(act);
  const out = tf.layers
    .dense({ units: 4, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) })
    .apply(pooled);
  return tf.model({ inputs: input, outputs: out as ReturnType<typeof tf.input> });
}

function run(model: LayersModel): { loss: number; grads: Float32Array[]; moving: Float32Array[] } {
  const x = tf.randomNormal([5, 6, 6, 2], 0.3, 2, "float32", 7);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 1], "int32"), 4);
  const { value, grads } = tf.variableGrads(
    () =>
      tf.losses.softmaxCrossEntropy(
        y,
        tf.log(tf.add(model.apply(x, { training: true }) as Tensor, 1e-7)),
      ) as ReturnType<typeof tf.scalar>,
  );
  const out = {
    loss: value.dataSync()[0] ?? NaN,
    grads: model.trainableWeights.map((w) => grads[w.name]?.dataSync() as Float32Array),
    moving: model.nonTrainableWeights.map((w) => w.read().dataSync() as Float32Array),
  };
  tf.dispose([x, y, value, ...Object.values(grads)]);
  return out;
}

describe("FastBatchNormalization", () => {
  it("trains exactly like tfjs-layers' BatchNormalization (loss, every gradient, moving stats)", () => {
    const reference = run(build(false));
    const fast = run(build(true));
    expect(fast.loss).toBeCloseTo(reference.loss, 5);
    expect(fast.grads).toHaveLength(reference.grads.length);
    reference.grads.forEach((g, i) => {
      const f = fast.grads[i];
      expect(f).toBeDefined();
      g.forEach((v, j) => expect(f?.[j]).toBeCloseTo(v, 4));
    });
    reference.moving.forEach((m, i) => m.forEach((v, j) => expect(fast.moving[i]?.[j]).toBeCloseTo(v, 5)));
  });

  it("serialises as a plain BatchNormalization with the same config", () => {
    const BN = fastBatchNormalization(tf);
    const layer = new BN({ name: "bn", momentum: 0.9 });
    expect(layer.getClassName()).toBe("BatchNormalization");
    expect(layer.getConfig()).toEqual(tf.layers.batchNormalization({ name: "bn", momentum: 0.9 }).getConfig());
  });
});
