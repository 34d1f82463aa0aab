import "server-only";
import { getDb } from "@/lib/db/client";
import { getActiveModel } from "@/lib/registry/model-versions";
import { preloadDetector } from "@/lib/faces/detector";
import { detect, inferenceOnThread, predictImages } from "@/lib/faces/inference";
import { CROP_SIZE } from "@/lib/faces/square-box";
import sharp from "sharp";

/** Best effort: a failure here is logged, and the same work is retried by the first request. */
export async function warmUp(): Promise<void> {
  try {
    const size = 64;
    if (inferenceOnThread())
      await detect({ data: new Uint8Array(size * size * 3), width: size, height: size, channels: 3 });
    else await preloadDetector();
    const active = await getActiveModel(getDb());
    // The inference thread loads the version too (the first upload would otherwise wait for it).
    if (active && inferenceOnThread()) {
      const blank = await sharp({
        create: { width: CROP_SIZE, height: CROP_SIZE, channels: 3, background: { r: 128, g: 128, b: 128 } },
      })
        .png()
        .toBuffer();
      await predictImages(active.model, [blank]);
    }
    console.log(
      active
        ? `[startup] model version ${active.version.version} (${active.version.name}) loaded`
        : "[startup] no model installed: uploads are refused until an admin adds one",
    );
  } catch (err) {
    console.error("[startup] warm-up failed:", err instanceof Error ? err.message : err);
  }
}
