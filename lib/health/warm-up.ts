import "server-only";
import { getDb } from "@/lib/db/client";
import { getActiveModel } from "@/lib/registry/model-versions";
import { preloadDetector } from "@/lib/faces/detector";

/** Best effort: a failure here is logged, and the same work is retried by the first request. */
export async function warmUp(): Promise<void> {
  try {
    await preloadDetector();
    const active = await getActiveModel(getDb());
    console.log(
      active
        ? `[startup] model version ${active.version.version} (${active.version.name}) loaded`
        : "[startup] no model installed: uploads are refused until an admin adds one",
    );
  } catch (err) {
    console.error("[startup] warm-up failed:", err instanceof Error ? err.message : err);
  }
}
