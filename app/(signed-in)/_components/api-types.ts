/**
 * The JSON the pages read from the API, derived from the functions that form it on the server, so
 * that a change there breaks the pages' typecheck instead of the pages. Every import is type-only:
 * nothing of the server modules reaches the browser bundle.
 *
 * Where the server's type is wider than what it stores (JSON columns, widened literals) the
 * narrowing is spelled out below, next to the reason.
 */
import type { presentUser } from "@/lib/auth/present";
import type { listApiTokens } from "@/lib/auth/tokens";
import type { GateDecision } from "@/worker/gate";
import type { TrainingSetSizes } from "@/worker/training-set";
import type { listFaces } from "@/lib/dataset/browse";
import type { bulkAction } from "@/lib/dataset/bulk";
import type { listGolden } from "@/lib/dataset/golden";
import type { trainingPreflight } from "@/lib/dataset/preflight";
import type { getJob } from "@/lib/jobs/get-job";
import type { presentJob } from "@/lib/jobs/present";
import type { presentVersion } from "@/lib/registry/present";
import type { getVersionDetail, listVersions } from "@/lib/registry/read-versions";
import type { adjudicate, adjudicationItem } from "@/lib/review/adjudication";
import type { agreementSummary } from "@/lib/review/agreement";
import type { faceDetail } from "@/lib/review/face-detail";
import type { countRemaining, getQueueItem } from "@/lib/review/queue";
import type { ReviewInput } from "@/lib/review/schemas";
import type { presentReviewSettings } from "@/lib/review/settings";
import type { listHistory, presentReview } from "@/lib/review/verdicts";
import type { dashboardStats } from "@/lib/stats/dashboard-stats";
import type { faceBox, probabilitiesByLabel } from "@/lib/uploads/present";
import type { DuplicateUploadResult, UploadResult } from "@/lib/uploads/process-upload";
import type { presentImport } from "@/lib/imports/read-imports";
import type { EpochPoint as FitEpochPoint, FitProgress } from "@/training/fit";

/** What `NextResponse.json` makes of a value: Dates arrive as ISO strings. */
type Json<T> = T extends Date
  ? string
  : T extends readonly (infer U)[]
    ? Json<U>[]
    : T extends object
      ? { [K in keyof T]: Json<T[K]> }
      : T;

/** `lastUsedAt` → `last_used_at`, as the routes name the fields they answer with. */
type SnakeCase<S extends string> = S extends `${infer Head}${infer Rest}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${SnakeCase<Rest>}`
  : S;

export type Box = ReturnType<typeof faceBox>;

/** `{ label: probability }` in the model's label order. */
export type Probabilities = ReturnType<typeof probabilitiesByLabel>;

// POST /api/predictions answers exactly what the upload service returns: a new upload (201), or the
// earlier upload of the same bytes (200, with `duplicate_of`).
export type { UploadResult, DuplicateUploadResult };

/** GET /api/imports/:id, and the rows of GET /api/imports. */
export type ImportState = Json<ReturnType<typeof presentImport>>;
export type UploadedFace = UploadResult["faces"][number];

/** GET /api/review/next: the claimed item and how many faces are left. */
export type QueueItem = Awaited<ReturnType<typeof getQueueItem>> & {
  queue: { remaining: Awaited<ReturnType<typeof countRemaining>>["faces"]; verdicts_needed: number };
};

export type Verdict = ReviewInput["verdict"];

/** POST /api/reviews `review`. */
export type StoredReview = Omit<ReturnType<typeof presentReview>, "verdict"> & { verdict: Verdict };

/** GET /api/reviews */
export type HistoryPage = Awaited<ReturnType<typeof listHistory>>;
export type HistoryRow = HistoryPage["reviews"][number];

/** GET /api/tokens rows: the stored columns, renamed to snake_case by the route. */
type StoredToken = Awaited<ReturnType<typeof listApiTokens>>[number];
export type ApiToken = { [K in keyof StoredToken as SnakeCase<K & string>]: Json<StoredToken[K]> };

/** GET /api/users rows, and `user` of POST /api/users and PATCH /api/users/:id. */
export type UserRow = ReturnType<typeof presentUser>;
export type Role = UserRow["role"];

/** One row of GET /api/models (and `model` / `active` of GET /api/models/:id). */
export type ModelVersionRow = Awaited<ReturnType<typeof listVersions>>[number];
export type ModelStatus = ModelVersionRow["status"];
/** `model` of POST /api/models/:id/activate: the version without its lineage. */
export type ActivatedVersion = ReturnType<typeof presentVersion>;

/** GET /api/models/:id */
export type ModelDetail = Awaited<ReturnType<typeof getVersionDetail>>;
export type ModelHistoryEntry = ModelDetail["history"][number];

type PresentedJob = ReturnType<typeof presentJob>;
export type JobStatus = PresentedJob["status"];
// The worker stores the training loop's progress and epoch points as they are. Jobs run before the
// loop was shared stored no lr, seconds or epochEtaSeconds, so those are optional when read back.
export type EpochPoint = Omit<FitEpochPoint, "lr" | "seconds"> & Partial<Pick<FitEpochPoint, "lr" | "seconds">>;
export type JobProgress = Omit<FitProgress, "lr" | "epochEtaSeconds"> &
  Partial<Pick<FitProgress, "lr" | "epochEtaSeconds">>;

/**
 * GET /api/training-jobs rows. Progress, curves and the gate's decision are JSON columns that only
 * the worker writes, with these shapes; the candidate's status is a model status.
 */
export type TrainingJobRow = Omit<
  PresentedJob,
  "progress" | "curves" | "decision" | "candidate_version" | "training_set"
> & {
  progress: JobProgress | null;
  curves: EpochPoint[] | null;
  training_set: TrainingSetSizes | null;
  decision: GateDecision | null;
  candidate_version: (Omit<NonNullable<PresentedJob["candidate_version"]>, "status"> & { status: ModelStatus }) | null;
};

/** GET /api/training-jobs/:id adds the log. */
export type TrainingJobDetail = TrainingJobRow & Pick<Awaited<ReturnType<typeof getJob>>, "log">;

/** GET /api/training-jobs/preflight: what a retrain would train on now, and whether it can run. */
export type TrainingPreflight = Awaited<ReturnType<typeof trainingPreflight>>;

/** GET /api/golden */
export type GoldenSet = Awaited<ReturnType<typeof listGolden>>;
export type GoldenFace = GoldenSet["faces"][number];

/** GET /api/faces/:id: the face, its predictions and, for those who may see it, its consensus and verdicts. */
export type FaceDetail = Awaited<ReturnType<typeof faceDetail>>;
/** One row of a face's audit trail (admins). */
export type FaceAuditEntry = NonNullable<FaceDetail["audit"]>[number];

/** GET /api/faces: a page of the dataset browser. */
export type FacePage = Awaited<ReturnType<typeof listFaces>>;
export type FaceListItem = FacePage["items"][number];

/** POST /api/faces/bulk */
export type BulkResult = Awaited<ReturnType<typeof bulkAction>>;

/** GET /api/adjudication/next: the claimed conflict and how many conflicts are left. */
export type AdjudicationItem = Awaited<ReturnType<typeof adjudicationItem>> & { queue: { remaining: number } };
export type FaceVerdict = AdjudicationItem["verdicts"][number];
/** POST /api/adjudications `adjudication`. */
export type Adjudication = Awaited<ReturnType<typeof adjudicate>>;

/** GET /api/agreement */
export type AgreementSummary = Awaited<ReturnType<typeof agreementSummary>>;
export type ReviewerAgreement = AgreementSummary["reviewers"][number];

/** GET /api/settings/review `settings`; PUT answers them too, with how many open faces they changed. */
export type ReviewSettings = ReturnType<typeof presentReviewSettings>;
export interface ReviewSettingsAnswer {
  settings: ReviewSettings;
  faces_affected?: number;
}

/** GET /api/stats: the dashboard's figures. */
export type DashboardStats = Awaited<ReturnType<typeof dashboardStats>>;
export type GoldenVersion = DashboardStats["golden"]["versions"][number];
