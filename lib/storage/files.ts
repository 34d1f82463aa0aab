import "server-only";
import fs from "node:fs/promises";
import path from "node:path";
import crypto from "node:crypto";
import { getEnv } from "@/lib/env/env";
import { AppError } from "@/lib/errors/app-error";
import { isStorageFailure } from "@/lib/storage/errors";

/**
 * Face crops and uploaded photos live under FEEDBACK_IMAGES_DIR with content-derived names.
 * Paths stored in the database are relative to it; nothing user-supplied ever becomes a path.
 */
export function feedbackPath(relative: string): string {
  const root = getEnv().feedbackImagesDir;
  const full = path.resolve(root, relative);
  if (full !== root && !full.startsWith(root + path.sep)) {
    throw new Error(`path escapes the feedback images folder: ${relative}`);
  }
  return full;
}

/**
 * Writes a file unless it already exists (same name = same content). Returns whether this call
 * created it, so a failed request can remove exactly what it added. A write the storage refuses
 * (full, read-only, not a folder) is a 507 `storage_unavailable`, and leaves no partial file:
 * the data goes to a temporary name first, removed again when the write fails.
 */
export async function writeContentFile(relative: string, data: Buffer): Promise<boolean> {
  const full = feedbackPath(relative);
  try {
    await fs.mkdir(path.dirname(full), { recursive: true });
  } catch (err) {
    // EEXIST from a recursive mkdir: a regular file sits where the folder should be.
    if ((err as { code?: string }).code === "EEXIST" || isStorageFailure(err)) throw storageUnavailable(err);
    throw err;
  }
  try {
    await fs.access(full);
    return false;
  } catch {
    // not there yet
  }
  const tmp = `${full}.${crypto.randomBytes(6).toString("hex")}.tmp`;
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, full);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw isStorageFailure(err) ? storageUnavailable(err) : err;
  }
  return true;
}

function storageUnavailable(cause: unknown): AppError {
  const code = (cause as { code?: string }).code ?? "unknown";
  console.error(`[storage] write refused (${code})`, cause);
  return new AppError(
    "storage_unavailable",
    "The server cannot store images right now (its storage is full or not writable).",
  );
}

export async function removeFiles(relatives: string[]): Promise<void> {
  await Promise.all(relatives.map((r) => fs.rm(feedbackPath(r), { force: true })));
}

export function readFeedbackFile(relative: string): Promise<Buffer> {
  return fs.readFile(feedbackPath(relative));
}

/** Image type from the first bytes (only the three formats the app stores). */
export function sniffImageType(data: Buffer): { ext: "jpg" | "png" | "webp"; mime: string } | null {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff)
    return { ext: "jpg", mime: "image/jpeg" };
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return { ext: "png", mime: "image/png" };
  }
  if (data.length >= 12 && data.toString("ascii", 0, 4) === "RIFF" && data.toString("ascii", 8, 12) === "WEBP") {
    return { ext: "webp", mime: "image/webp" };
  }
  return null;
}
