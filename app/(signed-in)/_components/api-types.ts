/**
 * The JSON the pages read from the API, as the route handlers under app/api/ answer it.
 * Only the fields the UI uses are spelled out.
 */
import type { TestTimeAugmentation } from "@/lib/model/test-time-augmentation";
import type { UploadResult } from "@/lib/uploads/process-upload";

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

// POST /api/predictions answers exactly what the upload service returns; type-only import.
export type { UploadResult };
export type UploadedFace = UploadResult["faces"][number];

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
  face: { id: number; crop_url: string; golden: boolean };
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
  /** Refused from then on; null = never expires. */
  expires_at: string | null;
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

export type ModelStatus = "ACTIVE" | "CANDIDATE" | "ARCHIVED" | "FAILED";

/** One row of GET /api/models (and `model` / `active` of GET /api/models/:id). */
export interface ModelVersionRow {
  id: number;
  version: number;
  name: string;
  status: ModelStatus;
  status_reason: string | null;
  labels: string[];
  /** How served probabilities are formed (metadata.testTimeAugmentation). */
  test_time_augmentation: TestTimeAugmentation;
  checksum: string;
  /** Free-form JSON: read it with `readMetrics` (models/metrics.ts), never trust its shape. */
  metrics: unknown;
  parent_id: number | null;
  parent_version: number | null;
  created_at: string;
  activated_at: string | null;
  activated_by: { id: number; email: string } | null;
  job: { id: number; snapshot_size: number | null; snapshot_hash: string | null } | null;
}

export interface ModelHistoryEntry {
  action: string;
  actor: string | null;
  details: unknown;
  at: string;
}

export interface ModelDetail {
  model: ModelVersionRow;
  active: ModelVersionRow | null;
  history: ModelHistoryEntry[];
}

export type JobStatus = "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";

// The worker stores the training loop's progress and epoch points as they are; type-only, nothing
// of the training module reaches the browser bundle. Jobs run before the loop was shared stored no
// lr, seconds or epochEtaSeconds, so those are optional when read back.
import type { EpochPoint as FitEpochPoint, FitProgress } from "@/training/fit";
export type EpochPoint = Omit<FitEpochPoint, "lr" | "seconds"> & Partial<Pick<FitEpochPoint, "lr" | "seconds">>;
export type JobProgress = Omit<FitProgress, "lr" | "epochEtaSeconds"> & Partial<Pick<FitProgress, "lr" | "epochEtaSeconds">>;

/** GET /api/training-jobs rows; GET /api/training-jobs/:id adds `log`. */
export interface TrainingJobRow {
  id: number;
  status: JobStatus;
  /** The request as stored; read it with trainingParamsSchema. */
  params: unknown;
  base_version: number | null;
  candidate_version: { id: number | null; version: number; status: ModelStatus } | null;
  snapshot_hash: string | null;
  snapshot_size: number | null;
  progress: JobProgress | null;
  curves: EpochPoint[] | null;
  error: string | null;
  decision: { promote: boolean; reason: string } | null;
  worker: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  heartbeat_at: string | null;
  cancel_requested_at: string | null;
}

export interface TrainingJobDetail extends TrainingJobRow {
  log: string;
}

export interface GoldenFace {
  id: number;
  crop_url: string;
  /** The label the latest verdict gave the face. */
  label: string | null;
  added_at: string | null;
}

export interface GoldenSet {
  size: number;
  faces: GoldenFace[];
  next_before: number | null;
}
