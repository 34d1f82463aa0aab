import type { LayersModel, Optimizer, Scalar, Tensor, Variable } from "@tensorflow/tfjs";
import type { Tf } from "@/lib/tf/backend";

/**
 * One training step on a fixed batch, for throughput benches: softmax cross-entropy, Adam over the
 * model's currently trainable weights, with the loss read back so the work is really done.
 * `dispose()` frees the optimizer's state.
 */
export function adamStep(tf: Tf, model: LayersModel, x: Tensor, y: Tensor): { step: () => void; dispose: () => void } {
  const vars = model.trainableWeights.map((w) => w.read()).filter((v): v is Variable => v instanceof tf.Variable);
  const optimizer: Optimizer = tf.train.adam(1e-3);
  const step = () =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(y, tf.log(tf.add(model.apply(x, { training: true }) as Tensor, 1e-7))) as Scalar,
        vars,
      );
      optimizer.applyGradients(grads);
      value.dataSync();
    });
  return { step, dispose: () => optimizer.dispose() };
}
