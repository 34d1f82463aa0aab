import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import type * as WasmNamespace from "@tensorflow/tfjs-backend-wasm";
import type { Tf } from "@/lib/tf/tf";

type WasmModule = typeof WasmNamespace;

/**
 * Starts tfjs-backend-wasm with its threaded SIMD binary in Node.
 *
 * tfjs turns WASM threads off in Node (tfjs issue #3830) because its Emscripten glue starts
 * pthread workers from `blob:` URLs, which Node's `worker_threads` cannot load. Three things make
 * it work, all confined to the moment of initialisation:
 * 1. the worker script (shipped as a string in the package) is written to a real file, and
 *    `URL.createObjectURL` is briefly made to answer that file's path for the worker blob;
 * 2. the worker is told to load the glue from the package's own `.js` file instead of the
 *    `Blob` the main thread posts it (a worker in Node cannot read a `blob:` URL either);
 * 3. backend.cc sizes its pool as `min(requested, logicalCores / 2)`, assuming hyper-threading;
 *    on a 2-core machine that is always 1, so `os.cpus()` briefly reports twice the wanted count.
 * Resolves to the thread count XNNPACK actually got; rejects (the caller falls back to one
 * thread) if anything is missing or the workers do not come up in time.
 */
export async function setWasmBackendThreaded(tf: Tf, wasm: WasmModule, threads: number): Promise<number> {
  const requireFromRoot = createRequire(path.join(process.cwd(), "package.json"));
  const { wasmWorkerContents } = requireFromRoot(
    "@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js",
  ) as { wasmWorkerContents: string };
  const gluePath = requireFromRoot.resolve("@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js");
  const workerPath = writeWorkerScript(wasmWorkerContents, gluePath);

  const nodeOs = requireFromRoot("node:os") as { cpus: typeof os.cpus };
  const realCpus = nodeOs.cpus;
  const realCreateObjectURL = URL.createObjectURL;
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
  wasm.setThreadsCount(threads);
  nodeOs.cpus = () => {
    const cpus = realCpus();
    const first = cpus[0];
    return first ? Array.from({ length: 2 * threads }, (_, i) => cpus[i] ?? first) : cpus;
  };
  URL.createObjectURL = (obj: Blob | MediaSource) =>
    obj instanceof Blob && obj.type === "application/javascript" ? workerPath : realCreateObjectURL(obj);
  try {
    const ok = await withTimeout(tf.setBackend("wasm"), 30_000, "threaded WASM workers did not start within 30 s");
    if (!ok || tf.getBackend() !== "wasm") throw new Error("threaded WASM backend failed to initialise");
    await tf.ready();
  } finally {
    nodeOs.cpus = realCpus;
    URL.createObjectURL = realCreateObjectURL;
  }
  unrefPoolWorkers(tf.backend());
  return wasm.getThreadsCount();
}

/**
 * XNNPACK's pool threads live for the whole process, and Emscripten keeps a running pthread's
 * worker ref'd, so a CLI would never exit on its own. The pool only ever works while the main
 * thread waits on it, so letting it not hold the event loop open is safe.
 */
function unrefPoolWorkers(backend: unknown): void {
  const pthread = (backend as { wasm?: { PThread?: { runningWorkers?: unknown[]; unusedWorkers?: unknown[] } } }).wasm
    ?.PThread;
  for (const w of [...(pthread?.runningWorkers ?? []), ...(pthread?.unusedWorkers ?? [])]) {
    if (w && typeof (w as { unref?: unknown }).unref === "function") (w as { unref(): void }).unref();
  }
}

/** Writes the worker once per content (the name carries its hash) and returns its path. */
function writeWorkerScript(contents: string, gluePath: string): string {
  // The package escapes newlines the same way before making its blob: the script's string
  // literals contain "\n" sequences that became real newlines inside the template literal.
  const script =
    contents.replace(/\n/g, "\\n") +
    `\n;(function(){var onmsg=self.onmessage;self.onmessage=function(e){` +
    `if(e.data&&e.data.cmd==="load"){e.data.urlOrBlob=${JSON.stringify(gluePath)}}return onmsg(e)}})();\n`;
  const hash = crypto.createHash("sha256").update(script).digest("hex").slice(0, 16);
  const file = path.join(os.tmpdir(), `emotion-loop-tfjs-wasm-worker-${hash}.js`);
  if (!fs.existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, script);
    fs.renameSync(tmp, file);
  }
  return file;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
