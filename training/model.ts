import type { LayersModel, SymbolicTensor } from "@tensorflow/tfjs";
import type { Tf } from "@/lib/tf/tf";
import { EMOTION_LABELS } from "@/lib/model/metadata";
import { fastBatchNormalization } from "@/training/batch-norm";

/**
 * - "mini-xception": Arriaga et al. 2017 (the 63-65 % FER2013 reference): a stem of two 3x3 convs,
 *   four residual blocks of two separable convs + max pool with a strided 1x1 shortcut, widths
 *   16-32-64-128, a 3x3 conv to the classes and global average pooling. ~60k weights, ~6 MFLOP.
 * - "xception-wide": the same graph at three times the width (48-96-192-384, ~420k weights), a
 *   stride-2 stem (blocks at 24x24 and below) and a dropout + dense head; the baseline. On a CPU it
 *   trains about as fast per epoch as the narrow net (bench/tf-throughput.ts), whose full-resolution
 *   blocks are memory-bound.
 * - "vgg-bn": three stages of two 3x3 conv + BN + ReLU (32-64-128) and a 256 conv, GAP, dropout,
 *   dense. ~100 MFLOP; more accurate per epoch, far slower per epoch on a CPU.
 * - "tiny": two convs; for tests only.
 */
export const ARCHITECTURES = ["mini-xception", "xception-wide", "vgg-bn", "tiny"] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

export interface ModelOptions {
  /** [h, w, c]; default [48, 48, 1]. */
  inputShape?: [number, number, number];
  /** Default 7 (EMOTION_LABELS). */
  numClasses?: number;
  /** Seeds every initialiser; the same seed builds identical weights. Default 1. */
  seed?: number;
  /** L2 weight decay on conv/dense kernels. Default 1e-4 (0 for "tiny"). */
  l2?: number;
  /** Dropout before the classifier (heads that have one). Default 0.3. */
  dropout?: number;
}

/**
 * A compiled-free Layers model: input [batch, h, w, c] → softmax [batch, numClasses].
 * The training loop owns the optimiser and loss, so the model is not compiled here.
 */
export function createModel(tf: Tf, architecture: Architecture, opts: ModelOptions = {}): LayersModel {
  const inputShape = opts.inputShape ?? [48, 48, 1];
  const numClasses = opts.numClasses ?? EMOTION_LABELS.length;
  let seed = opts.seed ?? 1;
  const l2 = opts.l2 ?? (architecture === "tiny" ? 0 : 1e-4);
  const dropout = opts.dropout ?? 0.3;
  const reg = l2 > 0 ? tf.regularizers.l2({ l2 }) : undefined;
  // Each initialiser gets its own seed (in creation order) so layers differ yet rebuild identically.
  const init = () => tf.initializers.heNormal({ seed: seed++ });
  const glorot = () => tf.initializers.glorotUniform({ seed: seed++ });

  const input = tf.input({ shape: inputShape, name: "input" });
  const conv = (x: SymbolicTensor, filters: number, kernel: number, name: string, strides = 1) =>
    tf.layers
      .conv2d({
        name,
        filters,
        kernelSize: kernel,
        strides,
        padding: "same",
        useBias: false,
        kernelInitializer: init(),
        kernelRegularizer: reg,
      })
      .apply(x) as SymbolicTensor;
  const sep = (x: SymbolicTensor, filters: number, name: string) =>
    tf.layers
      .separableConv2d({
        name,
        filters,
        kernelSize: 3,
        padding: "same",
        useBias: false,
        depthwiseInitializer: init(),
        pointwiseInitializer: init(),
        depthwiseRegularizer: reg,
        pointwiseRegularizer: reg,
      })
      .apply(x) as SymbolicTensor;
  const BatchNorm = fastBatchNormalization(tf);
  // "tiny" trains for a handful of steps in tests: its moving averages must catch up quickly.
  const momentum = architecture === "tiny" ? 0.8 : 0.99;
  const bn = (x: SymbolicTensor, name: string) => new BatchNorm({ name, momentum }).apply(x) as SymbolicTensor;
  const relu = (x: SymbolicTensor, name: string) =>
    tf.layers.activation({ name, activation: "relu" }).apply(x) as SymbolicTensor;
  const pool = (x: SymbolicTensor, name: string, size = 3) =>
    tf.layers.maxPooling2d({ name, poolSize: size, strides: 2, padding: "same" }).apply(x) as SymbolicTensor;
  const classifier = (x: SymbolicTensor, withDropout: boolean) => {
    let h = tf.layers.globalAveragePooling2d({ name: "gap" }).apply(x) as SymbolicTensor;
    if (withDropout && dropout > 0)
      h = tf.layers.dropout({ name: "dropout", rate: dropout, seed: seed++ }).apply(h) as SymbolicTensor;
    return tf.layers
      .dense({ name: "predictions", units: numClasses, activation: "softmax", kernelInitializer: glorot() })
      .apply(h) as SymbolicTensor;
  };

  let output: SymbolicTensor;
  switch (architecture) {
    case "mini-xception":
    case "xception-wide": {
      const wide = architecture === "xception-wide";
      const stem = wide ? 16 : 8;
      let x = relu(bn(conv(input, stem, 3, "stem_conv1"), "stem_bn1"), "stem_relu1");
      // The wide net halves the resolution in its stem: its blocks then run at 24x24 and below,
      // which on a CPU more than halves a training step for a point or so of accuracy.
      x = relu(bn(conv(x, wide ? 2 * stem : stem, 3, "stem_conv2", wide ? 2 : 1), "stem_bn2"), "stem_relu2");
      const widths = wide ? [48, 96, 192, 384] : [16, 32, 64, 128];
      widths.forEach((width, i) => {
        const b = `block${i + 1}`;
        const shortcut = bn(conv(x, width, 1, `${b}_shortcut`, 2), `${b}_shortcut_bn`);
        let y = relu(bn(sep(x, width, `${b}_sep1`), `${b}_bn1`), `${b}_relu1`);
        y = bn(sep(y, width, `${b}_sep2`), `${b}_bn2`);
        y = pool(y, `${b}_pool`);
        x = tf.layers.add({ name: `${b}_add` }).apply([y, shortcut]) as SymbolicTensor;
      });
      output = classifier(x, wide);
      break;
    }
    case "vgg-bn": {
      let x: SymbolicTensor = input;
      [32, 64, 128].forEach((width, i) => {
        const s = `stage${i + 1}`;
        x = relu(bn(conv(x, width, 3, `${s}_conv1`), `${s}_bn1`), `${s}_relu1`);
        x = relu(bn(conv(x, width, 3, `${s}_conv2`), `${s}_bn2`), `${s}_relu2`);
        x = pool(x, `${s}_pool`, 2);
      });
      x = relu(bn(conv(x, 256, 3, "stage4_conv"), "stage4_bn"), "stage4_relu");
      output = classifier(x, true);
      break;
    }
    case "tiny": {
      let x = relu(bn(conv(input, 8, 3, "conv1", 2), "bn1"), "relu1");
      x = relu(conv(x, 16, 3, "conv2", 2), "relu2");
      output = classifier(x, false);
      break;
    }
  }
  return tf.model({ name: architecture.replace(/-/g, "_"), inputs: input, outputs: output });
}
