import "server-only";
import fs from "node:fs/promises";
import path from "node:path";
import crypto from "node:crypto";
import { getEnv } from "@/lib/env/env";

/** Video files live in `<DATA_DIR>/videos/`, under random names; rows keep paths relative to DATA_DIR. */
export const VIDEO_FOLDER = "videos";

export function videoFullPath(relative: string): string {
  const root = path.join(getEnv().dataDir, VIDEO_FOLDER);
  const full = path.resolve(getEnv().dataDir, relative);
  if (!full.startsWith(root + path.sep)) throw new Error(`path escapes the videos folder: ${relative}`);
  return full;
}

/** A fresh name for an incoming upload, in the videos folder (which is created). */
export async function newIncomingPath(): Promise<{ full: string; relative: string }> {
  const relative = path.join(VIDEO_FOLDER, `incoming-${crypto.randomUUID()}`);
  const full = videoFullPath(relative);
  await fs.mkdir(path.dirname(full), { recursive: true });
  return { full, relative };
}

export async function removeVideoFile(relative: string | null): Promise<void> {
  if (relative) await fs.rm(videoFullPath(relative), { force: true });
}
