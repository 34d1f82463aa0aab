import "server-only";
import fs from "node:fs/promises";
import path from "node:path";
import type { Db } from "@/lib/db/client";
import type { Import, Prisma } from "@/lib/db/generated/prisma/client";
import { audit } from "@/lib/audit/audit";
import { isAppError } from "@/lib/errors/app-error";
import { importFeedback, readFeedbackCsv } from "@/lib/feedback-io/import-feedback";
import { MAX_UPLOAD_BYTES } from "@/lib/images/decode";
import { sniffImageType } from "@/lib/storage/files";
import { processUpload } from "@/lib/uploads/process-upload";
import { MAX_IMPORT_ERRORS, MAX_IMPORT_FILES, importSourcesSchema, type ImportFileError } from "@/lib/imports/schemas";
import { removeSpoolDir, spoolPath } from "@/lib/imports/spool";
import { listZipEntries, readZipEntry, ZipUnreadableError, type ZipEntry } from "@/lib/imports/zip";

/** A reason the whole import stops, shown as is on the import. */
class ImportFailure extends Error {}

/**
 * The import is no longer this worker's: a sweep handed it to another (this one stopped writing for
 * longer than the heartbeat timeout, or was told to stop). Whatever this worker was storing is rolled
 * back with the counter it could not advance, so no file is stored or counted twice.
 */
export class ImportHandedOver extends Error {
  constructor(importId: number) {
    super(`import ${importId} was handed to another worker`);
  }
}

type Tx = Pick<Prisma.TransactionClient, "$executeRaw">;

/**
 * Runs one import in a worker: each photo goes through the single-upload pipeline (processUpload:
 * the same checks, faces, predictions and duplicate rule), stored in its own transaction together
 * with the import's counters. A file that cannot be imported becomes one `{ file, message }` and
 * the rest go on; an archive that cannot be read at all ends the import as failed. Started again
 * on an import a stopped worker left behind, it resumes after the last file counted.
 */
export async function runImport(db: Db, importId: number, workerId: string): Promise<void> {
  const claimed = await db.$executeRaw`
    UPDATE "Import" SET "status" = 'RUNNING', "workerId" = ${workerId}, "heartbeatAt" = now(),
      "startedAt" = COALESCE("startedAt", now())
    WHERE "id" = ${importId} AND "status" = 'QUEUED'`;
  if (claimed === 0) return;
  const row = await db.import.findUniqueOrThrow({ where: { id: importId }, include: { user: true } });
  try {
    if (row.kind === "images") await importPhotos(db, row);
    else await importZip(db, row, row.user.email);
    await finish(db, row, "DONE");
  } catch (err) {
    if (err instanceof ImportHandedOver) {
      console.log(`[import ${importId}] ${err.message}; this worker stops it`);
      return;
    }
    if (err instanceof ImportFailure || (isAppError(err) && err.code !== "database_unavailable")) {
      await finish(db, row, "FAILED", err.message).catch((lost: unknown) => {
        if (!(lost instanceof ImportHandedOver)) throw lost;
      });
      return;
    }
    // The database or a bug: the import stays RUNNING; once its heartbeat is stale, the sweep hands
    // it to a worker again, which resumes after the last file counted.
    throw err;
  }
}

async function importPhotos(db: Db, row: Import): Promise<void> {
  const sources = importSourcesSchema.parse(row.sources);
  for (let i = row.processed; i < sources.length; i++) {
    const source = sources[i]!;
    const bytes = await readSpooled(row, source.file);
    await importPhoto(db, row, source.name, bytes);
  }
}

async function importZip(db: Db, row: Import, userEmail: string): Promise<void> {
  const [source] = importSourcesSchema.parse(row.sources);
  if (!source) throw new ImportFailure("The import has no file.");
  const zip = await readSpooled(row, source.file);
  let entries: ZipEntry[];
  try {
    entries = listZipEntries(zip);
  } catch (err) {
    if (err instanceof ZipUnreadableError)
      throw new ImportFailure(`${source.name} cannot be read as a zip: ${err.message}.`);
    throw err;
  }
  const feedback = findFeedbackLayout(entries);
  if (feedback) return importFeedbackZip(db, row, zip, entries, feedback, userEmail);

  const files = entries.filter((e) => !e.directory && !isMacMetadata(e.name));
  if (files.length === 0) throw new ImportFailure(`${source.name} holds no files.`);
  if (files.length > MAX_IMPORT_FILES) {
    throw new ImportFailure(`${source.name} holds ${files.length} files; an import takes at most ${MAX_IMPORT_FILES}.`);
  }
  await db.import.update({ where: { id: row.id }, data: { total: files.length } });
  for (let i = row.processed; i < files.length; i++) {
    const entry = files[i]!;
    if (entry.size > MAX_UPLOAD_BYTES) {
      await advance(db, row, {
        error: { file: entry.name, message: `larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB` },
      });
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = readZipEntry(zip, entry);
    } catch (err) {
      await advance(db, row, { error: { file: entry.name, message: (err as Error).message } });
      continue;
    }
    if (!sniffImageType(bytes)) {
      await advance(db, row, { error: { file: entry.name, message: "not a JPEG, PNG or WebP photo" } });
      continue;
    }
    await importPhoto(db, row, entry.name, bytes);
  }
}

/** One photo: stored with its counters in one transaction, or counted as a duplicate or an error. */
async function importPhoto(db: Db, row: Import, name: string, bytes: Buffer): Promise<void> {
  try {
    const outcome = await processUpload(db, row.userId, bytes, {
      isFaceCrop: row.isFaceCrop,
      afterStore: async (tx, stored) => {
        await advance(tx, row, { faces: stored.faces });
      },
    });
    if (outcome.duplicate) await advance(db, row, { duplicates: 1 });
  } catch (err) {
    if (err instanceof ImportHandedOver) throw err;
    if (!isAppError(err) || err.code === "database_unavailable") {
      if (!isAppError(err)) console.error(`[import ${row.id}] ${name}:`, err);
      // The database or a bug: not this file's fault, so it is not counted; the import stops here.
      throw err;
    }
    await advance(db, row, { error: { file: name, message: err.message } });
  }
}

/** `feedback_log.csv` (the shallowest one) with a `feedback_images/` folder beside it. */
function findFeedbackLayout(entries: ZipEntry[]): { csv: ZipEntry; prefix: string } | null {
  const csv = entries
    .filter((e) => !e.directory && !isMacMetadata(e.name) && path.posix.basename(e.name) === "feedback_log.csv")
    .sort((a, b) => a.name.split("/").length - b.name.split("/").length)[0];
  if (!csv) return null;
  const dir = path.posix.dirname(csv.name);
  const prefix = dir === "." ? "" : `${dir}/`;
  return entries.some((e) => e.name.startsWith(`${prefix}feedback_images/`)) ? { csv, prefix } : null;
}

/**
 * The previous tool's layout: the CSV and its images are unpacked into the spool folder and
 * imported by the same code as `npm run import:feedback`, as the importing user. Counts are of CSV
 * rows: `faces` the verdicts imported, `duplicates` the rows imported before.
 */
async function importFeedbackZip(
  db: Db,
  row: Import,
  zip: Buffer,
  entries: ZipEntry[],
  layout: { csv: ZipEntry; prefix: string },
  userEmail: string,
): Promise<void> {
  const dir = spoolPath(row.spoolDir, "feedback");
  const imagesDir = path.join(dir, "feedback_images");
  await fs.mkdir(imagesDir, { recursive: true });
  const unpackErrors: ImportFileError[] = [];
  const csvPath = path.join(dir, "feedback_log.csv");
  try {
    await fs.writeFile(csvPath, readZipEntry(zip, layout.csv));
  } catch (err) {
    throw new ImportFailure(`${layout.csv.name} cannot be read: ${(err as Error).message}.`);
  }
  const imagesPrefix = `${layout.prefix}feedback_images/`;
  for (const entry of entries) {
    if (entry.directory || !entry.name.startsWith(imagesPrefix) || isMacMetadata(entry.name)) continue;
    const parts = entry.name.slice(imagesPrefix.length).split("/");
    if (parts.some((p) => p === "" || p === "." || p === ".." || p.includes("\0"))) {
      unpackErrors.push({ file: entry.name, message: "a name that would lead outside the images folder" });
      continue;
    }
    try {
      if (entry.size > MAX_UPLOAD_BYTES) throw new Error(`larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`);
      const target = path.join(imagesDir, ...parts);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, readZipEntry(zip, entry));
    } catch (err) {
      unpackErrors.push({ file: entry.name, message: (err as Error).message });
    }
  }

  let rows: number;
  try {
    rows = (await readFeedbackCsv(csvPath)).rows.length;
  } catch (err) {
    throw new ImportFailure((err as Error).message.replace(csvPath, layout.csv.name));
  }
  // Run again after a stop, the import starts its counts afresh (rows already imported count as duplicates).
  await db.import.update({
    where: { id: row.id },
    data: {
      kind: "feedback",
      total: rows,
      processed: 0,
      faces: 0,
      duplicates: 0,
      errors: unpackErrors.slice(0, MAX_IMPORT_ERRORS),
    },
  });
  let pending: ImportFileError[] = [];
  try {
    await importFeedback(db, {
      csvPath,
      imagesDir,
      userEmail,
      log: (line) => {
        const warning = /^warning: row (\d+): (.*)$/.exec(line);
        if (warning) pending.push({ file: `${layout.csv.name} row ${warning[1]}`, message: warning[2]! });
      },
      onRow: async (summary) => {
        const errors = pending;
        pending = [];
        const updated = await db.$executeRaw`
          UPDATE "Import" SET
            "processed" = ${summary.imported + summary.skipped + summary.alreadyImported},
            "faces" = ${summary.imported}, "duplicates" = ${summary.alreadyImported},
            "errors" = CASE WHEN jsonb_array_length("errors") >= ${MAX_IMPORT_ERRORS} THEN "errors"
                            ELSE "errors" || ${JSON.stringify(errors)}::jsonb END,
            "heartbeatAt" = now()
          WHERE "id" = ${row.id} AND "workerId" = ${row.workerId} AND "status" = 'RUNNING'`;
        if (updated === 0) throw new ImportHandedOver(row.id);
      },
    });
  } catch (err) {
    if (err instanceof ImportHandedOver) throw err;
    // importFeedback refuses with a message for a person (a disabled user, a malformed CSV).
    if (err instanceof Error && !isAppError(err) && !("code" in err)) throw new ImportFailure(err.message);
    throw err;
  }
}

/**
 * One more file processed: stored (its faces), a duplicate, or an error — only while the import is
 * still this worker's (else ImportHandedOver, which rolls back a store in the same transaction).
 */
export async function advance(
  db: Tx,
  row: Pick<Import, "id" | "workerId">,
  change: { faces?: number; duplicates?: number; error?: ImportFileError },
): Promise<void> {
  const error = change.error ? JSON.stringify([change.error]) : null;
  const updated = await db.$executeRaw`
    UPDATE "Import" SET
      "processed" = "processed" + 1,
      "faces" = "faces" + ${change.faces ?? 0},
      "duplicates" = "duplicates" + ${change.duplicates ?? 0},
      "errors" = CASE WHEN ${error}::jsonb IS NULL OR jsonb_array_length("errors") >= ${MAX_IMPORT_ERRORS} THEN "errors"
                      ELSE "errors" || ${error}::jsonb END,
      "heartbeatAt" = now()
    WHERE "id" = ${row.id} AND "workerId" = ${row.workerId} AND "status" = 'RUNNING'`;
  if (updated === 0) throw new ImportHandedOver(row.id);
}

async function finish(
  db: Db,
  row: Pick<Import, "id" | "workerId" | "spoolDir">,
  status: "DONE" | "FAILED",
  error?: string,
): Promise<void> {
  const importId = row.id;
  await db.$transaction(async (tx) => {
    const { count } = await tx.import.updateMany({
      where: { id: importId, workerId: row.workerId, status: "RUNNING" },
      data: { status, finishedAt: new Date(), error: error ?? null },
    });
    if (count === 0) throw new ImportHandedOver(importId);
    const done = await tx.import.findUniqueOrThrow({ where: { id: importId } });
    await audit(tx, {
      actorId: done.userId,
      action: "import.complete",
      targetType: "import",
      targetId: done.id,
      details: {
        status: status.toLowerCase(),
        kind: done.kind,
        total: done.total,
        processed: done.processed,
        faces: done.faces,
        duplicates: done.duplicates,
        errors: Array.isArray(done.errors) ? done.errors.length : 0,
        ...(error ? { error } : {}),
      },
    });
    return done;
  });
  await removeSpoolDir(row.spoolDir).catch((err: unknown) =>
    console.error(`[import ${importId}] could not remove its spool folder:`, err),
  );
}

async function readSpooled(row: Import, file: string): Promise<Buffer> {
  try {
    return await fs.readFile(spoolPath(row.spoolDir, file));
  } catch {
    throw new ImportFailure("The received files are no longer on the server; send them again.");
  }
}

/** The resource-fork copies macOS's Archive Utility adds (`__MACOSX/…`, `._name`): not files of the user's. */
function isMacMetadata(name: string): boolean {
  return (
    name.startsWith("__MACOSX/") ||
    path.posix.basename(name).startsWith("._") ||
    path.posix.basename(name) === ".DS_Store"
  );
}
