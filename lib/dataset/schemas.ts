import { z } from "zod";
import { idSchema, queryCountSchema, queryIdSchema } from "@/lib/ids/ids";

/** POST /api/golden; shared by the route and the golden-set page. */
export const goldenChangeSchema = z
  .object({
    face_ids: z.array(idSchema).min(1).max(10_000),
    golden: z.boolean(),
  })
  .strict();
export type GoldenChange = z.infer<typeof goldenChangeSchema>;

/** GET /api/golden query: a page of the golden set, newest first. */
export const goldenPageSchema = z.object({
  limit: queryCountSchema(1, 1000).optional(),
  before: queryIdSchema.optional(),
});

const queryShare = z
  .string()
  .regex(/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/, "must be a number from 0 to 1")
  .transform(Number);
const queryDate = z
  .string()
  .refine((s) => /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s) && !Number.isNaN(Date.parse(s)), {
    message: "must be a date, e.g. 2026-11-30 or 2026-11-30T12:00:00Z",
  })
  .transform((s) => new Date(s));
const queryLabel = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z_]{1,40}$/, "must be a label such as happy or not_a_face");

export const faceSorts = ["newest", "oldest", "confidence", "-confidence", "margin", "-margin"] as const;
export type FaceSort = (typeof faceSorts)[number];

/**
 * GET /api/faces: the dataset browser's filters (all optional, combined with AND), its sort, and a
 * keyset cursor. The filters on consensus, flags, golden and other reviewers are for admins: they
 * would tell a reviewer which faces are controls or what others answered.
 */
export const faceQuerySchema = z
  .object({
    state: z.enum(["open", "agreed", "conflict", "adjudicated"]).optional(),
    label: queryLabel.optional(),
    predicted: queryLabel.optional(),
    model_version: queryIdSchema.optional(),
    confidence_min: queryShare.optional(),
    confidence_max: queryShare.optional(),
    margin_min: queryShare.optional(),
    margin_max: queryShare.optional(),
    reviewer: queryIdSchema.optional(),
    verdict: z.enum(["correct", "incorrect", "not_a_face", "unsure", "none"]).optional(),
    flag: z.enum(["suspect", "disputed"]).optional(),
    golden: z.enum(["true", "false"]).optional(),
    upload: queryIdSchema.optional(),
    from: queryDate.optional(),
    to: queryDate.optional(),
    sort: z.enum(faceSorts).default("newest"),
    cursor: z.string().max(200).optional(),
    limit: queryCountSchema(1, 200).default(50),
  })
  .strict();
export type FaceQuery = z.infer<typeof faceQuerySchema>;

/** The filters only admins may use (see faceQuerySchema). */
export const ADMIN_FACE_FILTERS = ["state", "label", "flag", "golden"] as const;

export const bulkActions = ["golden_add", "golden_remove", "requeue", "exclude", "include"] as const;

/**
 * POST /api/faces/bulk: an action on listed faces or on every face matching a filter (the same
 * filters as GET /api/faces, as strings). Excluding takes a reason.
 */
export const faceBulkSchema = z
  .object({
    face_ids: z.array(idSchema).min(1).max(10_000).optional(),
    filter: z.record(z.string(), z.string()).optional(),
    action: z.enum(bulkActions),
    reason: z.string().trim().max(500, "Keep the reason under 500 characters").optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.face_ids === undefined) === (v.filter === undefined)) {
      ctx.addIssue({ code: "custom", path: ["face_ids"], message: "Send either face_ids or filter (not both)" });
    }
    if (v.action === "exclude" && !v.reason) {
      ctx.addIssue({ code: "custom", path: ["reason"], message: "Say why these faces leave the training data" });
    }
  });
export type FaceBulk = z.infer<typeof faceBulkSchema>;

/** GET /api/export: a format and the dataset browser's filters (no sort or paging: every match). */
export const datasetExportQuerySchema = faceQuerySchema
  .omit({ sort: true, cursor: true, limit: true })
  .extend({ format: z.enum(["csv", "jsonl", "imagefolder"]).default("csv") })
  .strict();
