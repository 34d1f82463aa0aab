import "server-only";
import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { AppError } from "@/lib/errors/app-error";
import type { CachedFile } from "@/lib/http/cached-file";
import { DETECTOR_FILES } from "./detector-settings";
import { faceApiModelDir, faceApiPackage } from "./face-api-package";

/** GET /api/detector/files/:name: `v`, the face-api version, makes the URL name the content (cached for good). */
export const detectorFileQuerySchema = z.object({ v: z.string().max(64).optional() });

const hashes = new Map<string, string>();

/**
 * One of the face detector's files (the weights the server detects with), for the browser's live
 * view. Only the names in DETECTOR_FILES: nothing else of the package, no path.
 * @throws AppError not_found for any other name
 */
export async function readDetectorFile(name: string): Promise<CachedFile & { version: string }> {
  if (!(DETECTOR_FILES as readonly string[]).includes(name)) {
    throw new AppError("not_found", `The face detector has no file ${JSON.stringify(name)} to serve.`);
  }
  const body = await fs.readFile(path.join(faceApiModelDir(), name));
  let etag = hashes.get(name);
  if (!etag) {
    etag = crypto.createHash("sha256").update(body).digest("hex");
    hashes.set(name, etag);
  }
  return {
    body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
    contentType: name.endsWith(".json") ? "application/json" : "application/octet-stream",
    etag,
    version: faceApiPackage().version,
  };
}
