import type { Tensor, layers, serialization } from "@tensorflow/tfjs";
import type { Tf } from "@/lib/tf/tf";

type Layer = layers.Layer;
/** tfjs-layers' BatchNormalization class as far as this file needs it (static fromConfig included). */
type LayerClass = (new (args?: BatchNormArgs) => Layer) & { fromConfig: typeof serialization.Serializable.fromConfig };
type BatchNormArgs = NonNullable<Parameters<Tf["layers"]["batchNormalization"]>[0]>;
type LayerKwargs = Parameters<Layer["call"]>[1];

/**
 * BatchNormalization whose training-mode step is one op with a closed-form gradient.
 *
 * tfjs-layers normalises a training batch with moments() + batchNorm() and lets autodiff walk back
 * through both: ~25 full-size elementwise passes per layer (and a tile of every per-channel factor),
 * about a third of a mini-Xception training step on CPU. With x̂ = (x − μ)·σ⁻¹ over M = N·H·W values
 * per channel, the gradient of y = γ·x̂ + β is
 *   dx = γ·σ⁻¹/M · (M·dy − Σdy − x̂·Σ(dy·x̂)),  dγ = Σ(dy·x̂),  dβ = Σdy
 * which needs two reductions and three elementwise passes.
 *
 * It registers under Keras' own class name, so saved models stay plain BatchNormalization layers
 * (same config and weights, loadable anywhere); inference is the parent's code, unchanged.
 * Returns the class for `tf` (built once: tfjs-layers' class is only reachable through an instance).
 */
export function fastBatchNormalization(tf: Tf): new (args?: BatchNormArgs) => Layer {
  cached ??= defineClass(tf);
  return cached;
}

let cached: (new (args?: BatchNormArgs) => Layer) | undefined;

function defineClass(tf: Tf): new (args?: BatchNormArgs) => Layer {
  const Base = tf.layers.batchNormalization({}).constructor as LayerClass;

  class FastBatchNormalization extends Base {
    static className = "BatchNormalization";

    override call(inputs: Tensor | Tensor[], kwargs: LayerKwargs): Tensor | Tensor[] {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const config = this.getConfig();
      const axis = typeof config.axis === "number" ? config.axis : -1;
      const [gamma, beta, movingMean, movingVariance] = ["gamma", "beta", "moving_mean", "moving_variance"].map((n) =>
        this.weights.find((w) => w.originalName.endsWith(`/${n}`) || w.name.endsWith(`/${n}`)),
      );
      const training = kwargs?.training === true;
      if (
        !training ||
        !x ||
        !gamma ||
        !beta ||
        !movingMean ||
        !movingVariance ||
        (axis !== -1 && axis !== x.rank - 1)
      ) {
        return super.call(inputs, kwargs);
      }
      const epsilon = typeof config.epsilon === "number" ? config.epsilon : 1e-3;
      const momentum = typeof config.momentum === "number" ? config.momentum : 0.99;
      return tf.tidy(() => {
        const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
        const channels = x.shape[x.rank - 1] ?? 1;
        const m = x.size / channels;
        let mean: Tensor | undefined;
        let variance: Tensor | undefined;
        const normalize = tf.customGrad((...args: unknown[]) => {
          const [xIn, g, b, save] = args as [Tensor, Tensor, Tensor, (t: Tensor[]) => void];
          const moments = tf.moments(xIn, axes);
          // customGrad runs this inside its own tidy; the moments are needed after it, once.
          mean = tf.keep(moments.mean);
          variance = tf.keep(moments.variance);
          const invStd = tf.rsqrt(tf.add(variance, epsilon));
          const xHat = tf.mul(tf.sub(xIn, mean), invStd);
          save([xHat, invStd, g]);
          return {
            value: tf.add(tf.mul(xHat, g), b),
            gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
              const d = Array.isArray(dy) ? dy[0] : dy;
              const [xh, is, gm] = saved;
              if (!d || !xh || !is || !gm) throw new Error("batch norm gradient: missing saved tensors");
              const sumDy = tf.sum(d, axes);
              const sumDyXHat = tf.sum(tf.mul(d, xh), axes);
              const scale = tf.div(tf.mul(gm, is), m);
              const dx = tf.mul(tf.sub(tf.sub(tf.mul(d, m), sumDy), tf.mul(xh, sumDyXHat)), scale);
              return [dx, sumDyXHat, sumDy];
            },
          };
        });
        const y = normalize(x, gamma.read(), beta.read());
        if (!mean || !variance) throw new Error("batch norm: moments were not computed");
        // Same moving-average update (and biased batch variance) as tfjs-layers.
        const update = (v: typeof movingMean, batchValue: Tensor) =>
          v.write(tf.sub(v.read(), tf.mul(tf.sub(v.read(), batchValue), 1 - momentum)));
        update(movingMean, mean);
        update(movingVariance, variance);
        tf.dispose([mean, variance]);
        return y;
      });
    }
  }

  tf.serialization.registerClass(FastBatchNormalization);
  return FastBatchNormalization;
}
