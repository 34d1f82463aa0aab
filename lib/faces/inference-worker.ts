// An inference thread: face detection or the emotion model, off the thread that serves requests
// (see lib/faces/inference.ts, which starts one of each and talks to them). TensorFlow.js runs synchronously
// on WASM: in the request thread, every detection held up every other request's database and file
// work for its whole duration.
import { parentPort } from "node:worker_threads";
import { loadModelFromDir, type LoadedModel } from "@/lib/model/predictor";
import { detectFaces, detectFacesInRegions } from "./detector";
import type { InferenceReply, InferenceRequest, PredictRequest } from "./inference-protocol";

const port = parentPort;
if (!port) throw new Error("lib/faces/inference-worker.ts runs as a worker thread only");

/**
 * Loaded versions by their folder, the most recently used last; the app verified each one's
 * checksum before asking. A few are kept (the active one, the one just replaced, a candidate), the
 * rest disposed: a server that promotes many versions does not keep them all.
 */
const KEEP_MODELS = 3;
const models = new Map<string, Promise<LoadedModel>>();
function model(dir: string): Promise<LoadedModel> {
  let m = models.get(dir);
  if (m) {
    models.delete(dir); // re-inserted below: now the most recently used
  } else {
    m = loadModelFromDir(dir);
    m.catch(() => models.delete(dir));
  }
  models.set(dir, m);
  while (models.size > KEEP_MODELS) {
    const [oldest, loaded] = models.entries().next().value!;
    models.delete(oldest);
    // Nothing else holds it: predictions run one batch at a time, on this thread.
    void loaded.then(
      (l) => l.dispose(),
      () => {},
    );
  }
  return m;
}

const queue: InferenceRequest[] = [];
let batches = 0;
let draining = false;

port.on("message", (request: InferenceRequest) => {
  queue.push(request);
  if (!draining) {
    draining = true;
    // Let every message already waiting arrive first, so concurrent requests' faces share a batch.
    setImmediate(() => void drain());
  }
});

function reply(message: InferenceReply, transfer: ArrayBuffer[] = []) {
  port!.postMessage(message, transfer);
}

async function drain(): Promise<void> {
  while (queue.length) {
    // In order: the app gives each thread one kind of work (lib/faces/inference.ts), detections to
    // one and predictions to the other.
    const next = queue.shift()!;
    if (next.op === "detect") {
      try {
        const rgb = { data: next.rgb, width: next.width, height: next.height, channels: 3 as const };
        const faces = next.regions
          ? (await detectFacesInRegions(rgb, next.regions)).faces
          : await detectFaces(rgb, next.detector);
        reply({ id: next.id, faces });
      } catch (err) {
        reply({ id: next.id, error: String((err as Error)?.message ?? err) });
      }
      continue;
    }
    // Every waiting prediction for the same version runs as one batch.
    const batch: PredictRequest[] = [next];
    for (let i = 0; i < queue.length;) {
      const other = queue[i]!;
      if (other.op === "predict" && other.modelDir === next.modelDir) {
        batch.push(other);
        queue.splice(i, 1);
      } else i++;
    }
    try {
      const loaded = await model(next.modelDir);
      const all = await loaded.predictImages(
        batch.flatMap((r) => r.images.map((b) => (b instanceof Uint8Array ? Buffer.from(b) : b))),
      );
      const serial = ++batches;
      let k = 0;
      for (const r of batch) {
        const rows = all.slice(k, k + r.images.length);
        k += r.images.length;
        reply({ id: r.id, probabilities: rows, batch: serial, batchSize: all.length });
      }
    } catch (err) {
      for (const r of batch) reply({ id: r.id, error: String((err as Error)?.message ?? err) });
    }
  }
  draining = false;
}
