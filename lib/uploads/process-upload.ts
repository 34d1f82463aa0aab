import "server-only";
import crypto from "node:crypto";
import type { Db } from "@/lib/db/client";
import type { Prisma } from "@/lib/db/generated/prisma/client";
import { decodeUpload, type DecodedImage } from "@/lib/images/decode";
import { extractFaces, type ExtractedFace } from "@/lib/faces/pipeline";
import { requireActiveModel, type ActiveModel } from "@/lib/registry/model-versions";
import { removeFiles, sniffImageType, writeContentFile } from "@/lib/storage/files";
import { summarizePrediction } from "@/lib/uploads/present";

export interface UploadResult {
  upload_id: number;
  image_url: string;
  width: number;
  height: number;
  is_face_crop: boolean;
  faces: ReturnType<typeof summarizePrediction>[];
}

/**
 * Photo → faces → predictions. Everything that can refuse the input (format, size, model) runs
 * before anything is written; if storing fails, the files this call created are removed again.
 */
export async function processUpload(
  db: Db,
  userId: number,
  bytes: Buffer,
  opts: { isFaceCrop: boolean },
): Promise<UploadResult> {
  const decoded = await decodeUpload(bytes);
  const active = await requireActiveModel(db);
  const faces = await extractFaces(decoded, { isFaceCrop: opts.isFaceCrop });
  const [result] = await storeUploads(db, userId, active, [{ decoded, faces, isFaceCrop: opts.isFaceCrop }]);
  if (!result) throw new Error("storeUploads returned no upload");
  return result;
}

/** One photo to store: decoded, with the faces to keep (their crops already cut). */
export interface UploadToStore {
  decoded: DecodedImage;
  faces: ExtractedFace[];
  isFaceCrop: boolean;
  /** A video frame: which video, when, and which of its tracks the face is. */
  video?: { videoId: number; timeS: number; track: number };
}

/**
 * Predicts every face with the active model, then stores the photos, crops, uploads, faces and
 * predictions: all the rows in one transaction (with `inTransaction`'s, e.g. an audit row), the
 * files first and removed again if anything fails, so either everything is stored or nothing.
 */
export async function storeUploads(
  db: Db,
  userId: number,
  active: ActiveModel,
  items: UploadToStore[],
  opts: { inTransaction?: (tx: Prisma.TransactionClient, results: UploadResult[]) => Promise<unknown> } = {},
): Promise<UploadResult[]> {
  const allFaces = items.flatMap((item) => item.faces);
  const allProbabilities = allFaces.length ? await active.model.predictImages(allFaces.map((f) => f.png)) : [];
  const labels = active.version.labels;
  const prepared = items.map((item) => {
    const imageType = sniffImageType(item.decoded.normalized);
    if (!imageType) throw new Error("decodeUpload returned an image in an unexpected format");
    const imageSha = crypto.createHash("sha256").update(item.decoded.normalized).digest("hex");
    return { ...item, imagePath: `uploads/${imageSha}.${imageType.ext}` };
  });

  const created: string[] = [];
  try {
    for (const item of prepared) {
      if (await writeContentFile(item.imagePath, item.decoded.normalized)) created.push(item.imagePath);
      for (const f of item.faces) {
        if (await writeContentFile(f.fileName, f.png)) created.push(f.fileName);
      }
    }
    return await db.$transaction(async (tx) => {
      const results: UploadResult[] = [];
      let k = 0;
      for (const item of prepared) {
        const { decoded } = item;
        const upload = await tx.upload.create({
          data: {
            userId,
            sha256: decoded.sha256,
            format: decoded.format,
            bytes: decoded.bytes,
            width: decoded.width,
            height: decoded.height,
            isFaceCrop: item.isFaceCrop,
            imagePath: item.imagePath,
            videoId: item.video?.videoId,
            videoTimeS: item.video?.timeS,
            videoTrack: item.video?.track,
          },
        });
        const rows = [];
        for (const [i, f] of item.faces.entries()) {
          const probs = Array.from(allProbabilities[k++] ?? []);
          const ranked = probs.map((p, j) => [p, j] as const).sort((a, b) => b[0] - a[0]);
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
        results.push({
          upload_id: upload.id,
          image_url: `/api/uploads/${upload.id}/image`,
          width: decoded.width,
          height: decoded.height,
          is_face_crop: item.isFaceCrop,
          faces: rows,
        });
      }
      await opts.inTransaction?.(tx, results);
      return results;
    });
  } catch (err) {
    await removeFiles(created).catch(() => {});
    throw err;
  }
}
