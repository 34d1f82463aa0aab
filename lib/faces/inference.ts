import "server-only";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { RgbImage } from "@/lib/images/decode";
import { getEnv } from "@/lib/env/env";
import type { LoadedModel } from "@/lib/model/predictor";
import type { ModelImage } from "@/lib/model/preprocess";
import { activeFaceDetector, detectFaces, detectFacesInRegions, type FaceBox } from "./detector";
import type { Box } from "./square-box";
import type { FaceDetectorName } from "./detector-settings";
import type { InferenceReply, InferenceRequest } from "./inference-protocol";

/**
 * Face detection and the emotion model for uploads and video frames. With INFERENCE_THREAD (the
 * default) they run on worker threads of their own, one for detection and one for the model, so the
 * request thread stays free for HTTP, database and file work while a network runs (TensorFlow.js on
 * WASM computes synchronously), one upload's faces are predicted while the next photo is searched,
 * and predictions that arrive while the model's thread is busy are batched into one forward pass.
 * Without it, or when a thread cannot start, they run where they are called. Same code, same
 * answers: the threads call detectFaces and the version's LoadedModel.predictImages.
 */

type Pending = { resolve: (reply: InferenceReply) => void; reject: (err: Error) => void };

/** Which thread does the work: detection, or the emotion model. */
type Role = "detect" | "predict";

interface ThreadState {
  worker: Worker;
  pending: Map<number, Pending>;
  nextId: number;
  /** Whether the thread ever answered: a thread that fails before it does could not start. */
  answered: boolean;
}

/** A thread could not start (e.g. tsx missing): the work is done in the calling thread instead. */
class ThreadUnavailable extends Error {}

/** What the model's thread did, for tests and benchmarks: predictions answered and forward batches they took. */
const counters = { predictions: 0, batches: 0, lastBatch: 0 };
export function inferenceThreadStats(): { predictions: number; batches: number } {
  return { predictions: counters.predictions, batches: counters.batches };
}

// On globalThis so that every server chunk bundling this module shares the threads. null: a thread
// could not start, and everything runs on the calling thread from then on.
const state = globalThis as unknown as { emotionLoopInference?: Partial<Record<Role, ThreadState>> | null };

/** Whether detection and prediction run on the inference threads (INFERENCE_THREAD, default true). */
export function inferenceOnThread(): boolean {
  return getEnv().INFERENCE_THREAD && state.emotionLoopInference !== null;
}

function thread(role: Role): ThreadState {
  const threads = (state.emotionLoopInference ??= {});
  const running = threads[role];
  if (running) return running;
  // Started from its file at run time, never bundled (the thread loads its own modules): built
  // with Reflect.construct because the bundler follows `new Worker(<path>)` into the file.
  const entry = path.join(process.cwd(), "lib", "faces", "inference-thread.mjs");
  const worker: Worker = Reflect.construct(Worker, [
    entry,
    {
      // "server-only" modules resolve as on the server; tsx loads the TypeScript (see the entry file).
      execArgv: ["--conditions=react-server"],
      // Half the cores for each thread's WASM backend (1–4) unless TFJS_WASM_THREADS says
      // otherwise: the rest decode photos and frames (libvips, ffmpeg) and serve requests. On 2
      // cores, one WASM thread against two (bench:serve, three alternating runs each): a detection
      // 38 against 51 ms, four photos at a time p50 432–640 against 598–647 ms; a second thread
      // mostly waited for the cores sharp held. bench:video at fps 2 likewise (when one thread did
      // both detection and the model): 15.1–15.3 sampled frames/s with two, 16.4–17.7 with one.
      env: {
        ...process.env,
        TFJS_WASM_THREADS: String(
          getEnv().TFJS_WASM_THREADS ?? Math.max(1, Math.min(4, Math.floor(os.availableParallelism() / 2))),
        ),
      },
    },
  ]);
  const s: ThreadState = { worker, pending: new Map(), nextId: 1, answered: false };
  if (role === "predict") counters.lastBatch = 0; // a new thread numbers its batches from 1 again
  // Only while answers are awaited does the thread keep the process alive.
  worker.unref();
  worker.on("message", (reply: InferenceReply) => {
    const p = s.pending.get(reply.id);
    if (!p) return;
    s.pending.delete(reply.id);
    s.answered = true;
    if (s.pending.size === 0) worker.unref();
    p.resolve(reply);
  });
  const fail = (err: Error) => {
    if (state.emotionLoopInference === threads && threads[role] === s) {
      if (s.answered) {
        delete threads[role]; // the next call starts a new thread
      } else {
        // Never started: inference stays in this thread from now on, and the other thread is ended
        // (nothing will ask it again; its exit hands what it still owed back, as below).
        state.emotionLoopInference = null;
        for (const other of Object.values(threads)) if (other !== s) void other.worker.terminate();
        console.error(`[inference] ${err.message}; detection and prediction run on the request thread`);
      }
    }
    // Once inference has left the threads, what they still owed is done by the callers themselves.
    if (state.emotionLoopInference === null) err = new ThreadUnavailable(err.message);
    for (const p of s.pending.values()) p.reject(err);
    s.pending.clear();
  };
  worker.on("error", (err) => fail(new Error(`the inference thread failed: ${err.message}`)));
  worker.on("exit", (code) => fail(new Error(`the inference thread exited (code ${code})`)));
  threads[role] = s;
  return s;
}

type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;

function ask(request: WithoutId<InferenceRequest>, transfer: ArrayBuffer[]): Promise<InferenceReply> {
  const s = thread(request.op);
  const id = s.nextId++;
  return new Promise<InferenceReply>((resolve, reject) => {
    s.pending.set(id, { resolve, reject });
    s.worker.ref();
    s.worker.postMessage({ ...request, id } as InferenceRequest, transfer);
  }).then((reply) => {
    if ("error" in reply) throw new Error(reply.error);
    return reply;
  });
}

/**
 * detectFaces, on the inference thread when it is on; with `regions`, detectFacesInRegions (the
 * Tiny detector in those regions of `rgb` only; see lib/faces/region-search.ts).
 */
export async function detect(
  rgb: RgbImage,
  detector: FaceDetectorName = activeFaceDetector(),
  regions?: Box[],
): Promise<FaceBox[]> {
  const here = async () => (regions ? (await detectFacesInRegions(rgb, regions)).faces : detectFaces(rgb, detector));
  if (!inferenceOnThread()) return here();
  // A copy travels (the caller keeps its pixels): 1.2 MB for a 768x512 frame.
  const copy = new Uint8Array(rgb.data);
  const reply = await ask({ op: "detect", detector, rgb: copy, width: rgb.width, height: rgb.height, regions }, [
    copy.buffer,
  ]).catch((err: unknown) => {
    if (err instanceof ThreadUnavailable) return null;
    throw err;
  });
  if (reply === null) return here();
  if (!("faces" in reply)) throw new Error("the inference thread answered a detection with something else");
  return reply.faces;
}

/**
 * model.predictImages (encoded crops or grey pixels), on the inference thread when it is on (batched
 * with other requests' crops).
 */
export async function predictImages(model: LoadedModel, images: ModelImage[]): Promise<Float32Array[]> {
  if (!inferenceOnThread() || images.length === 0) return model.predictImages(images);
  const copies = images.map((b) => (Buffer.isBuffer(b) ? new Uint8Array(b) : { ...b, data: Uint8Array.from(b.data) }));
  const reply = await ask(
    { op: "predict", modelDir: model.dir, images: copies },
    copies.map((c) => (c instanceof Uint8Array ? c : c.data).buffer as ArrayBuffer),
  ).catch((err: unknown) => {
    if (err instanceof ThreadUnavailable) return null;
    throw err;
  });
  if (reply === null) return model.predictImages(images);
  if (!("probabilities" in reply)) throw new Error("the inference thread answered a prediction with something else");
  counters.predictions++;
  // The thread numbers its batches in order and answers a batch's requests one after another.
  if (reply.batch !== counters.lastBatch) {
    counters.batches++;
    counters.lastBatch = reply.batch;
  }
  return reply.probabilities;
}
