import "server-only";
import fs from "node:fs/promises";
import path from "node:path";
import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import type { CachedFile } from "@/lib/http/cached-file";
import { METADATA_FILE, MODEL_FILE } from "@/lib/model/metadata";
import { artifactDir, IMPORTED_ARTIFACT } from "@/lib/registry/model-versions";

/** One path segment of plain characters: no slash, no leading dot, nothing to decode. */
const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface VersionFile extends CachedFile {
  /** The version's checksum (lib/registry/checksum): the ETag of each of its files. */
  checksum: string;
}

/**
 * A file of a model version for a client that predicts by itself (the live view): `model.json`,
 * `metadata.json`, or a weight shard that model.json's weightsManifest lists. Nothing else of the
 * folder, whatever the name: a name is served only when it is on that list and a plain file name,
 * so no path can leave the folder. Versions are immutable, so the version's checksum names the
 * content of each of its files.
 * @throws AppError not_found for an unknown version, a version without files, or a name not served
 */
export async function readVersionFile(db: Db, id: number, name: string): Promise<VersionFile> {
  const version = await db.modelVersion.findUnique({
    where: { id },
    select: { artifactPath: true, checksum: true },
  });
  if (!version) throw new AppError("not_found", `No model version ${id}.`);
  if (version.artifactPath === IMPORTED_ARTIFACT) {
    throw new AppError("not_found", `Model version ${id} has no model files (its verdicts were imported).`);
  }
  const notServed = new AppError("not_found", `Model version ${id} has no file ${JSON.stringify(name)} to serve.`);
  if (!PLAIN_NAME.test(name)) throw notServed;
  const dir = artifactDir(version);
  const read = (file: string) =>
    fs.readFile(path.join(dir, file)).catch(() => {
      throw new AppError("not_found", `The file ${file} of model version ${id} is missing.`);
    });

  const modelJson = await read(MODEL_FILE);
  if (name !== MODEL_FILE && name !== METADATA_FILE && !weightFiles(modelJson).has(name)) throw notServed;
  const body = name === MODEL_FILE ? modelJson : await read(name);
  return {
    body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
    contentType: name.endsWith(".json") ? "application/json" : "application/octet-stream",
    etag: version.checksum,
    checksum: version.checksum,
  };
}

/** The shard names model.json's weightsManifest lists (plain names only). */
function weightFiles(modelJson: Buffer): Set<string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(modelJson.toString("utf8"));
  } catch {
    return new Set();
  }
  const manifest = (parsed as { weightsManifest?: unknown }).weightsManifest;
  const names = new Set<string>();
  if (!Array.isArray(manifest)) return names;
  for (const group of manifest) {
    const paths = (group as { paths?: unknown }).paths;
    if (!Array.isArray(paths)) continue;
    for (const p of paths) if (typeof p === "string" && PLAIN_NAME.test(p)) names.add(p);
  }
  return names;
}
