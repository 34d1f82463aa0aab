import type { LayersModel } from "@tensorflow/tfjs";
import type { Tf } from "@/lib/tf/tf";
import { trainStep, trainableVariables } from "@/training/fit";

/**
 * The training loop's own step (training/fit.ts trainStep) on one fixed batch, for throughput
 * benches: Adam over the model's currently trainable weights, every sample weighing 1.
 * `dispose()` frees the optimizer's state.
 * @param x [n·h·w·c] model inputs; `y` [n·k] one-hot targets
 */
export function adamStep(
  tf: Tf,
  model: LayersModel,
  x: Float32Array,
  y: Float32Array,
  shape: [number, number, number, number],
  k: number,
): { step: () => void; dispose: () => void } {
  const vars = trainableVariables(tf, model);
  const optimizer = tf.train.adam(1e-3);
  const batch = { x, y, w: new Float32Array(shape[0]).fill(1) };
  return {
    step: () => void trainStep(tf, model, optimizer, vars, batch, shape, k),
    dispose: () => optimizer.dispose(),
  };
}
