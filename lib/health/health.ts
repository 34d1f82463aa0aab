import "server-only";
import { getDb } from "@/lib/db/client";
import { getActiveModel, summarizeVersion } from "@/lib/registry/model-versions";
import { getTf } from "@/lib/tf/backend";

/** What `GET /api/health` reports. Never includes URLs, paths or secrets. */
export async function getHealth() {
  const db = getDb();
  let databaseOk = false;
  try {
    await db.$queryRaw`SELECT 1`;
    databaseOk = true;
  } catch {
    databaseOk = false;
  }
  let model: { id: number; version: number; name: string } | null = null;
  let modelError: string | null = null;
  if (databaseOk) {
    try {
      model = summarizeVersion((await getActiveModel(db))?.version);
      if (!model) modelError = "No model is installed.";
    } catch (err) {
      modelError = err instanceof Error ? err.message : "The active model could not be loaded.";
    }
  }
  let backend: string | null = null;
  try {
    backend = (await getTf()).backend;
  } catch {
    backend = null;
  }
  return {
    status: databaseOk ? "ok" : "degraded",
    database: { ok: databaseOk },
    model,
    ...(modelError ? { model_error: modelError } : {}),
    backend,
  };
}
