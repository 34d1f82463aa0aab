import "server-only";
import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { getEnv } from "@/lib/env/env";

/**
 * Received files wait for the worker in `<DATA_DIR>/imports/<random>/`, one folder per import. The
 * folder name is stored relative to DATA_DIR; nothing a client sends becomes part of a path.
 */
export async function createSpoolDir(): Promise<{ relative: string; full: string }> {
  const relative = path.join("imports", crypto.randomBytes(12).toString("hex"));
  const full = spoolPath(relative);
  await fs.mkdir(full, { recursive: true });
  return { relative, full };
}

/** The full path of a spool folder (or a file in it), refusing anything outside DATA_DIR/imports. */
export function spoolPath(relative: string, file?: string): string {
  const root = path.join(getEnv().dataDir, "imports");
  const full = path.resolve(getEnv().dataDir, relative, file ?? "");
  if (!full.startsWith(root + path.sep)) throw new Error(`not a spool path: ${relative}`);
  return full;
}

export async function removeSpoolDir(relative: string): Promise<void> {
  await fs.rm(spoolPath(relative), { recursive: true, force: true });
}
