import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { registerWasmGradients } from "@/lib/tf/wasm-gradients";

/** Deterministic values in [-1, 1) (mulberry32), so both backends see identical inputs. */
function seeded(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

interface Case {
  name: string;
  /** Input shapes; values are seeded. */
  shapes: number[][];
  /** The differentiated function of the inputs. */
  f: (...xs: tf.Tensor[]) => tf.Tensor;
}

/**
 * Gradients of sum(f(xs) · r) with respect to every input on one backend (r seeded too, so every
 * output element gets a different weight and a wrong index cannot cancel out).
 */
async function gradsOn(backend: string, c: Case): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const xs = c.shapes.map((s, i) =>
      tf.tensor(
        seeded(
          s.reduce((a, b) => a * b, 1),
          11 + i,
        ),
        s,
      ),
    );
    const outShape = c.f(...xs).shape;
    const r = tf.tensor(
      seeded(
        outShape.reduce((a, b) => a * b, 1),
        99,
      ),
      outShape,
    );
    const g = tf.grads((...ins: tf.Tensor[]) => tf.sum(tf.mul(c.f(...ins), r)));
    // The forward value is compared too: a gradient can be right while the kernel's output is not.
    return [...g(xs), c.f(...xs)].map((t) => t.dataSync() as Float32Array);
  });
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return m;
}

function maxAbs(a: Float32Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

type Stride = number | [number, number];
const conv = (stride: Stride, pad: "same" | "valid") => (x: tf.Tensor, w: tf.Tensor) =>
  tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad);
const depthwise = (stride: Stride, pad: "same" | "valid") => (x: tf.Tensor, w: tf.Tensor) =>
  tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad);

const cases: Case[] = [
  {
    name: "conv 3x3 s1 same",
    shapes: [
      [2, 9, 9, 3],
      [3, 3, 3, 4],
    ],
    f: conv(1, "same"),
  },
  {
    name: "conv 3x3 s1 valid",
    shapes: [
      [2, 9, 9, 3],
      [3, 3, 3, 4],
    ],
    f: conv(1, "valid"),
  },
  {
    name: "conv 3x3 s2 same (odd size)",
    shapes: [
      [2, 9, 9, 3],
      [3, 3, 3, 4],
    ],
    f: conv(2, "same"),
  },
  {
    name: "conv 3x3 s2 same (even size)",
    shapes: [
      [2, 8, 8, 3],
      [3, 3, 3, 4],
    ],
    f: conv(2, "same"),
  },
  {
    name: "conv 3x3 s2 valid",
    shapes: [
      [2, 9, 10, 3],
      [3, 3, 3, 4],
    ],
    f: conv(2, "valid"),
  },
  {
    name: "conv 5x5 s2 same",
    shapes: [
      [1, 11, 11, 2],
      [5, 5, 2, 3],
    ],
    f: conv(2, "same"),
  },
  {
    name: "conv 2x2 s3 valid (unread edge)",
    shapes: [
      [2, 10, 10, 2],
      [2, 2, 2, 3],
    ],
    f: conv(3, "valid"),
  },
  {
    name: "conv 3x3 strides [1,2] same",
    shapes: [
      [2, 7, 9, 2],
      [3, 3, 2, 3],
    ],
    f: conv([1, 2], "same"),
  },
  {
    name: "conv 1x1 (pointwise)",
    shapes: [
      [3, 6, 6, 5],
      [1, 1, 5, 7],
    ],
    f: conv(1, "valid"),
  },
  {
    name: "conv 3x5 non-square filter",
    shapes: [
      [2, 8, 9, 2],
      [3, 5, 2, 3],
    ],
    f: conv(1, "same"),
  },
  {
    name: "conv 48x48 first layer",
    shapes: [
      [4, 48, 48, 1],
      [3, 3, 1, 8],
    ],
    f: conv(1, "same"),
  },
  {
    name: "depthwise 3x3 s1 same",
    shapes: [
      [2, 9, 9, 3],
      [3, 3, 3, 1],
    ],
    f: depthwise(1, "same"),
  },
  {
    name: "depthwise 3x3 s1 valid",
    shapes: [
      [2, 9, 9, 3],
      [3, 3, 3, 1],
    ],
    f: depthwise(1, "valid"),
  },
  {
    name: "depthwise 3x3 s2 same",
    shapes: [
      [2, 9, 9, 4],
      [3, 3, 4, 1],
    ],
    f: depthwise(2, "same"),
  },
  {
    name: "depthwise 3x3 s2 valid",
    shapes: [
      [2, 10, 10, 4],
      [3, 3, 4, 1],
    ],
    f: depthwise(2, "valid"),
  },
  {
    name: "depthwise multiplier 2",
    shapes: [
      [2, 8, 8, 3],
      [3, 3, 3, 2],
    ],
    f: depthwise(1, "same"),
  },
  {
    name: "depthwise multiplier 3 s2",
    shapes: [
      [2, 9, 9, 2],
      [3, 3, 2, 3],
    ],
    f: depthwise(2, "same"),
  },
  {
    name: "separable conv",
    shapes: [
      [2, 9, 9, 3],
      [3, 3, 3, 1],
      [1, 1, 3, 5],
    ],
    f: (x, dw, pw) => tf.separableConv2d(x as tf.Tensor4D, dw as tf.Tensor4D, pw as tf.Tensor4D, 1, "same"),
  },
  {
    name: "matMul",
    shapes: [
      [5, 7],
      [7, 3],
    ],
    f: (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
  },
  {
    name: "matMul transposeA",
    shapes: [
      [7, 5],
      [7, 3],
    ],
    f: (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, true, false),
  },
  {
    name: "matMul transposeB",
    shapes: [
      [5, 7],
      [3, 7],
    ],
    f: (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, false, true),
  },
  {
    name: "matMul both transposed",
    shapes: [
      [7, 5],
      [3, 7],
    ],
    f: (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, true, true),
  },
  {
    name: "batched matMul",
    shapes: [
      [2, 5, 7],
      [2, 7, 3],
    ],
    f: (a, b) => tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D),
  },
  {
    name: "dense (fused matMul + bias + relu)",
    shapes: [[6, 10], [10, 4], [4]],
    f: (x, w, b) => tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b, activation: "relu" }),
  },
  {
    name: "fused conv + bias",
    shapes: [[2, 8, 8, 3], [3, 3, 3, 4], [4]],
    f: (x, w, b) =>
      tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 2, pad: "same", bias: b }),
  },
  {
    name: "batch norm",
    shapes: [[2, 5, 5, 3], [3], [3], [3], [3]],
    f: (x, mean, variance, offset, scale) => tf.batchNorm(x, mean, tf.abs(variance).add(0.5), offset, scale, 1e-3),
  },
  { name: "max pool 2x2 s2", shapes: [[2, 8, 8, 3]], f: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, "valid") },
  { name: "max pool 3x3 s2 same", shapes: [[2, 9, 9, 3]], f: (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, "same") },
  {
    name: "max pool, large negative values",
    shapes: [[2, 8, 8, 3]],
    f: (x) => tf.maxPool(tf.sub(tf.mul(x, 50), 100) as tf.Tensor4D, 3, 2, "same"),
  },
  {
    name: "max pool after relu (ties at 0)",
    shapes: [[2, 8, 8, 3]],
    f: (x) => tf.maxPool(tf.relu(x) as tf.Tensor4D, 2, 2, "same"),
  },
  { name: "avg pool 2x2 s2", shapes: [[2, 8, 8, 3]], f: (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, "valid") },
  { name: "tile (BatchNorm's broadcast)", shapes: [[1, 1, 1, 5]], f: (x) => tf.tile(x, [2, 3, 4, 1]) },
  { name: "tile, every axis", shapes: [[2, 3, 2]], f: (x) => tf.tile(x, [3, 1, 2]) },
  { name: "global average pool + softmax", shapes: [[2, 5, 5, 7]], f: (x) => tf.softmax(tf.mean(x, [1, 2])) },
];

describe("wasm training kernels match the CPU backend", () => {
  beforeAll(async () => {
    await tf.setBackend("wasm");
    await tf.ready();
    registerWasmGradients(tf);
  });

  it.each(cases)("$name", async (c) => {
    const expected = await gradsOn("cpu", c);
    const actual = await gradsOn("wasm", c);
    expect(actual.length).toBe(expected.length);
    expected.forEach((e, i) => {
      const a = actual[i];
      if (!a) throw new Error(`missing gradient ${i}`);
      // Float32 sums over thousands of terms differ with summation order, so the bound is
      // relative to the gradient's scale once that exceeds 1.
      expect(maxAbsDiff(a, e) / Math.max(1, maxAbs(e))).toBeLessThan(1e-4);
    });
  });

  it("a small CNN's weight gradients (conv, separable, batch norm, pooling, dense) match", async () => {
    /** Weight gradients of a seeded model's cross-entropy on seeded data, in weight order. */
    const modelGrads = async (backend: string): Promise<Float32Array[]> => {
      await tf.setBackend(backend);
      const init = (seed: number) => tf.initializers.glorotUniform({ seed });
      const m = tf.sequential({
        layers: [
          tf.layers.conv2d({
            inputShape: [12, 12, 1],
            filters: 4,
            kernelSize: 3,
            strides: 2,
            padding: "same",
            kernelInitializer: init(1),
          }),
          tf.layers.batchNormalization(),
          tf.layers.activation({ activation: "relu" }),
          tf.layers.separableConv2d({
            filters: 6,
            kernelSize: 3,
            padding: "same",
            depthwiseInitializer: init(2),
            pointwiseInitializer: init(3),
          }),
          tf.layers.batchNormalization(),
          tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: "same" }),
          tf.layers.conv2d({ filters: 5, kernelSize: 3, padding: "valid", kernelInitializer: init(4) }),
          tf.layers.globalAveragePooling2d({}),
          tf.layers.dense({ units: 7, activation: "softmax", kernelInitializer: init(5) }),
        ],
      });
      const x = tf.tensor(seeded(4 * 12 * 12, 7), [4, 12, 12, 1]);
      const y = tf.oneHot(tf.tensor1d([0, 3, 6, 2], "int32"), 7);
      const { grads } = tf.variableGrads(() => {
        const out = m.apply(x, { training: true }) as tf.Tensor;
        return tf.losses.softmaxCrossEntropy(y, tf.log(tf.add(out, 1e-7))) as tf.Scalar;
      });
      const values = m.trainableWeights.map((w) => {
        const g = grads[w.name];
        if (!g) throw new Error(`no gradient for ${w.name}`);
        return g.dataSync() as Float32Array;
      });
      tf.dispose([x, y, ...Object.values(grads)]);
      m.dispose();
      return values;
    };
    const expected = await modelGrads("cpu");
    const actual = await modelGrads("wasm");
    expect(actual.length).toBe(expected.length);
    expected.forEach((e, i) => {
      const a = actual[i];
      if (!a) throw new Error(`missing gradient ${i}`);
      expect(maxAbsDiff(a, e) / Math.max(1, maxAbs(e))).toBeLessThan(1e-4);
    });
  });

  it("frees every intermediate tensor", async () => {
    await tf.setBackend("wasm");
    const x = tf.tensor(seeded(2 * 9 * 9 * 3, 1), [2, 9, 9, 3]);
    const w = tf.tensor(seeded(3 * 3 * 3 * 4, 2), [3, 3, 3, 4]);
    const d = tf.tensor(seeded(3 * 3 * 4 * 2, 3), [3, 3, 4, 2]);
    const m = tf.tensor(seeded(8 * 5, 4), [8, 5]);
    const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, e: tf.Tensor) => {
      const h = tf.depthwiseConv2d(
        tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, "same"),
        c as tf.Tensor4D,
        2,
        "valid",
      );
      return tf.sum(tf.matMul(tf.mean(h, [1, 2]) as tf.Tensor2D, e as tf.Tensor2D));
    };
    const step = () =>
      tf.tidy(() =>
        tf
          .grads(loss)([x, w, d, m])
          .map((g) => g.sum()),
      );
    tf.dispose(step());
    const before = tf.engine().backend.numDataIds();
    tf.dispose(step());
    expect(tf.engine().backend.numDataIds()).toBe(before);
    tf.dispose([x, w, d, m]);
  });
});
