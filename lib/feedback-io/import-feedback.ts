import "server-only";
import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import type { Db } from "@/lib/db/client";
import { lockUploadFiles } from "@/lib/db/advisory-locks";
import type { ModelVersion, Prisma, User } from "@/lib/db/generated/prisma/client";
import { audit } from "@/lib/audit/audit";
import { CROP_SIZE, cropName, cropWholeImage } from "@/lib/faces/crop";
import { EMOTION_LABELS } from "@/lib/model/labels";
import { removeFiles, writeContentFile } from "@/lib/storage/files";
import { CsvError, parseCsvTable, type CsvTable } from "@/lib/feedback-io/csv";
import { locateImage } from "@/lib/feedback-io/image-path";
import { spreadProbabilities } from "@/lib/feedback-io/probabilities";
import { topMargin } from "@/lib/model/top-prediction";
import { IMPORTED_ARTIFACT } from "@/lib/registry/model-versions";
import {
  FEEDBACK_CSV_COLUMNS,
  LABEL_COLUMNS,
  feedbackRowSchema,
  type FeedbackCsvColumn,
  type FeedbackRow,
} from "@/lib/feedback-io/schemas";

/** Audit `targetType` of the one entry per imported row whose `targetId` is the row's import key. */
export const IMPORT_ROW_TARGET = "feedback_import_row";

export interface ImportFeedbackOptions {
  csvPath: string;
  imagesDir: string;
  /** Owner of the uploads and author of the verdicts; default: the first admin. */
  userEmail?: string;
  log: (line: string) => void;
  /** Called after each CSV row, whatever became of it, with the counts so far (a bulk import's progress). */
  onRow?: (summary: Readonly<ImportSummary>) => Promise<void>;
}

export interface ImportSummary {
  imported: number;
  skipped: number;
  missingImages: number;
  badLabels: number;
  alreadyImported: number;
  /** The version representing the previous tool's model; null when nothing needed it. */
  modelVersionId: number | null;
}

/**
 * Reads the previous tool's `feedback_log.csv` and the table of it. Exported so the command line
 * can refuse a bad file before it touches the database.
 *
 * @throws Error with a message for a person: unreadable file, malformed CSV, missing columns.
 */
export async function readFeedbackCsv(csvPath: string): Promise<CsvTable<FeedbackCsvColumn>> {
  let text: string;
  try {
    text = await fs.readFile(csvPath, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      `Cannot read the CSV file ${csvPath}: ${code === "ENOENT" ? "no such file" : (code ?? String(err))}.`,
    );
  }
  try {
    return parseCsvTable(text, FEEDBACK_CSV_COLUMNS);
  } catch (err) {
    if (err instanceof CsvError) throw new Error(`${csvPath} is not a feedback log: ${err.message}.`);
    throw err;
  }
}

/**
 * Imports the previous tool's feedback log: for each row a face-crop Upload with one Face, a
 * Prediction by the version "imported: <csv name>" and the import user's Review, dated by the CSV
 * timestamp. Rows that cannot be imported are skipped with one `warning:` line each.
 *
 * Idempotent: every imported row leaves an audit entry keyed by a hash of crop content, timestamp
 * and both labels, and a row whose key exists is counted as already imported, whatever CSV file
 * it came from. Each row is written in its own transaction under an advisory lock on its key, so
 * two imports running at once cannot both insert it. A database error stops the import; the rows
 * before it stay, and running it again picks up where it stopped.
 */
export async function importFeedback(db: Db, opts: ImportFeedbackOptions): Promise<ImportSummary> {
  const table = await readFeedbackCsv(opts.csvPath);
  const imagesDir = await realDir(opts.imagesDir);
  const csvDir = await fs.realpath(path.dirname(path.resolve(opts.csvPath)));
  const csvName = path.basename(opts.csvPath);
  const user = await findImportUser(db, opts.userEmail);

  const summary: ImportSummary = {
    imported: 0,
    skipped: 0,
    missingImages: 0,
    badLabels: 0,
    alreadyImported: 0,
    modelVersionId: null,
  };
  let version: ModelVersion | undefined;
  const skip = (line: number, why: string, kind?: "missingImages" | "badLabels") => {
    opts.log(`warning: row ${line}: ${why}`);
    summary.skipped++;
    if (kind) summary[kind]++;
  };

  for (const row of table.rows) {
    await importRow(row);
    await opts.onRow?.(summary);
  }

  async function importRow({ line, values, fieldCount }: (typeof table.rows)[number]): Promise<void> {
    if (fieldCount < table.columnCount) {
      skip(line, `has ${fieldCount} field${fieldCount === 1 ? "" : "s"}, the header has ${table.columnCount}`);
      return;
    }
    const parsed = feedbackRowSchema.safeParse(values);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const badLabel = parsed.error.issues.some((i) => LABEL_COLUMNS.includes(String(i.path[0])));
      skip(line, issue?.message ?? "invalid row", badLabel ? "badLabels" : undefined);
      return;
    }
    const row = parsed.data;
    const found = await locateImage(row.image_path, { csvDir, imagesDir });
    if (found.status === "missing") {
      skip(line, `image not found: ${row.image_path}`, "missingImages");
      return;
    }
    if (found.status === "outside") {
      skip(line, `image path leads outside the images folder: ${row.image_path}`);
      return;
    }
    const png = await readFaceCrop(found.path);
    if (!png) {
      skip(line, `not a readable image: ${row.image_path}`);
      return;
    }
    const crop = cropName(png);
    const key = importKey(crop.sha256, row);
    // Cheap check first, so a re-run writes no files; the locked check below is the one that counts.
    if (await isImported(db, key)) {
      summary.alreadyImported++;
      return;
    }
    version ??= await ensureImportedVersion(db, csvName, user.id);
    summary.modelVersionId = version.id;
    const source = { csv: csvName, row: line, image: path.relative(imagesDir, found.path) };
    const inserted = await insertRow(db, { key, row, crop, png, user, version, source });
    summary[inserted ? "imported" : "alreadyImported"]++;
  }

  await audit(db, {
    actorId: user.id,
    action: "feedback.import",
    targetType: "model_version",
    targetId: summary.modelVersionId,
    details: { csv: csvName, ...summary },
  });
  opts.log(
    `imported ${summary.imported}, skipped ${summary.skipped} (missing images ${summary.missingImages}, ` +
      `bad labels ${summary.badLabels}), already imported ${summary.alreadyImported}`,
  );
  return summary;
}

/** The identity of a verdict across imports: same face pixels, same moment, same two labels. */
function importKey(cropSha256: string, row: FeedbackRow): string {
  return crypto
    .createHash("sha256")
    .update([cropSha256, row.timestamp.toISOString(), row.predicted_emotion, row.corrected_emotion].join("\n"))
    .digest("hex");
}

async function isImported(db: Pick<Prisma.TransactionClient, "auditLog">, key: string): Promise<boolean> {
  const hit = await db.auditLog.findFirst({
    where: { targetType: IMPORT_ROW_TARGET, targetId: key },
    select: { id: true },
  });
  return hit !== null;
}

/** Transaction-scoped Postgres advisory lock on a string (its hash as a signed 64-bit key). */
async function lockKey(tx: Prisma.TransactionClient, key: string): Promise<void> {
  const id = BigInt.asIntN(64, BigInt(`0x${crypto.createHash("sha256").update(key).digest("hex").slice(0, 16)}`));
  await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(${id.toString()}::bigint)`;
}

async function insertRow(
  db: Db,
  r: {
    key: string;
    row: FeedbackRow;
    crop: { sha256: string; fileName: string };
    png: Buffer;
    user: User;
    version: ModelVersion;
    source: { csv: string; row: number; image: string };
  },
): Promise<boolean> {
  const { row, crop, user, version } = r;
  const at = row.timestamp;
  const probabilities = spreadProbabilities(version.labels, row.predicted_emotion, row.confidence);
  const correct = row.corrected_emotion === row.predicted_emotion;
  return db.$transaction(async (tx) => {
    await lockKey(tx, `feedback-import:${r.key}`);
    if (await isImported(tx, r.key)) return false;
    // The crop's file is written under its lock, and removed again under it if the rows fail (an
    // upload of the same crop waits meanwhile, so none can have relied on it).
    await lockUploadFiles(tx, [crop.fileName]);
    const created = await writeContentFile(crop.fileName, r.png);
    try {
      return await insertRows(tx);
    } catch (err) {
      if (created) await removeFiles([crop.fileName]).catch(() => {});
      throw err;
    }
  });

  async function insertRows(tx: Prisma.TransactionClient): Promise<boolean> {
    const upload = await tx.upload.create({
      data: {
        userId: user.id,
        sha256: crop.sha256,
        format: "png",
        bytes: r.png.length,
        width: CROP_SIZE,
        height: CROP_SIZE,
        isFaceCrop: true,
        imagePath: crop.fileName,
        createdAt: at,
      },
    });
    const face = await tx.face.create({
      data: {
        uploadId: upload.id,
        position: 0,
        boxX: 0,
        boxY: 0,
        boxWidth: CROP_SIZE,
        boxHeight: CROP_SIZE,
        cropPath: crop.fileName,
        cropSha256: crop.sha256,
        createdAt: at,
      },
    });
    const prediction = await tx.prediction.create({
      data: {
        faceId: face.id,
        modelVersionId: version.id,
        label: row.predicted_emotion,
        confidence: row.confidence,
        probabilities,
        margin: topMargin(probabilities),
        createdAt: at,
      },
    });
    const review = await tx.review.create({
      data: {
        predictionId: prediction.id,
        faceId: face.id,
        reviewerId: user.id,
        verdict: correct ? "CORRECT" : "INCORRECT",
        correctedLabel: correct ? null : row.corrected_emotion,
        createdAt: at,
      },
    });
    await audit(tx, {
      actorId: user.id,
      action: "feedback.import-row",
      targetType: IMPORT_ROW_TARGET,
      targetId: r.key,
      details: { ...r.source, reviewId: review.id, predictionId: prediction.id },
    });
    return true;
  }
}

/**
 * The version standing for the previous tool's model, one per CSV file name. It has no files:
 * `activateVersion` verifies files before switching and refuses it, so it can never serve.
 */
async function ensureImportedVersion(db: Db, csvName: string, actorId: number): Promise<ModelVersion> {
  const name = `imported: ${csvName}`;
  return db.$transaction(async (tx) => {
    await lockKey(tx, `feedback-import-version:${name}`);
    const existing = await tx.modelVersion.findFirst({
      where: { name, artifactPath: IMPORTED_ARTIFACT },
      orderBy: { id: "asc" },
    });
    if (existing) return existing;
    const last = await tx.modelVersion.aggregate({ _max: { version: true } });
    const row = await tx.modelVersion.create({
      data: {
        version: (last._max.version ?? 0) + 1,
        name,
        status: "ARCHIVED",
        statusReason: "Imported from the previous tool's feedback log; it has no model files and cannot be activated.",
        artifactPath: IMPORTED_ARTIFACT,
        checksum: IMPORTED_ARTIFACT,
        labels: [...EMOTION_LABELS],
        metadata: {
          name,
          labels: [...EMOTION_LABELS],
          inputShape: [CROP_SIZE, CROP_SIZE, 1],
          imported: {
            csv: csvName,
            probabilities: "only the top label's confidence is known; the other labels share the rest evenly",
          },
        },
      },
    });
    await audit(tx, {
      actorId,
      action: "model.register",
      targetType: "model_version",
      targetId: row.id,
      details: { version: row.version, name: row.name, status: row.status, imported: true },
    });
    return row;
  });
}

async function findImportUser(db: Db, email: string | undefined): Promise<User> {
  if (email) {
    const user = await db.user.findUnique({ where: { email: email.trim().toLowerCase() } });
    if (!user) throw new Error(`No user with e-mail ${email}.`);
    if (user.disabledAt) throw new Error(`The user ${email} is disabled.`);
    return user;
  }
  const admin = await db.user.findFirst({ where: { role: "ADMIN", disabledAt: null }, orderBy: { id: "asc" } });
  if (!admin) throw new Error("No admin to import as; create one (npm start does) or pass --user <email>.");
  return admin;
}

async function realDir(dir: string): Promise<string> {
  const real = await fs.realpath(dir).catch(() => null);
  if (!real || !(await fs.stat(real)).isDirectory())
    throw new Error(`The images folder ${dir} does not exist or is not a folder.`);
  return real;
}

/**
 * The image as the app stores faces: a 48x48 8-bit grayscale PNG. One that already is exactly
 * that is kept byte for byte, so its content hash (and the crop file name) survives an export and
 * re-import; anything else goes through the same conversion as an uploaded face crop. Null when
 * the file does not decode completely.
 */
async function readFaceCrop(file: string): Promise<Buffer | null> {
  try {
    const bytes = await fs.readFile(file);
    const meta = await sharp(bytes, { failOn: "error" }).metadata();
    // metadata() reads only the header; a truncated file fails the full decode.
    await sharp(bytes, { failOn: "error" }).raw().toBuffer();
    const exact =
      meta.format === "png" &&
      meta.width === CROP_SIZE &&
      meta.height === CROP_SIZE &&
      meta.channels === 1 &&
      meta.depth === "uchar";
    return exact ? bytes : await cropWholeImage(bytes);
  } catch {
    return null;
  }
}
