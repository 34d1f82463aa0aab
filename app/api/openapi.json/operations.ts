import type { OperationSpec } from "@/lib/api/openapi";
import { createTokenSchema, createUserSchema, updateUserSchema } from "@/lib/auth/schemas";
import {
  datasetExportQuerySchema,
  faceBulkSchema,
  faceQuerySchema,
  goldenChangeSchema,
  goldenPageSchema,
} from "@/lib/dataset/schemas";
import { exportQuerySchema } from "@/lib/feedback-io/schemas";
import { detectorFileQuerySchema } from "@/lib/faces/detector-files";
import { activateBodySchema, modelFileQuerySchema } from "@/lib/registry/schemas";
import {
  adjudicationInputSchema,
  adjudicationNextSchema,
  adjudicationReleaseSchema,
  historyQuerySchema,
  nextQuerySchema,
  releaseSchema,
  reviewInputSchema,
  reviewSettingsSchema,
} from "@/lib/review/schemas";
import { predictionFormSchema, predictionJsonSchema } from "@/lib/uploads/schemas";
import { importFormSchema } from "@/lib/imports/schemas";
import { trackReviewSchema, videoFormSchema } from "@/lib/videos/schemas";
import { preflightQuerySchema, trainingParamsSchema } from "@/worker/params";
import * as r from "./responses";

/**
 * Every API route and method, with the schemas its route parses: one entry per operation. The
 * test beside this file fails when a route on disk is missing here, or an entry names no route,
 * or an entry's permission or schemas are not the route's own.
 */

const EXCLUDE = "Comma-separated prediction ids to pass over (faces you skipped), at most 200.";
const PNG = { type: "string", contentMediaType: "image/png", format: "binary" };
const noBody = "No content: nothing is left for you.";

export const tags = [
  { name: "Health", description: "Is the app up: database, model, compute backend." },
  { name: "Dashboard", description: "The figures of the home page: queue, pace, labels, golden-set accuracy." },
  { name: "Predictions", description: "Upload a photo; every face in it is detected and predicted." },
  {
    name: "Videos",
    description: "Upload a video; a worker samples its frames, follows each face and predicts it over time.",
  },
  {
    name: "Imports",
    description:
      "Many photos, a zip of photos or the previous tool's feedback log at once, imported in the background.",
  },
  { name: "Review", description: "The review queue: claim a face, answer it, undo, history." },
  { name: "Faces", description: "The dataset's faces: browse, one face, its crop and photo, bulk actions." },
  {
    name: "Consensus",
    description: "Overlap and control settings, agreement among reviewers, adjudication of conflicts.",
  },
  { name: "Models", description: "Model versions: status, lineage, metrics; activation and rollback." },
  { name: "Training", description: "Retraining jobs on the reviewed faces." },
  { name: "Golden set", description: "Faces with a fixed label that every candidate model is checked on." },
  { name: "Export", description: "The labelled dataset (CSV, JSON lines, an imagefolder zip) and every verdict." },
  { name: "Tokens", description: "Your API tokens." },
  { name: "Users", description: "Accounts and roles." },
  { name: "Documentation", description: "This document." },
];

export const operations: OperationSpec[] = [
  {
    method: "get",
    path: "/api/health",
    operationId: "getHealth",
    tag: "Health",
    summary: "Health of the database, the active model and the compute backend",
    description: "No URLs, paths or secrets. `503` with the same body when the database cannot be reached.",
    access: { public: true },
    responses: {
      200: { description: "Up: the database answers.", json: r.Health },
      503: { description: "Degraded: the database cannot be reached (`database.ok: false`).", json: r.Health },
    },
  },
  {
    method: "get",
    path: "/api/stats",
    operationId: "getStats",
    tag: "Dashboard",
    summary: "The dashboard's figures: queue and burn-down, verdicts per day, labels, golden-set accuracy",
    description:
      "Over the last 30 UTC days: faces in the queue now and at the end of each day, verdicts per day (one series " +
      "per reviewer for admins, the caller's own for reviewers), consensus labels beside the active version's " +
      "predictions, the active version against reviewers' labels (a confusion matrix), and every model version's " +
      "accuracy on the golden set with a 95 % Wilson interval and n, oldest version first. Aggregates only: no face " +
      "is named.",
    access: { permission: "stats:read" },
    responses: { 200: { description: "The figures.", json: r.DashboardStats } },
  },
  {
    method: "get",
    path: "/api/openapi.json",
    operationId: "getOpenApiDocument",
    tag: "Documentation",
    summary: "This OpenAPI 3.1 document",
    description:
      "Public, like `/api/health`: it describes the routes and who may call them, and holds no data or secrets. " +
      "The interactive reference at `/docs` reads it.",
    access: { public: true },
    responses: {
      200: {
        description: "The document.",
        content: { "application/json": { type: "object", description: "An OpenAPI 3.1.0 document." } },
      },
    },
  },
  {
    method: "post",
    path: "/api/predictions",
    operationId: "createPrediction",
    tag: "Predictions",
    summary: "Upload a photo or a face crop; detect every face and predict its emotion",
    description:
      "JPEG, PNG or WebP, recognised by content (not the file name), up to 10 MB and 40 megapixels; EXIF " +
      "orientation is applied. Anything else is refused with a 4xx and leaves nothing behind. Zero faces is a " +
      "normal `201` with `faces: []`. With `is_face_crop` the whole image is taken as one face.\n\n" +
      '`curl -H "Authorization: Bearer $TOKEN" -F image=@group.jpg http://localhost:3000/api/predictions`',
    access: { permission: "predictions:create" },
    body: {
      required: true,
      form: predictionFormSchema,
      json: predictionJsonSchema,
      description: 'The photo as `multipart/form-data` (field `image`), or JSON `{ "image_base64": "…" }`.',
    },
    responses: {
      201: { description: "Stored, with every face found.", json: r.UploadResult },
      200: {
        description:
          "The same bytes were uploaded before (taken the same way, photo or face crop): nothing is stored, and the " +
          "answer is that upload (`duplicate_of`, its id) with its faces as they were predicted.",
        json: r.UploadDuplicate,
      },
    },
    errors: {
      400: "`invalid_image`: the file is empty, corrupt or truncated; `bad_request`: no `image` field.",
      413: "`payload_too_large`: the file is larger than 10 MB or 40 megapixels.",
      415: "`unsupported_media_type`: the file is not a JPEG, PNG or WebP.",
      503: "`model_unavailable`: no model is installed, or its files are missing or changed.",
      507: "`storage_unavailable`: the image folder is full or not writable; nothing is kept.",
    },
  },
  {
    method: "post",
    path: "/api/videos",
    operationId: "uploadVideo",
    tag: "Videos",
    summary: "Upload a video for analysis in the background",
    description:
      "MP4, MOV or WebM, recognised by content (not the file name), up to VIDEO_MAX_MB (200 MB by default), streamed " +
      "to disk. The file is probed at once: one ffmpeg cannot read (a truncated MP4 without its index) or longer " +
      "than VIDEO_MAX_SECONDS (10 min by default) is refused with 422 and nothing is kept. A worker then samples " +
      "`fps` frames a second, detects and follows every face and predicts it; poll `GET /api/videos/{id}`. A file " +
      "damaged further in fails the analysis with a message.\n\n" +
      '`curl -H "Authorization: Bearer $TOKEN" -F video=@clip.mp4 -F fps=2 -F target_emotions=happy,sad ' +
      "http://localhost:3000/api/videos`",
    access: { permission: "predictions:create" },
    body: {
      required: true,
      form: videoFormSchema,
      description: "`multipart/form-data`: the file in `video`, optionally `fps` and `target_emotions`.",
    },
    responses: { 202: { description: "Stored and queued.", json: r.VideoQueued } },
    errors: {
      400: "`bad_request`: no `video` field, an empty file, `fps` out of range or an unknown emotion.",
      413: "`payload_too_large`: the file is larger than VIDEO_MAX_MB; nothing is kept.",
      415: "`unsupported_media_type`: not multipart, or the file is not an MP4, MOV or WebM.",
      422: "`unprocessable`: ffmpeg cannot read the file, or it is longer than VIDEO_MAX_SECONDS (`details.duration_s`).",
      507: "`storage_unavailable`: the data folder is full or not writable; nothing is kept.",
    },
  },
  {
    method: "get",
    path: "/api/videos",
    operationId: "listVideos",
    tag: "Videos",
    summary: "Your videos with status and progress",
    access: { permission: "predictions:create" },
    responses: { 200: { description: "Your videos.", json: r.VideoList } },
  },
  {
    method: "get",
    path: "/api/videos/{id}",
    operationId: "getVideo",
    tag: "Videos",
    summary: "A video's analysis: tracks over time, face-time summary, segments",
    description:
      "Yours, or any for an admin (another user's video is a 404). `tracks` fill in when the analysis is done; " +
      "a failed or cancelled one has none.",
    access: { permission: "predictions:create" },
    pathParams: { id: "The video's id." },
    responses: { 200: { description: "The video.", json: r.VideoDetail } },
  },
  {
    method: "get",
    path: "/api/videos/{id}/file",
    operationId: "getVideoFile",
    tag: "Videos",
    summary: "The stored video file (byte ranges for seeking)",
    access: { permission: "predictions:create" },
    pathParams: { id: "The video's id." },
    responses: {
      200: {
        description: "The whole file.",
        content: {
          "video/mp4": { type: "string", contentMediaType: "video/mp4", format: "binary" },
          "video/quicktime": { type: "string", contentMediaType: "video/quicktime", format: "binary" },
          "video/webm": { type: "string", contentMediaType: "video/webm", format: "binary" },
        },
      },
      206: {
        description: "The byte range asked for with `Range: bytes=a-b` (`Content-Range` says which).",
        content: {
          "video/mp4": { type: "string", contentMediaType: "video/mp4", format: "binary" },
          "video/quicktime": { type: "string", contentMediaType: "video/quicktime", format: "binary" },
          "video/webm": { type: "string", contentMediaType: "video/webm", format: "binary" },
        },
      },
      416: { description: "The range lies outside the file; `Content-Range: bytes */<size>` gives its size. No body." },
    },
    errors: { 404: "`not_found`: also when the file is no longer stored." },
  },
  {
    method: "post",
    path: "/api/videos/{id}/cancel",
    operationId: "cancelVideo",
    tag: "Videos",
    summary: "Cancel a queued or running analysis",
    description: "Cancelled at once; a running analysis stops within about a second and stores nothing.",
    access: { permission: "predictions:create" },
    pathParams: { id: "The video's id." },
    responses: { 200: { description: "Cancelled.", json: r.VideoCancelled } },
    errors: { 409: "`conflict`: the analysis is done, failed or already cancelled." },
  },
  {
    method: "post",
    path: "/api/videos/{id}/tracks/{track_id}/review",
    operationId: "sendVideoTrackToReview",
    tag: "Videos",
    summary: "Send a track's most uncertain frames to the review queue",
    description:
      "The `count` frames with the smallest margin between the top two labels, not sent before, each become an " +
      "upload (the frame, with the video, time and track) with one face predicted by the active model: normal " +
      "review items. All are stored, or none.",
    access: { permission: "predictions:create" },
    pathParams: { id: "The video's id.", track_id: "The track's number within the video." },
    body: { required: false, json: trackReviewSchema },
    responses: { 201: { description: "Sent (possibly none, when all were sent before).", json: r.TrackReviewResult } },
    errors: {
      409: "`conflict`: the video's file is no longer stored, or another request just sent the frames this one chose (send again for the next ones).",
      503: "`model_unavailable`: no active model.",
    },
  },
  {
    method: "post",
    path: "/api/imports",
    operationId: "createImport",
    tag: "Imports",
    summary: "Import many photos, a zip of photos, or a zip of the previous tool's feedback log",
    description:
      "`multipart/form-data` with the field `file` repeated for each photo (JPEG, PNG or WebP, up to 10 MB " +
      "each), or once with a zip; up to 100 MB and 2,000 files in all, recognised by content. The files are kept " +
      "on the server and imported in the background, each photo exactly as `POST /api/predictions` takes it (the " +
      "same checks, faces and predictions; a photo uploaded before counts as a duplicate). A zip holding " +
      "`feedback_log.csv` with a `feedback_images/` folder is the previous tool's layout: its verdicts are " +
      "imported as `npm run import:feedback` does, as you. Follow the progress with `GET /api/imports/{id}`.\n\n" +
      '`curl -H "Authorization: Bearer $TOKEN" -F file=@a.jpg -F file=@b.jpg http://localhost:3000/api/imports`',
    access: { permission: "predictions:create" },
    body: {
      required: true,
      form: importFormSchema,
      description: "The photos (field `file`, repeated) or one zip (field `file`).",
    },
    responses: { 202: { description: "Received and queued.", json: r.ImportQueued } },
    errors: {
      400: "`bad_request`: no `file`, or a zip together with other files; `invalid_image`: an empty file.",
      413: "`payload_too_large`: over 100 MB in all, a photo over 10 MB, or more than 2,000 files.",
      415: "`unsupported_media_type`: not `multipart/form-data`, or a file that is neither a photo nor a zip (named).",
      507: "`storage_unavailable`: the server cannot keep the files; nothing is kept.",
    },
  },
  {
    method: "get",
    path: "/api/imports",
    operationId: "listImports",
    tag: "Imports",
    summary: "Your recent imports",
    description: "So a page can find an import still running after a reload.",
    access: { permission: "predictions:create" },
    responses: { 200: { description: "Your 20 most recent imports, newest first.", json: r.ImportList } },
  },
  {
    method: "get",
    path: "/api/imports/{id}",
    operationId: "getImport",
    tag: "Imports",
    summary: "An import's progress: counts and the files that could not be imported",
    description: "For the user who sent it and for admins; anyone else gets `404`.",
    access: { permission: "predictions:create" },
    pathParams: { id: "The import's id." },
    responses: { 200: { description: "The import.", json: r.ImportState } },
  },
  {
    method: "get",
    path: "/api/review/next",
    operationId: "claimNextFace",
    tag: "Review",
    summary: "Claim the next face to review",
    description:
      "Claims a face for you under a lease (5 minutes): one you have not judged, that nobody else holds and " +
      "that still needs verdicts. Some faces are blind controls from the golden set; they look like any other.",
    access: { permission: "review:work" },
    query: {
      schema: nextQuerySchema,
      describe: {
        order:
          "`uncertain`: smallest margin first; `newest`; `random`; `second_look`: faces flagged suspect first, then uncertain.",
        exclude: EXCLUDE,
      },
    },
    responses: {
      200: { description: "The face claimed for you.", json: r.QueueItem },
      204: { description: noBody },
    },
  },
  {
    method: "post",
    path: "/api/review/release",
    operationId: "releaseFace",
    tag: "Review",
    summary: "Give a claimed face back (skip)",
    access: { permission: "review:work" },
    body: { required: true, json: releaseSchema },
    responses: { 200: { description: "Released.", json: r.Released } },
    errors: { 404: "`not_found`: you hold no claim on that prediction." },
  },
  {
    method: "post",
    path: "/api/reviews",
    operationId: "recordVerdict",
    tag: "Review",
    summary: "Record your verdict on a prediction",
    description:
      "`corrected_label` goes with `incorrect` only, and must be one of the model's labels other than its " +
      "prediction. `not_a_face` (no face in the crop) and `unsure` (cannot tell) are never trained on. The same " +
      "verdict again is a no-op (`200`, `duplicate: true`); a different one from you replaces yours (`200`).",
    access: { permission: "review:work" },
    body: { required: true, json: reviewInputSchema },
    responses: {
      201: { description: "Recorded.", json: r.ReviewRecorded },
      200: { description: "The same verdict again (`duplicate: true`), or yours replaced.", json: r.ReviewRecorded },
    },
    errors: {
      404: "`not_found`: no such prediction.",
      409: "`claimed_by_another`: another reviewer holds the face under a live lease (`details.claim_expires_at`).",
      422: "`unprocessable`: `corrected_label` is not one of the model's labels, or is what the model predicted.",
    },
  },
  {
    method: "get",
    path: "/api/reviews",
    operationId: "listReviews",
    tag: "Review",
    summary: "Verdict history, newest first",
    access: { permission: "history:read" },
    query: {
      schema: historyQuerySchema,
      describe: {
        reviewer: "A user id or e-mail address.",
        label:
          "The emotion the face was judged to show (the corrected label, or the prediction when confirmed); `not_a_face` or `unsure` for those verdicts.",
        verdict: "Only verdicts of this kind.",
        limit: "Page size, 1–200 (default 50).",
        before: "A review id: the page after `next_before` of the previous one.",
      },
    },
    responses: { 200: { description: "A page of verdicts.", json: r.HistoryPage } },
  },
  {
    method: "delete",
    path: "/api/reviews/{id}",
    operationId: "undoVerdict",
    tag: "Review",
    summary: "Undo one of your verdicts",
    description: "The face comes back to you under a fresh lease.",
    access: { permission: "review:work" },
    pathParams: { id: "Your verdict's (review's) id." },
    responses: { 200: { description: "Undone.", json: r.ReviewUndone } },
  },
  {
    method: "get",
    path: "/api/faces",
    operationId: "listFaces",
    tag: "Faces",
    summary: "The dataset's faces, filtered, sorted, a page at a time",
    description:
      "Filters combine with AND; `sort` is newest, oldest, confidence, -confidence, margin or -margin; pages " +
      "follow `next_cursor` (keyset: a deep page costs what the first does). `state`, `label` (consensus), `flag` " +
      "and `golden` are admin filters (`403` for a reviewer, who sees `null` for those fields and lists only " +
      "their own verdicts with `verdict` / `reviewer`).",
    access: { permission: "faces:read" },
    query: {
      schema: faceQuerySchema,
      describe: {
        verdict: "correct, incorrect, not_a_face, unsure, or none (no verdict yet).",
        limit: "Page size, 1–200 (default 50).",
        cursor: "The `next_cursor` of the previous page, for the same filters and sort.",
      },
    },
    responses: { 200: { description: "A page of faces.", json: r.FacePage } },
  },
  {
    method: "post",
    path: "/api/faces/bulk",
    operationId: "bulkFaceAction",
    tag: "Faces",
    summary: "An action on listed faces, or on every face a filter matches",
    description:
      "`golden_add` / `golden_remove` (as POST /api/golden), `requeue` (one more verdict, from a different " +
      "reviewer), `exclude` (with a `reason`: left out of training) and `include`. `filter` takes the query " +
      "parameters of GET /api/faces as an object. One audit row per action.",
    access: { permission: "models:manage" },
    body: { required: true, json: faceBulkSchema },
    responses: { 200: { description: "Done.", json: r.FaceBulkResult } },
    errors: {
      404: "`not_found`: a listed face does not exist.",
      422: "`unprocessable`: a face cannot join the golden set (no agreed emotion).",
    },
  },
  {
    method: "get",
    path: "/api/faces/{id}",
    operationId: "getFace",
    tag: "Faces",
    summary: "A face: photo, box, every prediction, consensus, verdicts and flags",
    description:
      "Other reviewers' verdicts, the consensus and the golden label are shown to admins and to reviewers who " +
      "judged the face themselves (others get `null` and their own verdicts only), so nobody is steered before " +
      "their own verdict and a control stays blind.",
    access: { permission: "faces:read" },
    pathParams: { id: "The face's id." },
    responses: { 200: { description: "The face.", json: r.FaceDetail } },
  },
  {
    method: "get",
    path: "/api/faces/{id}/crop.png",
    operationId: "getFaceCrop",
    tag: "Faces",
    summary: "The stored 48×48 crop of a face",
    access: { permission: "faces:read" },
    pathParams: { id: "The face's id." },
    responses: {
      200: { description: "The crop (cached for a year: it never changes).", content: { "image/png": PNG } },
    },
    errors: { 404: "`not_found`: also when the crop's file is missing." },
  },
  {
    method: "get",
    path: "/api/uploads/{id}/image",
    operationId: "getUploadImage",
    tag: "Faces",
    summary: "An uploaded photo, EXIF orientation applied",
    access: { permission: "faces:read" },
    pathParams: { id: "The upload's id." },
    responses: {
      200: {
        description: "The photo as stored: JPEG, PNG or WebP (cached for a year: it never changes).",
        content: {
          "image/jpeg": { type: "string", contentMediaType: "image/jpeg", format: "binary" },
          "image/png": PNG,
          "image/webp": { type: "string", contentMediaType: "image/webp", format: "binary" },
        },
      },
    },
    errors: { 404: "`not_found`: also when the photo's file is missing." },
  },
  {
    method: "get",
    path: "/api/settings/review",
    operationId: "getReviewSettings",
    tag: "Consensus",
    summary: "Overlap and control settings",
    access: { permission: "settings:manage" },
    responses: { 200: { description: "The settings.", json: r.ReviewSettingsAnswer } },
  },
  {
    method: "put",
    path: "/api/settings/review",
    operationId: "updateReviewSettings",
    tag: "Consensus",
    summary: "Change overlap and control settings",
    description:
      "Any subset: `verdicts_per_face` (1–5, default 1), `extra_review_share` (0–1, 0.1: faces that get one more " +
      "verdict), `control_share` (0–0.2, 0.05: blind controls served), `control_min_accuracy` (0–1, or null = " +
      "off: reviewers below it are flagged), `control_min_answers` (20). Applied at once to faces still open; " +
      "audited.",
    access: { permission: "settings:manage" },
    body: { required: true, json: reviewSettingsSchema },
    responses: { 200: { description: "The settings now.", json: r.ReviewSettingsChanged } },
  },
  {
    method: "get",
    path: "/api/agreement",
    operationId: "getAgreement",
    tag: "Consensus",
    summary: "Agreement among reviewers, each reviewer against the others, control accuracy and pace",
    description:
      "Overall percent agreement, Fleiss' κ and Krippendorff's α over faces with two or more verdicts " +
      "(controls left out); per reviewer: agreement and Cohen's κ against the others' majority, a confusion " +
      "matrix, control accuracy, median seconds per verdict, and whether they are flagged.",
    access: { permission: "agreement:read" },
    responses: { 200: { description: "The summary.", json: r.Agreement } },
  },
  {
    method: "get",
    path: "/api/adjudication/next",
    operationId: "claimNextConflict",
    tag: "Consensus",
    summary: "Claim the next face whose verdicts conflict",
    description: "Oldest first, under a lease like the review queue's, so two admins never decide the same face.",
    access: { permission: "adjudication:work" },
    query: { schema: adjudicationNextSchema, describe: { exclude: "Comma-separated face ids to pass over." } },
    responses: {
      200: { description: "The face claimed for you, with every verdict.", json: r.AdjudicationItem },
      204: { description: "No content: no face is in conflict." },
    },
  },
  {
    method: "post",
    path: "/api/adjudication/release",
    operationId: "releaseConflict",
    tag: "Consensus",
    summary: "Give back a claimed conflict (skip)",
    access: { permission: "adjudication:work" },
    body: { required: true, json: adjudicationReleaseSchema },
    responses: { 200: { description: "Released: another admin may take it now.", json: r.ConflictReleased } },
    errors: { 404: "`not_found`: you hold no claim on a conflict for that face." },
  },
  {
    method: "post",
    path: "/api/adjudications",
    operationId: "adjudicateFace",
    tag: "Consensus",
    summary: "Decide a face's label (final)",
    description:
      "An emotion of the face's model, or `not_a_face`. From then on it is the face's label for training and " +
      "the golden set; the face leaves the review and adjudication queues. Audited.",
    access: { permission: "adjudication:work" },
    body: { required: true, json: adjudicationInputSchema },
    responses: { 201: { description: "Decided.", json: r.AdjudicationCreated } },
    errors: {
      404: "`not_found`: no face with that id and a prediction.",
      409: "`conflict`: the face was already adjudicated; the decision is final.",
      422: "`unprocessable`: the face has no verdict yet, or the label is not one of its model's (or `not_a_face`).",
    },
  },
  {
    method: "get",
    path: "/api/tokens",
    operationId: "listTokens",
    tag: "Tokens",
    summary: "Your API tokens",
    access: { permission: "tokens:manage-own" },
    responses: { 200: { description: "Your tokens, newest first (never their secrets).", json: r.ApiTokenList } },
  },
  {
    method: "post",
    path: "/api/tokens",
    operationId: "createToken",
    tag: "Tokens",
    summary: "Make an API token",
    description: "The secret is in this answer only. `expires_in_days` (1–365) left out: it never expires.",
    access: { permission: "tokens:manage-own", sessionOnly: true },
    body: { required: true, json: createTokenSchema },
    responses: { 201: { description: "Made.", json: r.ApiTokenCreated } },
  },
  {
    method: "delete",
    path: "/api/tokens/{id}",
    operationId: "revokeToken",
    tag: "Tokens",
    summary: "Revoke one of your API tokens",
    access: { permission: "tokens:manage-own" },
    pathParams: { id: "The token's id." },
    responses: { 200: { description: "Revoked: it stops working at once.", json: r.ApiTokenRevoked } },
    errors: { 404: "`not_found`: also for someone else's token, or one already revoked." },
  },
  {
    method: "get",
    path: "/api/users",
    operationId: "listUsers",
    tag: "Users",
    summary: "Every user",
    access: { permission: "users:manage" },
    responses: { 200: { description: "The users.", json: r.UserList } },
  },
  {
    method: "post",
    path: "/api/users",
    operationId: "createUser",
    tag: "Users",
    summary: "Create a user",
    access: { permission: "users:manage" },
    body: { required: true, json: createUserSchema },
    responses: { 201: { description: "Created.", json: r.UserAnswer } },
    errors: { 409: "`conflict`: a user with that e-mail address exists." },
  },
  {
    method: "patch",
    path: "/api/users/{id}",
    operationId: "updateUser",
    tag: "Users",
    summary: "Disable or enable a user, or change the role",
    description: "Either ends the user's sessions at once; disabling also stops their API tokens.",
    access: { permission: "users:manage" },
    pathParams: { id: "The user's id." },
    body: { required: true, json: updateUserSchema },
    responses: { 200: { description: "The user now.", json: r.UserAnswer } },
    errors: { 409: "`conflict`: you cannot disable yourself or remove your own admin role." },
  },
  {
    method: "post",
    path: "/api/training-jobs",
    operationId: "queueTrainingJob",
    tag: "Training",
    summary: "Queue a retrain on the reviewed faces",
    description:
      "Every field is optional; the defaults suit fine-tuning on corrections (chosen with `npm run bench:finetune`). " +
      "`label_aggregation` is how verdicts become a face's label: the majority, or Dawid–Skene (each reviewer's " +
      "reliability estimated by EM). One job at a time.",
    access: { permission: "training:manage" },
    body: { required: false, json: trainingParamsSchema },
    responses: { 202: { description: "Queued.", json: r.TrainingJobQueued } },
    errors: {
      409: "`conflict`: a job is queued or running (`details.job_id`).",
      422:
        "`unprocessable`: `base_version` does not exist or failed, or too few labelled faces for `min_samples` " +
        "(`details.preflight`, as GET /api/training-jobs/preflight gives it); nothing is created.",
      503: "`model_unavailable`: no active model to fine-tune.",
    },
  },
  {
    method: "get",
    path: "/api/training-jobs/preflight",
    operationId: "trainingPreflight",
    tag: "Training",
    summary: "What a retrain would train on now, and whether it can run",
    description:
      "Per class, the faces a job would train on and hold out (20 % per class), the golden set, what is left " +
      "out and why, and whether `min_samples` is met. Nothing is created.",
    access: { permission: "training:manage" },
    query: { schema: preflightQuerySchema, describe: { min_samples: "As the job's parameter (default 20)." } },
    responses: { 200: { description: "The pre-flight.", json: r.TrainingPreflight } },
  },
  {
    method: "get",
    path: "/api/training-jobs",
    operationId: "listTrainingJobs",
    tag: "Training",
    summary: "Recent training jobs",
    access: { permission: "training:manage" },
    responses: { 200: { description: "The last 50 jobs, newest first.", json: r.TrainingJobList } },
  },
  {
    method: "get",
    path: "/api/training-jobs/{id}",
    operationId: "getTrainingJob",
    tag: "Training",
    summary: "A training job with progress, curves, decision and log",
    access: { permission: "training:manage" },
    pathParams: { id: "The job's id." },
    responses: { 200: { description: "The job.", json: r.TrainingJobDetail } },
  },
  {
    method: "post",
    path: "/api/training-jobs/{id}/cancel",
    operationId: "cancelTrainingJob",
    tag: "Training",
    summary: "Cancel a queued or running job",
    description: "A queued job is cancelled at once; a running one stops within one batch.",
    access: { permission: "training:manage" },
    pathParams: { id: "The job's id." },
    responses: { 200: { description: "Cancelled, or asked to stop.", json: r.TrainingJobAnswer } },
    errors: { 409: "`conflict`: the job is neither queued nor running." },
  },
  {
    method: "get",
    path: "/api/models",
    operationId: "listModels",
    tag: "Models",
    summary: "Every model version with status, lineage and metrics",
    access: { permission: "models:read" },
    responses: { 200: { description: "The versions, newest first.", json: r.ModelVersionList } },
  },
  {
    method: "get",
    path: "/api/models/{id}",
    operationId: "getModel",
    tag: "Models",
    summary: "One model version beside the active one, with its history",
    access: { permission: "models:read" },
    pathParams: { id: "The model version's id (not its version number)." },
    responses: { 200: { description: "The version.", json: r.ModelVersionDetail } },
  },
  {
    method: "get",
    path: "/api/models/{id}/files/{name}",
    operationId: "getModelFile",
    tag: "Models",
    summary: "A version's model.json, metadata.json or weight shard, to predict in the browser",
    description:
      "The files of a version as TensorFlow.js loads them (the live view predicts with the active version's own " +
      "files): `model.json`, `metadata.json`, and the weight shards `model.json` lists in `weightsManifest`; no " +
      "other name. Versions never change, so the version's `checksum` (`GET /api/models`) is the ETag of each " +
      "file: with `?v=<checksum>` the answer is cached for good (`private, max-age=31536000, immutable`), " +
      "without it revalidated each time (`private, no-cache`); a matching `If-None-Match` gets `304`.",
    access: { permission: "models:read" },
    pathParams: {
      id: "The model version's id.",
      name: { description: "`model.json`, `metadata.json` or a weight shard's name.", file: true },
    },
    query: {
      schema: modelFileQuerySchema,
      describe: { v: "The version's checksum: the answer may then be kept for good." },
    },
    responses: {
      200: {
        description: "The file.",
        content: {
          "application/json": { type: "object", description: "`model.json` or `metadata.json`." },
          "application/octet-stream": { type: "string", format: "binary", description: "A weight shard." },
        },
      },
      304: { description: "Not modified: the `If-None-Match` ETag is the version's checksum." },
    },
    errors: {
      404: "`not_found`: no such version, a version without files (imported verdicts), or a name it does not serve.",
    },
  },
  {
    method: "post",
    path: "/api/models/{id}/activate",
    operationId: "activateModel",
    tag: "Models",
    summary: "Promote a candidate, or roll back to an earlier version",
    description: "Predictions use it from then on; audited with the reason given.",
    access: { permission: "models:manage" },
    pathParams: { id: "The model version's id." },
    body: { required: false, json: activateBodySchema },
    responses: { 200: { description: "The version, now active.", json: r.ModelActivated } },
    errors: {
      409: "`conflict`: the version failed, is already active, cannot be loaded, or changed meanwhile.",
      503: "`model_unavailable`: its files are missing or changed.",
    },
  },
  {
    method: "get",
    path: "/api/detector/files/{name}",
    operationId: "getDetectorFile",
    tag: "Models",
    summary: "The face detector's weights, to detect faces in the browser",
    description:
      "The face detectors' weights as shipped in `@vladmandic/face-api`, for the one the server runs on every " +
      "upload (`FACE_DETECTOR`): the Tiny Face Detector's `tiny_face_detector_model-weights_manifest.json` and " +
      "`tiny_face_detector_model.bin`, SSD MobileNet v1's `ssd_mobilenetv1_model-weights_manifest.json` and " +
      "`ssd_mobilenetv1_model.bin`, nothing else. The ETag is " +
      "the file's SHA-256; with `?v=<face-api version>` the answer is cached for good, without it revalidated.",
    access: { permission: "models:read" },
    pathParams: { name: { description: "One of the four file names.", file: true } },
    query: {
      schema: detectorFileQuerySchema,
      describe: { v: "The installed face-api version: the answer may then be kept for good." },
    },
    responses: {
      200: {
        description: "The file.",
        content: {
          "application/json": { type: "array", description: "The weights manifest." },
          "application/octet-stream": { type: "string", format: "binary", description: "The weights." },
        },
      },
      304: { description: "Not modified: the `If-None-Match` ETag is the file's hash." },
    },
    errors: { 404: "`not_found`: a name the detector does not have." },
  },
  {
    method: "get",
    path: "/api/golden",
    operationId: "listGolden",
    tag: "Golden set",
    summary: "The golden set, newest first",
    access: { permission: "models:manage" },
    query: {
      schema: goldenPageSchema,
      describe: {
        limit: "Page size, 1–1000 (default 200).",
        before: "A face id: the page after `next_before` of the previous one.",
      },
    },
    responses: { 200: { description: "A page of the golden set.", json: r.GoldenSet } },
  },
  {
    method: "post",
    path: "/api/golden",
    operationId: "changeGolden",
    tag: "Golden set",
    summary: "Add faces to the golden set, or take them out",
    description:
      "Only reviewed faces whose verdicts agree on an emotion (or that were adjudicated) can join; that label " +
      "becomes their fixed golden label. Golden faces are never trained on.",
    access: { permission: "models:manage" },
    body: { required: true, json: goldenChangeSchema },
    responses: { 200: { description: "Changed.", json: r.GoldenChanged } },
    errors: { 422: "`unprocessable`: a face is not reviewed, in conflict, not an emotion, or unknown." },
  },
  {
    method: "get",
    path: "/api/export",
    operationId: "exportDataset",
    tag: "Export",
    summary: "The labelled dataset for training elsewhere (CSV, JSON lines or an imagefolder zip)",
    description:
      "One row per labelled face matching the filters of GET /api/faces: its consensus emotion, adjudicated or " +
      "golden label (ties, not-a-face, can't-tell and excluded faces left out; a crop uploaded twice once). " +
      "Columns: `timestamp, predicted_emotion, confidence, corrected_emotion, image_path`, then `face_id, " +
      "crop_sha256, label_state, support, verdicts, golden, model_version, upload_id, flags`. `imagefolder`: a zip " +
      "of `<label>/<crop sha256>.png` and `metadata.csv` (`file_name`, `label`, …). Streamed.",
    access: { permission: "export:read" },
    query: { schema: datasetExportQuerySchema, describe: { format: "`csv` (default), `jsonl` or `imagefolder`." } },
    responses: {
      200: {
        description: "A download (`Content-Disposition: attachment`).",
        content: {
          "text/csv": { type: "string", description: "A header row, then one row per face." },
          "application/x-ndjson": { type: "string", description: "One JSON object per face, one per line." },
          "application/zip": { type: "string", format: "binary", description: "The imagefolder zip." },
        },
      },
    },
  },
  {
    method: "get",
    path: "/api/export/feedback.csv",
    operationId: "exportFeedback",
    tag: "Export",
    summary: "Every verdict as CSV (or JSON lines)",
    description:
      "Columns: `timestamp, predicted_emotion, confidence, corrected_emotion, image_path` (the previous tool's " +
      "`feedback_log.csv`), then `reviewer, verdict, model_version, crop_sha256`. Streamed, oldest first.",
    access: { permission: "export:read" },
    query: { schema: exportQuerySchema, describe: { format: "`csv`, or `jsonl` for one JSON object per line." } },
    responses: {
      200: {
        description: "A download (`Content-Disposition: attachment`).",
        content: {
          "text/csv": { type: "string", description: "A header row, then one row per verdict." },
          "application/x-ndjson": { type: "string", description: "One JSON object per verdict, one per line." },
        },
      },
    },
  },
];
