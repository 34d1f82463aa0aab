/**
 * How a version's probabilities are formed from the model's outputs (its test-time augmentation).
 * Only tf API on the `tf` given, no Node imports: the server (lib/model/predictor) and the browser's
 * live view call the very same code.
 */
import type { LayersModel, Tensor2D, Tensor4D } from "@tensorflow/tfjs";
import type { Tf } from "@/lib/tf/tf";
import type { TestTimeAugmentation } from "@/lib/model/test-time-augmentation";

/** Pixels a "flip-shift" view is moved by. */
export const TTA_SHIFT = 2;

/**
 * The views of a batch `x` [n, h, w, c] that `tta` averages over (see TEST_TIME_AUGMENTATION_MODES);
 * the first is always `x` itself.
 */
export function testTimeViews(tf: Tf, x: Tensor4D, tta: TestTimeAugmentation): Tensor4D[] {
  if (tta === "none") return [x];
  if (tta === "flip") return [x, tf.reverse(x, 2)];
  const [n, h, w, c] = x.shape;
  const s = TTA_SHIFT;
  const padded = tf.mirrorPad(
    x,
    [
      [0, 0],
      [s, s],
      [s, s],
      [0, 0],
    ],
    "reflect",
  );
  // Crop offsets into the padded batch: centre, then the content moved down, up, right, left.
  const shifted = [
    [s, s],
    [0, s],
    [2 * s, s],
    [s, 0],
    [s, 2 * s],
  ].map(([dy, dx]) => (dy === s && dx === s ? x : (tf.slice(padded, [0, dy!, dx!, 0], [n, h, w, c]) as Tensor4D)));
  return [...shifted, ...shifted.map((v) => tf.reverse(v, 2) as Tensor4D)];
}

/**
 * Inputs in one forward pass when the views are stacked: every view of a small batch goes through
 * the model at once (its fixed cost, a kernel call per layer, paid once), a large batch view by view.
 */
export const MAX_STACKED_VIEWS = 256;

/**
 * The probabilities a version serves for a batch `x` [n, h, w, c]: the model's softmax, or the mean
 * of it over the test-time views. The app, the retrain gate, the trainer's final validation and the
 * evaluator all score through this.
 * @returns [n, classes]
 */
export function servedProbabilities(tf: Tf, model: LayersModel, x: Tensor4D, tta: TestTimeAugmentation): Tensor2D {
  return tf.tidy(() => {
    const views = testTimeViews(tf, x, tta);
    if (views.length === 1) return model.predict(x) as Tensor2D;
    const n = x.shape[0];
    const outputs =
      views.length * n <= MAX_STACKED_VIEWS
        ? tf.split(model.predict(tf.concat(views, 0)) as Tensor2D, views.length, 0)
        : views.map((v) => model.predict(v) as Tensor2D);
    return tf.div(tf.addN(outputs), views.length) as Tensor2D;
  });
}
