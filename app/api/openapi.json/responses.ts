import { z } from "zod";
import { verdicts } from "@/lib/review/schemas";
import { TEST_TIME_AUGMENTATION_MODES } from "@/lib/model/test-time-augmentation";
import { RESIZE_FILTERS } from "@/lib/model/resize";
import { importStatuses } from "@/lib/imports/schemas";

/**
 * What the API answers, as zod schemas for the OpenAPI document. The functions that form these
 * answers live in lib/; `response-types.ts` checks at compile time that each of them fits the
 * schema here, field for field, so the document cannot drift from the code unnoticed.
 */

const id = z.number().int().positive();
const dateTime = z.iso.datetime();
const when = dateTime.nullable();

export const Box = z
  .object({ x: z.number().int(), y: z.number().int(), width: z.number().int(), height: z.number().int() })
  .describe("The face's box in the photo, in pixels of the photo as stored (EXIF orientation applied).");

export const ModelVersionRef = z
  .object({ id, version: z.number().int(), name: z.string() })
  .describe("The model version that made a prediction.");

export const Probabilities = z
  .record(z.string(), z.number())
  .describe("Each label's probability, in the model's label order.");

export const UserRef = z.object({ id, email: z.string() });

export const UploadRef = z.object({
  id,
  image_url: z.string().describe("`/api/uploads/{id}/image`"),
  width: z.number().int(),
  height: z.number().int(),
  is_face_crop: z.boolean(),
});

export const FaceRef = z.object({
  id,
  crop_url: z.string().describe("`/api/faces/{id}/crop.png`"),
  box: Box,
  upload: UploadRef,
});

export const Health = z.object({
  status: z.enum(["ok", "degraded"]),
  database: z.object({ ok: z.boolean() }),
  model: ModelVersionRef.nullable().describe("The active model version; null when none is installed or loaded."),
  model_error: z.string().optional().describe("Why there is no model, when there is none."),
  backend: z.string().nullable().describe("The TensorFlow.js backend (`tensorflow`, `wasm`, `cpu`)."),
});

export const UploadedFace = z.object({
  id: id.describe("The face's id."),
  prediction_id: id,
  box: Box,
  detection_score: z.number().nullable().describe("The detector's score; null for a face crop taken whole."),
  crop_url: z.string(),
  label: z.string(),
  confidence: z.number(),
  probabilities: Probabilities,
  labels: z.array(z.string()),
  model_version: ModelVersionRef,
});

export const UploadResult = z.object({
  upload_id: id,
  image_url: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  is_face_crop: z.boolean(),
  faces: z.array(UploadedFace).describe("Every face found; empty when there is none."),
});

export const UploadDuplicate = UploadResult.extend({
  duplicate_of: id.describe("The earlier upload of the same bytes (as `upload_id`); nothing new was stored."),
});

export const ImportQueued = z.object({ import_id: id, status: z.literal("queued") });

export const ImportState = z.object({
  id,
  status: z.enum(importStatuses),
  kind: z
    .enum(["images", "zip", "feedback"])
    .describe("Photos sent together, a zip of photos, or a zip in the previous tool's layout (known once read)."),
  is_face_crop: z.boolean(),
  total: z
    .number()
    .int()
    .describe("Files to process (CSV rows for the previous tool's layout); 0 until a zip is read."),
  processed: z.number().int(),
  faces: z.number().int().describe("Faces stored (verdicts imported, for the previous tool's layout)."),
  duplicates: z
    .number()
    .int()
    .describe("Photos uploaded before, byte for byte (rows imported before, for the previous tool's layout)."),
  errors: z
    .array(z.object({ file: z.string(), message: z.string() }))
    .describe("One per file (or CSV row) that could not be imported; the first 1,000."),
  error: z.string().nullable().describe("Why the whole import failed (e.g. a zip that cannot be read)."),
  created_at: dateTime,
  started_at: when,
  finished_at: when,
});

export const ImportList = z.object({
  imports: z.array(ImportState).describe("Your 20 most recent imports, newest first."),
});

export const QueueItem = z.object({
  prediction_id: id,
  lease_expires_at: when.describe("Until when the face is yours to answer."),
  face: FaceRef,
  prediction: z.object({
    label: z.string(),
    confidence: z.number(),
    margin: z.number().describe("Top probability minus the second: small is uncertain."),
    probabilities: Probabilities,
    labels: z.array(z.string()),
    model_version: ModelVersionRef,
  }),
  queue: z.object({
    remaining: z.number().int().describe("Faces still open."),
    verdicts_needed: z.number().int().describe("Verdicts the open faces still need."),
  }),
});

export const Released = z.object({ released: id.describe("The prediction given back.") });

export const Review = z.object({
  id,
  prediction_id: id,
  face_id: id,
  verdict: z.enum(verdicts),
  corrected_label: z.string().nullable(),
  note: z.string().nullable(),
  created_at: dateTime,
});

export const ReviewRecorded = z.object({
  review: Review,
  duplicate: z.literal(true).optional().describe("The same verdict was already stored; nothing changed."),
});

export const ReviewUndone = z.object({ undone: z.literal(true), prediction_id: id });

export const HistoryPage = z.object({
  reviews: z.array(
    Review.extend({
      reviewer: UserRef,
      prediction: z.object({ id, label: z.string(), confidence: z.number(), model_version: ModelVersionRef }),
      face: z.object({
        id,
        crop_url: z.string(),
        golden: z.boolean().nullable().describe("Admins only (golden faces are blind controls); null otherwise."),
      }),
    }),
  ),
  next_before: id.nullable().describe("Pass as `before` for the next page; null on the last page."),
});

export const FaceVerdict = z.object({
  id,
  reviewer: UserRef,
  verdict: z.enum(verdicts),
  label: z
    .string()
    .describe("The label the verdict gives: the prediction's, the corrected one, `not_a_face` or `unsure`."),
  note: z.string().nullable(),
  control: z.boolean().describe("Given on a golden face served as a control."),
  at: dateTime,
});

const consensusStates = ["open", "agreed", "conflict", "adjudicated"] as const;

export const FaceDetail = z.object({
  id,
  crop_url: z.string(),
  box: Box,
  upload: UploadRef,
  created_at: dateTime,
  predictions: z.array(
    z.object({
      id,
      label: z.string(),
      confidence: z.number(),
      margin: z.number(),
      probabilities: Probabilities,
      model_version: ModelVersionRef,
      created_at: dateTime,
    }),
  ),
  golden: z.boolean().nullable().describe("Null until you may see it (admins, and reviewers who judged the face)."),
  golden_label: z.string().nullable(),
  consensus: z
    .object({
      state: z.enum(consensusStates),
      label: z.string().nullable(),
      support: z.number().int().describe("Verdicts for the label."),
      verdicts: z.number().int(),
      needed: z.number().int(),
      adjudication: z.object({ label: z.string(), note: z.string().nullable(), by: UserRef, at: dateTime }).nullable(),
    })
    .nullable()
    .describe("Null until you may see it."),
  verdicts: z.array(FaceVerdict).describe("Every verdict, or only your own until you may see the others."),
  flags: z.array(z.enum(["suspect", "disputed"])),
  flags_judged_by: z
    .object({
      model_version: ModelVersionRef,
      source: z
        .enum(["own_score", "served_held_out", "served"])
        .describe(
          "`own_score`: that version's own probabilities on the face; `served_held_out`: it (or a version it was " +
            "fine-tuned from) trained on the face, so the served prediction, made before any verdict, stands in; " +
            "`served`: the served prediction (the version named served the face — or the face scorer has not " +
            "reached it since another version became active — or the crop could not be read).",
        ),
      probabilities: Probabilities,
    })
    .nullable()
    .describe("What `suspect` was judged with (null until you may see the consensus, or before any verdict)."),
  excluded: z
    .object({ at: dateTime, reason: z.string().nullable() })
    .nullable()
    .describe("Left out of training by an admin, and why (admins only; null otherwise)."),
  audit: z
    .array(
      z.object({
        id,
        action: z.string(),
        actor: UserRef.nullable(),
        at: dateTime,
        details: z.record(z.string(), z.unknown()),
      }),
    )
    .nullable()
    .describe("Admins: the last 50 audit rows about the face, newest first; null for reviewers."),
});

export const ReviewSettings = z.object({
  verdicts_per_face: z.number().int(),
  extra_review_share: z.number(),
  control_share: z.number(),
  control_min_accuracy: z.number().nullable().describe("Null: reviewers are not flagged by control accuracy."),
  control_min_answers: z.number().int(),
  updated_at: when,
});

export const ReviewSettingsAnswer = z.object({ settings: ReviewSettings });

export const ReviewSettingsChanged = z.object({
  settings: ReviewSettings,
  faces_affected: z.number().int().describe("Open faces whose needed verdicts changed."),
});

const rate = z.number().nullable();

export const Agreement = z.object({
  overall: z.object({
    faces: z.number().int().describe("Faces with two or more verdicts (controls left out)."),
    percent_agreement: rate,
    fleiss_kappa: rate,
    krippendorff_alpha: rate,
  }),
  faces: z.object({
    open: z.number().int(),
    agreed: z.number().int(),
    conflict: z.number().int(),
    adjudicated: z.number().int(),
    not_a_face: z.number().int(),
    unsure: z.number().int(),
  }),
  labels: z.array(z.string()).describe("The rows and columns of each `confusion` matrix."),
  control_threshold: z.object({ min_accuracy: z.number(), min_answers: z.number().int() }).nullable(),
  reviewers: z.array(
    z.object({
      id,
      email: z.string(),
      name: z.string().nullable(),
      verdicts: z.number().int(),
      not_a_face: z.number().int(),
      unsure: z.number().int(),
      compared: z.number().int(),
      agreement: rate,
      kappa: rate,
      confusion: z.array(z.array(z.number().int())).describe("Rows: the others' majority label; columns: theirs."),
      controls: z.number().int(),
      control_accuracy: rate,
      median_seconds: rate,
      last_verdict_at: when,
      flagged: z.boolean(),
    }),
  ),
});

export const AdjudicationItem = z.object({
  face: FaceRef,
  state: z.enum(consensusStates),
  lease_expires_at: when,
  verdicts: z.array(FaceVerdict),
  prediction: z.object({
    label: z.string(),
    confidence: z.number(),
    probabilities: Probabilities,
    labels: z.array(z.string()),
    model_version: ModelVersionRef,
  }),
  queue: z.object({ remaining: z.number().int().describe("Faces in conflict.") }),
});

export const AdjudicationCreated = z.object({
  adjudication: z.object({
    id,
    face_id: id,
    label: z.string(),
    note: z.string().nullable(),
    created_at: dateTime,
  }),
});

export const ApiToken = z.object({
  id,
  name: z.string(),
  prefix: z.string().describe("The first characters of the secret, to tell tokens apart."),
  created_at: dateTime,
  last_used_at: when,
  revoked_at: when,
  expires_at: when,
});

export const ApiTokenList = z.object({ tokens: z.array(ApiToken) });

export const ApiTokenCreated = z.object({
  token: ApiToken.pick({ id: true, name: true, prefix: true, created_at: true, expires_at: true }),
  secret: z.string().describe("`elt_…`: shown once; only a hash is stored."),
});

export const ApiTokenRevoked = z.object({ revoked: id });

export const User = z.object({
  id,
  email: z.string(),
  name: z.string().nullable(),
  role: z.enum(["REVIEWER", "ADMIN"]),
  disabled_at: when,
  created_at: dateTime,
});

export const UserList = z.object({ users: z.array(User) });
export const UserAnswer = z.object({ user: User });

const jobStatuses = ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"] as const;
const modelStatuses = ["ACTIVE", "CANDIDATE", "ARCHIVED", "FAILED"] as const;

export const TrainingJob = z.object({
  id,
  status: z.enum(jobStatuses),
  params: z.record(z.string(), z.unknown()).describe("The parameters the job was queued with, defaults filled in."),
  base_version: z.number().int().nullable(),
  candidate_version: z
    .object({ version: z.number().int(), status: z.enum(modelStatuses), id: id.nullable() })
    .nullable(),
  snapshot_hash: z.string().nullable(),
  snapshot_size: z.number().int().nullable(),
  progress: z
    .object({
      epoch: z.number(),
      epochs: z.number(),
      batch: z.number(),
      batches: z.number(),
      samplesPerSec: z.number(),
      etaSeconds: z.number(),
      epochEtaSeconds: z.number().optional(),
      loss: z.number(),
      acc: z.number(),
      lr: z.number().optional(),
    })
    .nullable()
    .describe("Where a running job is, updated every few batches."),
  curves: z
    .array(
      z.object({
        epoch: z.number(),
        loss: z.number(),
        acc: z.number(),
        valLoss: z.number().nullable(),
        valAcc: z.number().nullable(),
        lr: z.number().optional(),
        seconds: z.number().optional(),
      }),
    )
    .nullable()
    .describe("One point per finished epoch."),
  training_set: z
    .object({
      train: z.object({ reviewed: z.number().int(), replay: z.number().int() }),
      validation: z.object({ reviewed: z.number().int(), replay: z.number().int() }),
    })
    .nullable()
    .describe(
      "Faces the run trained on and validated on (early stopping), reviewed and replayed from the base model's training data; null before training starts and for jobs from before it was recorded.",
    ),
  error: z.string().nullable(),
  decision: z
    .object({ promote: z.boolean(), reason: z.string() })
    .nullable()
    .describe("The promotion gate's decision on the candidate."),
  worker: z.string().nullable(),
  created_at: dateTime,
  started_at: when,
  finished_at: when,
  heartbeat_at: when,
  cancel_requested_at: when,
});

export const TrainingJobQueued = z.object({ job_id: id, status: z.enum(jobStatuses) });
export const TrainingJobList = z.object({ jobs: z.array(TrainingJob) });
export const TrainingJobAnswer = z.object({ job: TrainingJob });
export const TrainingJobDetail = z.object({
  job: TrainingJob.extend({ log: z.string().describe("The job's log, one line per event.") }),
});

export const ModelVersionBase = z.object({
  id,
  version: z.number().int(),
  name: z.string(),
  status: z.enum(modelStatuses),
  status_reason: z.string().nullable(),
  labels: z.array(z.string()),
  test_time_augmentation: z.enum(TEST_TIME_AUGMENTATION_MODES),
  resize_filter: z
    .enum(RESIZE_FILTERS)
    .describe("How faces are resized to the model's input: bilinear (Keras/OpenCV) or lanczos3 (sharp)."),
  checksum: z.string(),
  metrics: z.unknown().describe("The evaluation figures stored with the version (JSON), or null."),
  parent_id: id.nullable(),
  created_at: dateTime,
  activated_at: when,
});

export const ModelVersion = ModelVersionBase.extend({
  parent_version: z.number().int().nullable(),
  activated_by: UserRef.nullable(),
  job: z
    .object({ id, snapshot_size: z.number().int().nullable(), snapshot_hash: z.string().nullable() })
    .nullable()
    .describe("The training job that made the version."),
});

export const ModelVersionList = z.object({ models: z.array(ModelVersion) });

export const ModelVersionDetail = z.object({
  model: ModelVersion,
  active: ModelVersion.nullable(),
  history: z.array(z.object({ action: z.string(), actor: z.string().nullable(), details: z.unknown(), at: dateTime })),
});

export const ModelActivated = z.object({ model: ModelVersionBase });

export const GoldenSet = z.object({
  size: z.number().int(),
  faces: z.array(z.object({ id, crop_url: z.string(), label: z.string().nullable(), added_at: when })),
  next_before: id.nullable(),
});

export const GoldenChanged = z.object({
  changed: z.number().int().describe("Faces that joined or left."),
  size: z.number().int().describe("The golden set's size now."),
});

export const FacePage = z.object({
  items: z.array(
    z.object({
      id,
      crop_url: z.string(),
      upload_id: id,
      created_at: dateTime,
      predicted_at: dateTime,
      prediction: z.object({
        label: z.string(),
        confidence: z.number(),
        margin: z.number(),
        model_version: ModelVersionRef,
      }),
      golden: z.boolean().nullable().describe("Null for reviewers."),
      consensus: z
        .object({
          state: z.enum(consensusStates),
          label: z.string().nullable(),
          support: z.number().int(),
          verdicts: z.number().int(),
          needed: z.number().int(),
        })
        .nullable()
        .describe("Null for reviewers."),
      flags: z.array(z.string()).nullable().describe("`suspect`, `disputed`; null for reviewers."),
      excluded: z.boolean().nullable().describe("Left out of training (admins; null for reviewers)."),
    }),
  ),
  next_cursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last."),
  total_estimate: z.object({
    count: z.number().int(),
    exact: z.boolean().describe("False when the count is the database planner's estimate (large matches)."),
  }),
});

export const FaceBulkResult = z.object({
  action: z.enum(["golden_add", "golden_remove", "requeue", "exclude", "include"]),
  matched: z.number().int().describe("Faces selected."),
  changed: z.number().int().describe("Faces the action changed (the others were already so)."),
});

export const ConflictReleased = z.object({ released: id.describe("The face given back.") });

export const TrainingPreflight = z.object({
  classes: z.record(z.string(), z.object({ train: z.number().int(), holdout: z.number().int() })),
  train: z.number().int(),
  holdout: z.number().int(),
  golden: z.number().int(),
  excluded: z.object({
    ties: z.number().int(),
    goldenFaces: z.number().int(),
    duplicateFaces: z.number().int(),
    notAFace: z.number().int(),
    unsure: z.number().int(),
    byAdmin: z.number().int().optional(),
  }),
  label_aggregation: z.enum(["majority", "dawid-skene"]),
  min_samples: z.number().int(),
  ready: z.boolean().describe("Whether a job with these parameters has enough faces to train on."),
});

const videoStatuses = ["queued", "running", "done", "failed", "cancelled"] as const;

export const VideoQueued = z.object({
  video_id: id,
  status: z.enum(videoStatuses),
});

export const VideoRow = z.object({
  id,
  name: z.string().describe("The file name as uploaded."),
  status: z.enum(videoStatuses),
  progress: z.number().describe("0–1: the share of the video analysed."),
  duration_s: z.number().nullable(),
  fps: z.number().describe("Frames sampled per second of video."),
  width: z.number().int().nullable().describe("Frame width as displayed; boxes are in these pixels."),
  height: z.number().int().nullable(),
  bytes: z.number().int(),
  format: z.string().describe("mp4, mov or webm."),
  target_emotions: z.array(z.string()),
  frames_sampled: z.number().int().nullable(),
  message: z.string().nullable().describe("A note on a finished analysis, e.g. that no faces were found."),
  error: z.string().nullable().describe("Why the analysis failed."),
  file_url: z.string().nullable().describe("`/api/videos/{id}/file`; null once the file is gone."),
  created_at: dateTime,
  started_at: when,
  finished_at: when,
});

export const VideoList = z.object({ videos: z.array(VideoRow).describe("Your videos, newest first (at most 100).") });
export const VideoCancelled = z.object({ video: VideoRow });

export const VideoDetail = VideoRow.extend({
  labels: z.array(z.string()).describe("The model's labels, in its order."),
  model_version: ModelVersionRef.nullable(),
  tracks: z.array(
    z.object({
      track_id: z.number().int().describe("The track's number within the video, from 1."),
      sent_to_review: z.number().int().describe("Frames of this track already sent to the review queue."),
      frames: z.array(
        z.object({
          t: z.number().describe("Seconds from the start."),
          box: Box.describe("The face's box in the frame, in pixels of `width` × `height`."),
          label: z.string(),
          confidence: z.number(),
          probabilities: Probabilities,
        }),
      ),
    }),
  ),
  summary: z
    .record(z.string(), z.number())
    .describe("Each label's share of face-time (sampled face frames with it on top); sums to 1 when faces were found."),
  segments: z
    .array(z.object({ track_id: z.number().int(), emotion: z.string(), start_s: z.number(), end_s: z.number() }))
    .describe(
      "Stretches where a target emotion is a track's top label: two or more sampled frames, a gap of one frame bridged.",
    ),
});

export const TrackReviewResult = z.object({
  sent: z.array(z.object({ t: z.number(), upload_id: id, face_id: id, prediction_id: id })),
  already_sent: z.number().int().describe("Frames of this track sent before."),
});

const count = z.number().int().nonnegative();
const perDay = z.array(count).describe("One figure per entry of `days`.");

export const DashboardStats = z.object({
  generated_at: dateTime,
  scope: z
    .enum(["everyone", "own"])
    .describe("`everyone` (admins): a verdict series per reviewer; `own`: only the caller's. The rest is the team's."),
  days: z
    .array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/))
    .describe("The last 30 UTC dates (`YYYY-MM-DD`), oldest first, today last."),
  queue: z.object({
    remaining: count.describe("Faces in the review queue now."),
    verdicts_needed: count.describe("Verdicts those faces still need."),
    conflicts: count.describe("Faces whose verdicts tie, waiting for an admin."),
    burn_down: perDay.describe(
      "Faces in the queue at the end of each day (today: now), derived from when faces entered (their prediction) " +
        "and were decided (the verdict that completed them, or joining the golden set, or an adjudication).",
    ),
  }),
  verdicts: z.object({
    reviewers: z.array(
      z.object({
        id,
        email: z.string(),
        name: z.string().nullable(),
        per_day: perDay.describe("Verdicts given each day (the day a verdict was first given)."),
        total: count,
      }),
    ),
  }),
  labels: z.object({
    model_version: ModelVersionRef.nullable().describe("The active version; null when none is active."),
    labels: z.array(z.string()).describe("The active version's labels, then `not_a_face` and `unsure`."),
    consensus: z.array(count).describe("Decided faces (agreed or adjudicated) per consensus label, in `labels` order."),
    predicted: z.array(count).describe("The active version's predictions per label, in `labels` order."),
  }),
  confusion: z
    .object({
      model_version: ModelVersionRef,
      labels: z.array(z.string()).describe("The rows and columns, the active version's labels."),
      matrix: z
        .array(z.array(count))
        .describe("Rows: the reviewer's label; columns: the active version's prediction for the face."),
      verdicts: count.describe("Verdicts counted in `matrix`."),
      left_out: count.describe(
        "Verdicts of the window not counted: not a face, can't tell, or a face the active version never predicted.",
      ),
    })
    .nullable()
    .describe("The last 30 days' verdicts (controls aside) against the active version; null without one."),
  golden: z
    .object({
      size: count.describe("Faces in the golden set."),
      min_n: z.number().int().describe("Below this many golden faces a version's accuracy is marked as too uncertain."),
      versions: z.array(
        z.object({
          id,
          version: z.number().int(),
          name: z.string(),
          status: z.enum(modelStatuses),
          created_at: dateTime,
          n: count.describe("Golden faces the version predicted."),
          correct: count,
          accuracy: z.number().nullable().describe("correct / n; null when n is 0."),
          ci_low: z.number().nullable().describe("95 % Wilson score interval, lower end."),
          ci_high: z.number().nullable().describe("95 % Wilson score interval, upper end."),
        }),
      ),
    })
    .describe("Each model version's accuracy on the golden set, in the order the versions were created."),
});
