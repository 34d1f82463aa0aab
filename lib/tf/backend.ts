import type * as TfNamespace from "@tensorflow/tfjs";
import { getEnv } from "@/lib/env/env";

export type Tf = typeof TfNamespace;
export type BackendChoice = "gpu" | "node" | "wasm" | "cpu";

export interface TfRuntime {
  tf: Tf;
  /** Which of the four was chosen. */
  choice: BackendChoice;
  /** tf.getBackend() after selection, e.g. "tensorflow", "wasm", "cpu". */
  backend: string;
  /** Why this one (what was tried and missing). */
  reason: string;
}

let runtime: Promise<TfRuntime> | undefined;

/**
 * The `tf` namespace on the fastest backend present: native GPU, native CPU, WASM, pure JS.
 * `TFJS_BACKEND` forces one; a forced backend that is missing is an error. Chosen once per process.
 */
export function getTf(): Promise<TfRuntime> {
  runtime ??= selectBackend().catch((err) => {
    runtime = undefined;
    throw err;
  });
  return runtime;
}

async function selectBackend(): Promise<TfRuntime> {
  const forced = getEnv().TFJS_BACKEND;
  const order: BackendChoice[] = forced ? [forced] : ["gpu", "node", "wasm", "cpu"];
  const missing: string[] = [];
  for (const choice of order) {
    try {
      const tf = await tryBackend(choice);
      const reason = forced
        ? `forced by TFJS_BACKEND=${forced}`
        : missing.length
          ? `fastest available (${missing.join("; ")})`
          : "fastest available";
      const rt: TfRuntime = { tf, choice, backend: tf.getBackend(), reason };
      console.log(`[tfjs] backend ${rt.backend} (${choice}): ${reason}`);
      return rt;
    } catch (err) {
      const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
      if (forced) throw new Error(`TFJS_BACKEND=${forced} was requested but is not available: ${why}`);
      missing.push(`${choice}: ${why}`);
    }
  }
  throw new Error(`No TensorFlow.js backend could be initialised: ${missing.join("; ")}`);
}

async function tryBackend(choice: BackendChoice): Promise<Tf> {
  switch (choice) {
    case "gpu": {
      // Optional native packages: absent where their libtensorflow download was impossible.
      const mod = "@tensorflow/tfjs-node-gpu";
      const tf = (await import(/* webpackIgnore: true */ mod)) as Tf;
      await setAndCheck(tf, "tensorflow");
      return tf;
    }
    case "node": {
      const mod = "@tensorflow/tfjs-node";
      const tf = (await import(/* webpackIgnore: true */ mod)) as Tf;
      await setAndCheck(tf, "tensorflow");
      return tf;
    }
    case "wasm": {
      const tf = await import("@tensorflow/tfjs");
      await import("@tensorflow/tfjs-backend-wasm");
      await setAndCheck(tf, "wasm");
      return tf;
    }
    case "cpu": {
      const tf = await import("@tensorflow/tfjs");
      await setAndCheck(tf, "cpu");
      return tf;
    }
  }
}

async function setAndCheck(tf: Tf, name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`backend "${name}" failed to initialise`);
  await tf.ready();
}
