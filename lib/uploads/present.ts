import type { Face, ModelVersion, Prediction } from "@/lib/db/generated/prisma/client";

/** Probability vector → `{ label: p }` in the model's label order. */
export function probabilitiesByLabel(labels: readonly string[], probs: readonly number[]): Record<string, number> {
  return Object.fromEntries(labels.map((l, i) => [l, probs[i] ?? 0]));
}

export function faceBox(face: Pick<Face, "boxX" | "boxY" | "boxWidth" | "boxHeight">) {
  return { x: face.boxX, y: face.boxY, width: face.boxWidth, height: face.boxHeight };
}

/** A face with its crop, box and photo, as the review queue, adjudication and face detail show it. */
export function presentFace(
  face: Pick<Face, "boxX" | "boxY" | "boxWidth" | "boxHeight"> & { id: number },
  upload: { id: number; width: number; height: number; isFaceCrop: boolean },
) {
  return {
    id: face.id,
    crop_url: `/api/faces/${face.id}/crop.png`,
    box: faceBox(face),
    upload: {
      id: upload.id,
      image_url: `/api/uploads/${upload.id}/image`,
      width: upload.width,
      height: upload.height,
      is_face_crop: upload.isFaceCrop,
    },
  };
}

/** The JSON shape of one face with its prediction, as the API returns it. */
export function summarizePrediction(
  face: Pick<Face, "id" | "boxX" | "boxY" | "boxWidth" | "boxHeight" | "detectionScore">,
  prediction: Pick<Prediction, "id" | "label" | "confidence" | "probabilities">,
  version: Pick<ModelVersion, "id" | "version" | "name" | "labels">,
) {
  return {
    id: face.id,
    prediction_id: prediction.id,
    box: faceBox(face),
    detection_score: face.detectionScore,
    crop_url: `/api/faces/${face.id}/crop.png`,
    label: prediction.label,
    confidence: prediction.confidence,
    probabilities: probabilitiesByLabel(version.labels, prediction.probabilities),
    labels: version.labels,
    model_version: { id: version.id, version: version.version, name: version.name },
  };
}
