import "server-only";
import crypto from "node:crypto";
import type { Db } from "@/lib/db/client";
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

/**
 * Photo → faces → predictions. Everything that can refuse the input (format, size, model) runs
 * before anything is written; if storing fails, the files this call created are removed again.
 */
export async function processUpload(
  db: Db,
  userId: number,
  bytes: Buffer,
  opts: { isFaceCrop: boolean; times?: StageTimes },
): Promise<UploadResult> {
  const times = opts.times ?? new StageTimes();
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
    if (await writeContentFile(imagePath, decoded.normalized)) created.push(imagePath);
    for (const f of faces) {
      if (await writeContentFile(f.fileName, f.png)) created.push(f.fileName);
    }
    const result = await db.$transaction(async (tx) => {
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
      return { upload, rows };
    });
    times.ms.store = performance.now() - storeStarted;
    return {
      upload_id: result.upload.id,
      image_url: `/api/uploads/${result.upload.id}/image`,
      width: decoded.width,
      height: decoded.height,
      is_face_crop: opts.isFaceCrop,
      faces: result.rows,
    };
  } catch (err) {
    await removeFiles(created).catch(() => {});
    throw err;
  }
}
