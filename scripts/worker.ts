/**
 * `npm run worker`: a training worker on its own, e.g. on a GPU machine with
 * @tensorflow/tfjs-node-gpu installed, against the same DATABASE_URL and MODELS_DIR as the app.
 * `npm run worker -- --imports`: an import worker instead (bulk uploads; it detects faces, so it
 * keeps the app's own TensorFlow.js). `npm start` runs one of each.
 */
import { getEnv } from "@/lib/env/env";
import { getDatabaseUrl } from "@/lib/db/url";
import { createDb } from "@/lib/db/client";
import { startWorker } from "@/worker/start-worker";
import { startImportWorker } from "@/worker/start-import-worker";
import { allowNativeAccelerator } from "@/lib/tf/backend";

const imports = process.argv.slice(2).includes("--imports");

async function main() {
  getEnv();
  const url = getDatabaseUrl();
  const db = createDb(url, { connectTimeoutMs: 0 });
  const worker = imports ? await startImportWorker(db, url) : await startWorker(db, url);
  console.log(`[worker] ${worker.id} waiting for ${imports ? "imports" : "training jobs"}`);
  const stop = (signal: string) => {
    void worker.stop(`received ${signal}`).finally(async () => {
      await db.$disconnect();
      process.exit(0);
    });
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

// The native accelerator brings its own tfjs, which face detection cannot use.
if (!imports) allowNativeAccelerator();
main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
