// Inference and training throughput of the training architectures on whatever backend getTf() picks.
// Run: npm run bench:tf -- [arch,arch…] [batch=64]
//   TFJS_BACKEND=cpu|wasm|node|gpu forces a backend; TFJS_WASM_THREADS=1|2|… sets WASM's pool size.
// Prints one JSON line per architecture. Speed targets live here, never in timed test assertions.
import os from "node:os";
import type { Tensor } from "@tensorflow/tfjs";
import { allowNativeAccelerator, getTf } from "@/lib/tf/backend";
import { fastBatchNormalization } from "@/training/batch-norm";
import { ARCHITECTURES, createModel, type Architecture } from "@/training/model";
import { mulberry32 } from "@/training/random";
import { adamStep } from "./support/train-step";

async function main(): Promise<void> {
  const archs = (process.argv[2] ?? "mini-xception,xception-wide").split(",") as Architecture[];
  const bad = archs.filter((a) => !ARCHITECTURES.includes(a));
  if (bad.length) throw new Error(`unknown architecture(s) ${bad.join(", ")}; known: ${ARCHITECTURES.join(", ")}`);
  const batch = Number(process.argv[3] ?? 64);
  const rt = await getTf();
  const { tf } = rt;
  fastBatchNormalization(tf);
  for (const arch of archs) {
    const model = createModel(tf, arch);
    const rand = mulberry32(1);
    /** [batch, 48, 48, 1] inputs in [0, 1) and [batch, 7] one-hot targets. */
    const xs = Float32Array.from({ length: batch * 48 * 48 }, () => rand());
    const ys = new Float32Array(batch * 7);
    for (let i = 0; i < batch; i++) ys[i * 7 + Math.floor(rand() * 7)] = 1;
    const x = tf.tensor4d(xs, [batch, 48, 48, 1]);
    const { step, dispose } = adamStep(tf, model, xs, ys, [batch, 48, 48, 1], 7);
    const predict = () => tf.tidy(() => void (model.predict(x) as Tensor).dataSync());
    const rate = (fn: () => void, minSeconds: number) => {
      fn(); // warm-up: XNNPACK operator creation, kernel setup
      const t0 = performance.now();
      let n = 0;
      while (performance.now() - t0 < minSeconds * 1000 || n < 2) {
        fn();
        n++;
      }
      return (n * batch) / ((performance.now() - t0) / 1000);
    };
    const predictPerSec = rate(predict, 5);
    const trainPerSec = rate(step, 10);
    console.log(
      JSON.stringify({
        arch,
        params: model.countParams(),
        backend: rt.backend,
        threads: rt.threads ?? null,
        batch,
        predictFacesPerSec: Math.round(predictPerSec),
        trainSamplesPerSec: Math.round(trainPerSec * 10) / 10,
        cpus: os.cpus().length,
        loadavg1: Math.round(os.loadavg()[0]! * 100) / 100,
      }),
    );
    x.dispose();
    dispose();
    model.dispose();
  }
  process.exit(0);
}

allowNativeAccelerator();
main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
