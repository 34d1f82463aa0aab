import "server-only";
import crypto from "node:crypto";
import type { Db } from "@/lib/db/client";
import type { Prisma } from "@/lib/db/generated/prisma/client";
import { ADVISORY_LOCKS } from "@/lib/db/advisory-locks";
import { decodeUpload } from "@/lib/images/decode";
import { extractFaces } from "@/lib/faces/pipeline";
import { requireActiveModel } from "@/lib/registry/model-versions";
import { removeFiles, sniffImageType, writeContentFile } from "@/lib/storage/files";
import { summarizePrediction } from "@/lib/uploads/present";
import { StageTimes } from "@/lib/uploads/stage-times";

export interface UploadResult {
  upload_id: number;
  image_url: string;
  width: number;
  height: number;
  is_face_crop: boolean;
  faces: ReturnType<typeof summarizePrediction>[];
}

/** The earlier upload of the same bytes, with its faces as they were predicted then. */
export type DuplicateUploadResult = UploadResult & { duplicate_of: number };

export type UploadOutcome =
  { duplicate: false; result: UploadResult } | { duplicate: true; result: DuplicateUploadResult };

export interface ProcessUploadOptions {
  isFaceCrop: boolean;
  /**
   * Runs inside the transaction that stores the upload, after its rows: work that must commit with
   * them or not at all (a bulk import advances its counters here).
   */
  afterStore?: (tx: Prisma.TransactionClient, stored: { uploadId: number; faces: number }) => Promise<void>;
  /** Where each stage's time is added (decode, detect, crop, model, store). */
  times?: StageTimes;
}

/**
 * Photo → faces → predictions. Everything that can refuse the input (format, size, model) runs
 * before anything is written; if storing fails, the files this call created are removed again.
 *
 * The same bytes (SHA-256 of the file as sent) taken the same way (photo or face crop) are stored
 * once: a second upload answers with the first one (`duplicate: true`) and writes nothing. The
 * check is repeated under a transaction lock on the content hash, held while the files and rows
 * are written, so two clients sending the same bytes at once still make one upload.
 */
export async function processUpload(
  db: Db,
  userId: number,
  bytes: Buffer,
  opts: ProcessUploadOptions,
): Promise<UploadOutcome> {
  const times = opts.times ?? new StageTimes();
  const contentSha = crypto.createHash("sha256").update(bytes).digest("hex");
  const earlier = await findEarlierUpload(db, contentSha, opts.isFaceCrop);
  if (earlier !== null) return { duplicate: true, result: await presentDuplicate(db, earlier) };

  const decoded = await times.time("decode", () => decodeUpload(bytes));
  const active = await requireActiveModel(db);
  const faces = await extractFaces(decoded, { isFaceCrop: opts.isFaceCrop, timed: times.time });
  const probabilities = faces.length
    ? await times.time("model", () => active.model.predictImages(faces.map((f) => f.png)))
    : [];
  const labels = active.version.labels;

  const imageType = sniffImageType(decoded.normalized);
  if (!imageType) throw new Error("decodeUpload returned an image in an unexpected format");
  const imageSha = crypto.createHash("sha256").update(decoded.normalized).digest("hex");
  const imagePath = `uploads/${imageSha}.${imageType.ext}`;

  const created: string[] = [];
  const storeStarted = performance.now();
  try {
    const result = await db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(${ADVISORY_LOCKS.uploadContent}::int, hashtext(${decoded.sha256}))`;
      const first = await findEarlierUpload(tx, decoded.sha256, opts.isFaceCrop);
      if (first !== null) return { duplicateOf: first, upload: null, rows: [] };
      // Written under the lock: a request that finds the other's upload above never removes files
      // that upload uses.
      if (await writeContentFile(imagePath, decoded.normalized)) created.push(imagePath);
      for (const f of faces) {
        if (await writeContentFile(f.fileName, f.png)) created.push(f.fileName);
      }
      const upload = await tx.upload.create({
        data: {
          userId,
          sha256: decoded.sha256,
          format: decoded.format,
          bytes: decoded.bytes,
          width: decoded.width,
          height: decoded.height,
          isFaceCrop: opts.isFaceCrop,
          imagePath,
        },
      });
      const rows = [];
      for (const [i, f] of faces.entries()) {
        const probs = Array.from(probabilities[i] ?? []);
        const ranked = probs.map((p, k) => [p, k] as const).sort((a, b) => b[0] - a[0]);
        const [top, second] = ranked;
        if (!top) throw new Error("the model returned no probabilities");
        const face = await tx.face.create({
          data: {
            uploadId: upload.id,
            position: i,
            boxX: Math.round(f.box.x),
            boxY: Math.round(f.box.y),
            boxWidth: Math.round(f.box.width),
            boxHeight: Math.round(f.box.height),
            detectionScore: f.score,
            cropPath: f.fileName,
            cropSha256: f.sha256,
          },
        });
        const prediction = await tx.prediction.create({
          data: {
            faceId: face.id,
            modelVersionId: active.version.id,
            label: labels[top[1]] ?? String(top[1]),
            confidence: top[0],
            probabilities: probs,
            margin: top[0] - (second?.[0] ?? 0),
          },
        });
        rows.push(summarizePrediction(face, prediction, active.version));
      }
      await opts.afterStore?.(tx, { uploadId: upload.id, faces: rows.length });
      return { duplicateOf: null, upload, rows };
    });
    times.ms.store = performance.now() - storeStarted;
    if (result.upload === null) return { duplicate: true, result: await presentDuplicate(db, result.duplicateOf) };
    return {
      duplicate: false,
      result: {
        upload_id: result.upload.id,
        image_url: `/api/uploads/${result.upload.id}/image`,
        width: decoded.width,
        height: decoded.height,
        is_face_crop: opts.isFaceCrop,
        faces: result.rows,
      },
    };
  } catch (err) {
    await removeFiles(created).catch(() => {});
    throw err;
  }
}

/** The first upload of these bytes taken the same way (photo or face crop), or null. */
async function findEarlierUpload(
  db: Pick<Prisma.TransactionClient, "upload">,
  sha256: string,
  isFaceCrop: boolean,
): Promise<number | null> {
  const hit = await db.upload.findFirst({
    where: { sha256, isFaceCrop },
    orderBy: { id: "asc" },
    select: { id: true },
  });
  return hit?.id ?? null;
}

/** An earlier upload as POST /api/predictions answers it, each face with its newest prediction. */
async function presentDuplicate(db: Db, uploadId: number): Promise<DuplicateUploadResult> {
  const upload = await db.upload.findUniqueOrThrow({
    where: { id: uploadId },
    include: {
      faces: {
        orderBy: { position: "asc" },
        include: { predictions: { orderBy: { id: "desc" }, take: 1, include: { modelVersion: true } } },
      },
    },
  });
  return {
    upload_id: upload.id,
    image_url: `/api/uploads/${upload.id}/image`,
    width: upload.width,
    height: upload.height,
    is_face_crop: upload.isFaceCrop,
    faces: upload.faces.flatMap((face) => {
      const prediction = face.predictions[0];
      return prediction ? [summarizePrediction(face, prediction, prediction.modelVersion)] : [];
    }),
    duplicate_of: upload.id,
  };
}
