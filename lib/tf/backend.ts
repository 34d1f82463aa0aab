import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { getEnv } from "@/lib/env/env";
import type { Tf } from "@/lib/tf/tf";
import { registerWasmGradients } from "@/lib/tf/wasm-gradients";
import { setWasmBackendThreaded } from "@/lib/tf/wasm-threads";

export type BackendChoice = "gpu" | "node" | "wasm" | "cpu";

export interface TfRuntime {
  tf: Tf;
  /** Which of the four was chosen. */
  choice: BackendChoice;
  /** tf.getBackend() after selection, e.g. "tensorflow", "wasm", "cpu". */
  backend: string;
  /** Why this one (what was tried and missing). */
  reason: string;
  /** Worker threads doing the math (WASM: XNNPACK pool size, 1 = single-threaded; others: undefined). */
  threads?: number;
}

// Kept on globalThis: Next.js may bundle this module into several server chunks (routes,
// instrumentation), and the backend must be chosen and initialised once per process.
const state = globalThis as unknown as { emotionLoopTf?: Promise<TfRuntime>; emotionLoopNativeAccelerator?: boolean };

/**
 * Lets this process use the native training accelerator (`npm run native:install`) as its "node"
 * backend when the regular @tensorflow/tfjs-node is absent. Only for processes that train or
 * evaluate and never detect faces (the worker, the training CLIs, benchmarks): the accelerator
 * brings its own tfjs 2.7, and face-api works only on the app's @tensorflow/tfjs. Call before
 * the first getTf().
 */
export function allowNativeAccelerator(): void {
  state.emotionLoopNativeAccelerator = true;
}

/**
 * The `tf` namespace on the fastest backend present: native GPU, native CPU, WASM, pure JS.
 * `TFJS_BACKEND` forces one; a forced backend that is missing is an error. Chosen once per process.
 */
export function getTf(): Promise<TfRuntime> {
  state.emotionLoopTf ??= selectBackend().catch((err) => {
    state.emotionLoopTf = undefined;
    throw err;
  });
  return state.emotionLoopTf;
}

/** Tests only: forget the chosen backend (and any allowNativeAccelerator()) so the next getTf() selects again. */
export function resetTfRuntimeForTests(): void {
  state.emotionLoopTf = undefined;
  state.emotionLoopNativeAccelerator = undefined;
}

async function selectBackend(): Promise<TfRuntime> {
  const forced = getEnv().TFJS_BACKEND;
  const order: BackendChoice[] = forced ? [forced] : ["gpu", "node", "wasm", "cpu"];
  const missing: string[] = [];
  for (const choice of order) {
    try {
      const { tf, threads, note } = await tryBackend(choice);
      const why = forced
        ? `forced by TFJS_BACKEND=${forced}`
        : missing.length
          ? `fastest available (${missing.join("; ")})`
          : "fastest available";
      const reason = note ? `${why}; ${note}` : why;
      const rt: TfRuntime = { tf, choice, backend: tf.getBackend(), reason, threads };
      // stderr: a diagnostic, and CLIs print their results (e.g. `npm run eval -- --json`) on stdout.
      process.stderr.write(`[tfjs] backend ${rt.backend} (${choice}): ${reason}\n`);
      return rt;
    } catch (err) {
      const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
      if (forced) throw new Error(`TFJS_BACKEND=${forced} was requested but is not available: ${why}`);
      missing.push(`${choice}: ${why}`);
    }
  }
  throw new Error(`No TensorFlow.js backend could be initialised: ${missing.join("; ")}`);
}

interface Attempt {
  tf: Tf;
  threads?: number;
  /** Detail worth logging with the choice (thread count, why threads are off). */
  note?: string;
}

async function tryBackend(choice: BackendChoice): Promise<Attempt> {
  switch (choice) {
    case "gpu": {
      // Optional native packages: absent where their libtensorflow download was impossible.
      const mod = "@tensorflow/tfjs-node-gpu";
      const tf = (await import(/* webpackIgnore: true */ mod)) as Tf;
      await setAndCheck(tf, "tensorflow");
      return { tf };
    }
    case "node": {
      const mod = "@tensorflow/tfjs-node";
      let tf: Tf;
      try {
        tf = (await import(/* webpackIgnore: true */ mod)) as Tf;
      } catch (err) {
        const accelerator = state.emotionLoopNativeAccelerator ? loadNativeAccelerator() : null;
        if (!accelerator) throw err;
        await setAndCheck(accelerator.tf, "tensorflow");
        return { tf: accelerator.tf, note: accelerator.note };
      }
      await setAndCheck(tf, "tensorflow");
      return { tf };
    }
    case "wasm":
      return startWasm();
    case "cpu": {
      const tf = await import("@tensorflow/tfjs");
      await setAndCheck(tf, "cpu");
      return { tf };
    }
  }
}

/**
 * WASM with SIMD, on several threads when asked for more than one and the threaded start works,
 * else on one. Either way the training kernels the backend lacks are registered.
 */
async function startWasm(): Promise<Attempt> {
  const tf = await import("@tensorflow/tfjs");
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  const forcedThreads = getEnv().TFJS_WASM_THREADS;
  const wanted = forcedThreads ?? defaultWasmThreads();
  let note = forcedThreads
    ? "1 thread (TFJS_WASM_THREADS=1)"
    : `1 thread (${os.availableParallelism()} cores, load ${(os.loadavg()[0] ?? 0).toFixed(1)})`;
  if (wanted > 1) {
    // Kept so a failed threaded start can be thrown away and the backend registered afresh.
    const factory = tf.findBackendFactory("wasm");
    try {
      const threads = await setWasmBackendThreaded(tf, wasm, wanted);
      registerWasmGradients(tf);
      return { tf, threads, note: `SIMD, ${threads} thread${threads === 1 ? "" : "s"}` };
    } catch (err) {
      const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
      note = `1 thread (threaded start failed: ${why})`;
      if (tf.findBackend("wasm") || tf.findBackendFactory("wasm")) tf.removeBackend("wasm");
      if (factory) tf.registerBackend("wasm", factory, 2);
    }
  }
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
  wasm.setThreadsCount(1);
  await setAndCheck(tf, "wasm");
  registerWasmGradients(tf);
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  return { tf, threads: 1, note: `${simd ? "SIMD, " : "no SIMD, "}${note}` };
}

/**
 * One thread per core that is not already busy, at most 4. XNNPACK's pool threads spin at every
 * barrier waiting for each other, so on a loaded machine a second thread that keeps being
 * descheduled makes every op slower: on 2 cores at load ≈ 4, training measured 56-74 samples/s on
 * one thread against 37-47 on two (bench/tf-throughput.ts). Decided once, at start-up.
 */
function defaultWasmThreads(): number {
  const cores = os.availableParallelism();
  const idle = Math.round(cores - (os.loadavg()[0] ?? 0));
  return Math.max(1, Math.min(4, cores, idle));
}

async function setAndCheck(tf: Tf, name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`backend "${name}" failed to initialise`);
  await tf.ready();
}

/**
 * The accelerator's own tfjs-node (2.7.0, TensorFlow 1.15), loaded from its folder so that its
 * tfjs 2.7 never mixes with the app's; null when it is not installed.
 */
function loadNativeAccelerator(): { tf: Tf; note: string } | null {
  const dir = getEnv().nativeDir;
  if (!fs.existsSync(path.join(dir, "node_modules", "@tensorflow", "tfjs-node", "package.json"))) return null;
  const load = createRequire(path.join(dir, "index.js"));
  const tf = load("@tensorflow/tfjs-node") as Tf;
  const version = (tf.version as Record<string, string | undefined>)["tfjs-node"] ?? "?";
  return { tf, note: `native accelerator: tfjs-node ${version}, TensorFlow 1.15 (${dir})` };
}
