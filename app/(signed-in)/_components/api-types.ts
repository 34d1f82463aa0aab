/**
 * The JSON the pages read from the API, as the route handlers under app/api/ answer it.
 * Only the fields the UI uses are spelled out.
 */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ModelVersionRef {
  id: number;
  version: number;
  name: string;
}

/** `{ label: probability }` in the model's label order. */
export type Probabilities = Record<string, number>;

export interface UploadedFace {
  id: number;
  prediction_id: number;
  box: Box;
  crop_url: string;
  label: string;
  confidence: number;
  probabilities: Probabilities;
  model_version: ModelVersionRef;
}

export interface UploadResult {
  upload_id: number;
  image_url: string;
  width: number;
  height: number;
  is_face_crop: boolean;
  faces: UploadedFace[];
}

export interface QueueItem {
  prediction_id: number;
  lease_expires_at: string | null;
  face: {
    id: number;
    crop_url: string;
    box: Box;
    upload: { id: number; image_url: string; width: number; height: number; is_face_crop: boolean };
  };
  prediction: {
    label: string;
    confidence: number;
    probabilities: Probabilities;
    labels: string[];
    model_version: ModelVersionRef;
  };
  queue: { remaining: number };
}

export type Verdict = "correct" | "incorrect";

export interface StoredReview {
  id: number;
  prediction_id: number;
  verdict: Verdict;
  corrected_label: string | null;
  note: string | null;
  created_at: string;
}

export interface HistoryRow extends StoredReview {
  reviewer: { id: number; email: string };
  prediction: { id: number; label: string; confidence: number; model_version: ModelVersionRef };
  face: { id: number; crop_url: string };
}

export interface HistoryPage {
  reviews: HistoryRow[];
  next_before: number | null;
}

export interface ApiToken {
  id: number;
  name: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export type Role = "REVIEWER" | "ADMIN";

export interface UserRow {
  id: number;
  email: string;
  name: string | null;
  role: Role;
  disabled_at: string | null;
  created_at: string;
}
