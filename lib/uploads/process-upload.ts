import "server-only";
import crypto from "node:crypto";
import type { Db } from "@/lib/db/client";
import type { Prisma } from "@/lib/db/generated/prisma/client";
import { lockUploadFiles } from "@/lib/db/advisory-locks";
import { decodeUpload, type DecodedImage } from "@/lib/images/decode";
import { extractFaces, type ExtractedFace } from "@/lib/faces/pipeline";
import { predictImages } from "@/lib/faces/inference";
import { requireActiveModel, type ActiveModel } from "@/lib/registry/model-versions";
import { removeFiles, sniffImageType, writeContentFile } from "@/lib/storage/files";
import { summarizePrediction } from "@/lib/uploads/present";
import { topPrediction } from "@/lib/model/top-prediction";
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
  // The active model is looked up while the earlier upload is and the photo decodes (one round trip
  // fewer on every upload); a missing model is reported after the photo's own errors, as before.
  const activeModel = requireActiveModel(db);
  activeModel.catch(() => {}); // awaited below, unless the upload is a duplicate
  const earlier = await findEarlierUpload(db, contentSha, opts.isFaceCrop);
  if (earlier !== null) return { duplicate: true, result: await presentDuplicate(db, earlier) };

  const decoded = await times.time("decode", () => decodeUpload(bytes, { sha256: contentSha }));
  const active = await activeModel;
  const faces = await extractFaces(decoded, { isFaceCrop: opts.isFaceCrop, timed: times.time });
  const stored = await storeUploads(db, userId, active, [{ decoded, faces, isFaceCrop: opts.isFaceCrop }], {
    times,
    onlyNew: true,
    inTransaction: async (tx, results) => {
      const [first] = results;
      if (first) await opts.afterStore?.(tx, { uploadId: first.upload_id, faces: first.faces.length });
    },
  });
  if ("duplicateOf" in stored) return { duplicate: true, result: await presentDuplicate(db, stored.duplicateOf) };
  const [result] = stored.results;
  if (!result) throw new Error("storeUploads returned no upload");
  return { duplicate: false, result };
}

/** One photo to store: decoded, with the faces to keep (their crops already cut). */
export interface UploadToStore {
  decoded: DecodedImage;
  faces: ExtractedFace[];
  isFaceCrop: boolean;
  /** A video frame: which video, when, and which of its tracks the face is. */
  video?: { videoId: number; timeS: number; track: number };
}

export interface StoreOptions {
  /** Runs in the transaction after the rows: work that must commit with them (an audit row, counters). */
  inTransaction?: (tx: Prisma.TransactionClient, results: UploadResult[]) => Promise<unknown>;
  /**
   * One photo whose identical bytes (taken the same way) must not be stored twice: checked again
   * under a transaction lock on its hash, held while its files and rows are written, so two clients
   * sending the same bytes at once still make one upload.
   */
  onlyNew?: boolean;
  /**
   * Runs first in the transaction, before any file is written: take a lock and check again what
   * must not be stored twice (throw to store nothing). Files are written only after it, so a request
   * refused here never removes files another request's rows use.
   */
  beforeStore?: (tx: Prisma.TransactionClient) => Promise<void>;
  times?: StageTimes;
}

/**
 * Predicts every face with the active model, then stores the photos, crops, uploads, faces and
 * predictions: all the rows in one transaction (with `inTransaction`'s), the files written inside it
 * and removed again if anything fails, so either everything is stored or nothing.
 */
export async function storeUploads(
  db: Db,
  userId: number,
  active: ActiveModel,
  items: UploadToStore[],
  opts: StoreOptions & { onlyNew: true },
): Promise<{ results: UploadResult[] } | { duplicateOf: number }>;
export async function storeUploads(
  db: Db,
  userId: number,
  active: ActiveModel,
  items: UploadToStore[],
  opts?: StoreOptions,
): Promise<UploadResult[]>;
export async function storeUploads(
  db: Db,
  userId: number,
  active: ActiveModel,
  items: UploadToStore[],
  opts: StoreOptions = {},
): Promise<UploadResult[] | { results: UploadResult[] } | { duplicateOf: number }> {
  const times = opts.times ?? new StageTimes();
  if (opts.onlyNew && items.length !== 1) throw new Error("storeUploads: onlyNew stores exactly one photo");
  const allFaces = items.flatMap((item) => item.faces);
  const allProbabilities = allFaces.length
    ? await times.time("model", () =>
        predictImages(
          active.model,
          allFaces.map((f) => f.png),
        ),
      )
    : [];
  const labels = active.version.labels;
  const prepared = items.map((item) => {
    const imageType = sniffImageType(item.decoded.normalized);
    if (!imageType) throw new Error("decodeUpload returned an image in an unexpected format");
    const imageSha = crypto.createHash("sha256").update(item.decoded.normalized).digest("hex");
    return { ...item, imagePath: `uploads/${imageSha}.${imageType.ext}` };
  });

  // Every content file the rows will name, written at once (each write is a few file-system calls
  // on libuv's pool).
  const files = new Map<string, Buffer>();
  for (const item of prepared) {
    files.set(item.imagePath, item.decoded.normalized);
    for (const f of item.faces) files.set(f.fileName, f.png);
  }
  const storeStarted = performance.now();
  const outcome = await db.$transaction(async (tx) => {
    const only = prepared[0];
    // The content lock (one upload of the same bytes) and the files' locks, held to the end: a
    // request that fails below removes the files it created before anyone can have found them.
    const earlier = await lockUploadFiles(
      tx,
      [...files.keys()],
      opts.onlyNew && only ? { sha256: only.decoded.sha256, isFaceCrop: only.isFaceCrop } : undefined,
    );
    if (earlier !== null) return { duplicateOf: earlier };
    await opts.beforeStore?.(tx);
    const created: string[] = [];
    try {
      const writes = await Promise.allSettled(
        [...files].map(async ([name, data]) => {
          if (await writeContentFile(name, data)) created.push(name);
        }),
      );
      const failed = writes.find((w) => w.status === "rejected");
      if (failed) throw failed.reason;
      const results: UploadResult[] = [];
      let k = 0;
      for (const item of prepared) {
        const faces = item.faces.map((f, position) => {
          const probabilities = Array.from(allProbabilities[k++] ?? []);
          return {
            position,
            boxX: Math.round(f.box.x),
            boxY: Math.round(f.box.y),
            boxWidth: Math.round(f.box.width),
            boxHeight: Math.round(f.box.height),
            detectionScore: f.score,
            ...topPrediction(probabilities, labels),
            probabilities,
            cropPath: f.fileName,
            cropSha256: f.sha256,
          };
        });
        const ids = await insertUploadRows(tx, { userId, item, faces, modelVersionId: active.version.id });
        results.push({
          upload_id: ids.uploadId,
          image_url: `/api/uploads/${ids.uploadId}/image`,
          width: item.decoded.width,
          height: item.decoded.height,
          is_face_crop: item.isFaceCrop,
          faces: faces.map((f, i) =>
            summarizePrediction({ ...f, id: ids.faceIds[i]! }, { ...f, id: ids.predictionIds[i]! }, active.version),
          ),
        });
      }
      await opts.inTransaction?.(tx, results);
      return { results };
    } catch (err) {
      // Under the locks still. (A failure of the COMMIT itself leaves the files: by then another
      // upload may rely on them, and an unused content file harms nothing.)
      await removeFiles(created).catch(() => {});
      throw err;
    }
  });
  times.ms.store = performance.now() - storeStarted;
  if (opts.onlyNew) return outcome;
  if ("duplicateOf" in outcome) throw new Error("storeUploads: a duplicate without onlyNew");
  return outcome.results;
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

interface FaceRow {
  position: number;
  boxX: number;
  boxY: number;
  boxWidth: number;
  boxHeight: number;
  detectionScore: number | null;
  cropPath: string;
  cropSha256: string;
  label: string;
  confidence: number;
  probabilities: number[];
  margin: number;
}

/**
 * One photo's upload, faces and predictions in one statement (one round trip however many faces:
 * under load every round trip also waits for the event loop, which inference keeps busy). The
 * prediction trigger queues each face as the ORM's inserts did. Ids come back in position order.
 */
async function insertUploadRows(
  tx: Prisma.TransactionClient,
  args: { userId: number; item: UploadToStore & { imagePath: string }; faces: FaceRow[]; modelVersionId: number },
): Promise<{ uploadId: number; faceIds: number[]; predictionIds: number[] }> {
  const { userId, item, faces, modelVersionId } = args;
  const { decoded, video } = item;
  const classes = faces[0]?.probabilities.length ?? 0;
  if (faces.some((f) => f.probabilities.length !== classes)) throw new Error("probability vectors of unequal length");
  const column = <K extends keyof FaceRow>(key: K) => faces.map((f) => f[key]);
  const rows = await tx.$queryRaw<{ uploadId: number; faceId: number | null; predictionId: number | null }[]>`
    WITH u AS (
      INSERT INTO "Upload" ("userId", "sha256", "format", "bytes", "width", "height", "isFaceCrop", "imagePath",
                            "videoId", "videoTimeS", "videoTrack")
      VALUES (${userId}, ${decoded.sha256}, ${decoded.format}, ${decoded.bytes}, ${decoded.width}, ${decoded.height},
              ${item.isFaceCrop}, ${item.imagePath}, ${video?.videoId ?? null}::int, ${video?.timeS ?? null}::float8,
              ${video?.track ?? null}::int)
      RETURNING "id"
    ), x AS (
      SELECT * FROM unnest(${column("position")}::int[], ${column("boxX")}::int[], ${column("boxY")}::int[],
                           ${column("boxWidth")}::int[], ${column("boxHeight")}::int[],
                           ${column("detectionScore")}::float8[], ${column("cropPath")}::text[],
                           ${column("cropSha256")}::text[], ${column("label")}::text[],
                           ${column("confidence")}::float8[], ${column("margin")}::float8[])
        AS x ("position", "boxX", "boxY", "boxWidth", "boxHeight", "detectionScore", "cropPath", "cropSha256",
              "label", "confidence", "margin")
    ), f AS (
      INSERT INTO "Face" ("uploadId", "position", "boxX", "boxY", "boxWidth", "boxHeight", "detectionScore",
                          "cropPath", "cropSha256")
      SELECT u."id", x."position", x."boxX", x."boxY", x."boxWidth", x."boxHeight", x."detectionScore",
             x."cropPath", x."cropSha256"
      FROM u, x
      RETURNING "id", "position"
    ), p AS (
      INSERT INTO "Prediction" ("faceId", "modelVersionId", "label", "confidence", "probabilities", "margin")
      SELECT f."id", ${modelVersionId}, x."label", x."confidence",
             (${faces.flatMap((f) => f.probabilities)}::float8[])[x."position" * ${classes}::int + 1 : (x."position" + 1) * ${classes}::int],
             x."margin"
      FROM f JOIN x USING ("position")
      RETURNING "id", "faceId"
    )
    SELECT u."id" AS "uploadId", f."id" AS "faceId", p."id" AS "predictionId"
    FROM u LEFT JOIN (f JOIN p ON p."faceId" = f."id") ON true
    ORDER BY f."position"`;
  const [first] = rows;
  if (!first) throw new Error("insertUploadRows: no upload row came back");
  const stored = rows.filter((r) => r.faceId !== null);
  if (stored.length !== faces.length)
    throw new Error(`insertUploadRows: ${stored.length} of ${faces.length} faces stored`);
  return {
    uploadId: first.uploadId,
    faceIds: stored.map((r) => r.faceId!),
    predictionIds: stored.map((r) => r.predictionId!),
  };
}
