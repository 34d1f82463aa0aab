import "server-only";
import fs from "node:fs/promises";
import type PgBoss from "pg-boss";
import type { Db } from "@/lib/db/client";
import type { Import } from "@/lib/db/generated/prisma/client";
import { audit } from "@/lib/audit/audit";
import { AppError } from "@/lib/errors/app-error";
import { MAX_UPLOAD_BYTES } from "@/lib/images/decode";
import { IMPORTS_QUEUE, sendAndWake, type ImportMessage } from "@/lib/jobs/queue";
import { isStorageFailure } from "@/lib/storage/errors";
import { sniffImageType } from "@/lib/storage/files";
import { MAX_IMPORT_FILES, type ImportSources } from "@/lib/imports/schemas";
import { createSpoolDir, removeSpoolDir, spoolPath } from "@/lib/imports/spool";

type Received = { name: string; blob: Blob; kind: "image" | "zip" };

/**
 * Checks what was sent (by content), spools it under DATA_DIR, records the import and queues it for
 * a worker. Everything that can refuse the request runs before anything is written; a failure after
 * that removes the spool folder again, and a queue that cannot take the import ends it as failed.
 *
 * @throws AppError bad_request (no files, an empty one, a zip together with other files),
 *   payload_too_large (a photo over 10 MB, too many files), unsupported_media_type (a file that is
 *   neither a JPEG, PNG or WebP photo nor a zip), storage_unavailable.
 */
export async function createImport(
  db: Db,
  boss: Pick<PgBoss, "send" | "getDb">,
  userId: number,
  files: File[],
  opts: { isFaceCrop: boolean },
): Promise<Import> {
  const received = await checkFiles(files);
  const zip = received.some((r) => r.kind === "zip");
  const spool = await createSpoolDir().catch((err: unknown) => {
    throw isStorageFailure(err) ? storageUnavailable() : err;
  });
  let created: Import;
  try {
    const sources: ImportSources = [];
    for (const [i, r] of received.entries()) {
      const file = `${String(i + 1).padStart(5, "0")}.${r.kind === "zip" ? "zip" : "img"}`;
      await fs.writeFile(spoolPath(spool.relative, file), Buffer.from(await r.blob.arrayBuffer())).catch((err) => {
        throw isStorageFailure(err) ? storageUnavailable() : err;
      });
      sources.push({ name: r.name, file, bytes: r.blob.size });
    }
    created = await db.$transaction(async (tx) => {
      const row = await tx.import.create({
        data: {
          userId,
          kind: zip ? "zip" : "images",
          isFaceCrop: opts.isFaceCrop,
          sources,
          spoolDir: spool.relative,
          // A zip's count is known once the worker has read its table of contents.
          total: zip ? 0 : sources.length,
        },
      });
      await audit(tx, {
        actorId: userId,
        action: "import.create",
        targetType: "import",
        targetId: row.id,
        details: {
          kind: row.kind,
          files: sources.length,
          bytes: sources.reduce((n, s) => n + s.bytes, 0),
          is_face_crop: opts.isFaceCrop,
        },
      });
      return row;
    });
  } catch (err) {
    await removeSpoolDir(spool.relative).catch(() => {});
    throw err;
  }
  try {
    await sendAndWake(boss, IMPORTS_QUEUE, { importId: created.id } satisfies ImportMessage);
  } catch (err) {
    await db.import.updateMany({
      where: { id: created.id, status: "QUEUED" },
      data: { status: "FAILED", error: "The import could not be queued.", finishedAt: new Date() },
    });
    await removeSpoolDir(spool.relative).catch(() => {});
    throw err;
  }
  return created;
}

async function checkFiles(files: File[]): Promise<Received[]> {
  if (files.length === 0) {
    throw new AppError("bad_request", 'Send the photos (or one zip) in the multipart field "file".');
  }
  if (files.length > MAX_IMPORT_FILES) {
    throw new AppError("payload_too_large", `Send at most ${MAX_IMPORT_FILES} files at once, or a zip.`, {
      max_files: MAX_IMPORT_FILES,
    });
  }
  const received: Received[] = [];
  for (const [i, blob] of files.entries()) {
    const name = displayName(blob.name, i);
    if (blob.size === 0) throw new AppError("invalid_image", `${name} is empty.`);
    const head = Buffer.from(await blob.slice(0, 16).arrayBuffer());
    if (sniffImageType(head)) {
      if (blob.size > MAX_UPLOAD_BYTES) {
        throw new AppError("payload_too_large", `${name} is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB.`, {
          max_bytes: MAX_UPLOAD_BYTES,
        });
      }
      received.push({ name, blob, kind: "image" });
    } else if (isZip(head)) {
      received.push({ name, blob, kind: "zip" });
    } else {
      throw new AppError("unsupported_media_type", `${name} is not a JPEG, PNG or WebP photo, nor a zip.`);
    }
  }
  if (received.some((r) => r.kind === "zip") && received.length > 1) {
    throw new AppError("bad_request", "Send one zip on its own, or photos without a zip.");
  }
  return received;
}

/** Local file header, or the end record of an empty archive. */
function isZip(head: Buffer): boolean {
  if (head.length < 4 || head[0] !== 0x50 || head[1] !== 0x4b) return false;
  return (head[2] === 0x03 && head[3] === 0x04) || (head[2] === 0x05 && head[3] === 0x06);
}

/** The client's file name as shown back in progress and errors: no control characters, not too long. */
function displayName(name: string, index: number): string {
  const clean = name
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .trim()
    .slice(0, 200);
  return clean || `file ${index + 1}`;
}

function storageUnavailable(): AppError {
  return new AppError(
    "storage_unavailable",
    "The server cannot store the files right now (its storage is full or not writable).",
  );
}
