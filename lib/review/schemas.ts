import { z } from "zod";
import type { VerdictApiName } from "@/lib/dataset/verdict-label";
import { idSchema, queryCountSchema, queryIdListSchema, queryIdSchema } from "@/lib/ids/ids";

/** "not_a_face" (no face in the crop) and "unsure" (cannot tell) are answers too; neither is trained on. */
export const verdicts = ["correct", "incorrect", "not_a_face", "unsure"] as const satisfies readonly VerdictApiName[];
export type VerdictName = (typeof verdicts)[number];

/** One schema for a verdict: the review form's resolver and POST /api/reviews both use it. */
/** The longest note a verdict or a decision keeps (the forms' inputs stop there too). */
export const NOTE_MAX_CHARS = 1000;
const noteSchema = z.string().trim().max(NOTE_MAX_CHARS, `Keep the note under ${NOTE_MAX_CHARS} characters`).optional();

export const reviewInputSchema = z
  .object({
    prediction_id: idSchema,
    verdict: z.enum(verdicts),
    corrected_label: z.string().trim().toLowerCase().optional(),
    note: noteSchema,
  })
  .superRefine((v, ctx) => {
    if (v.verdict === "incorrect" && !v.corrected_label) {
      ctx.addIssue({ code: "custom", path: ["corrected_label"], message: "Choose the true emotion" });
    }
    if (v.verdict !== "incorrect" && v.corrected_label) {
      ctx.addIssue({
        code: "custom",
        path: ["corrected_label"],
        message: `A ${v.verdict.replace(/_/g, " ")} verdict takes no corrected label`,
      });
    }
  });
export type ReviewInput = z.infer<typeof reviewInputSchema>;

/** `second_look` serves faces flagged suspect first (to a reviewer who has not judged them), then the uncertain order. */
export const queueOrders = ["uncertain", "newest", "random", "second_look"] as const;
export type QueueOrder = (typeof queueOrders)[number];

export const nextQuerySchema = z.object({
  order: z.enum(queueOrders).default("uncertain"),
  exclude: queryIdListSchema.pipe(z.array(z.number()).max(200)).default([]),
});

export const releaseSchema = z.object({ prediction_id: idSchema });

export const historyQuerySchema = z.object({
  // A user id (digits) or an e-mail address; an id must fit the id column like any other.
  reviewer: z
    .string()
    .trim()
    .max(320)
    .refine((r) => !/^\d+$/.test(r) || queryIdSchema.safeParse(r).success, `reviewer id is out of range`)
    .optional(),
  label: z.string().trim().toLowerCase().optional(),
  verdict: z.enum(verdicts).optional(),
  limit: queryCountSchema(1, 200).default(50),
  before: queryIdSchema.optional(),
});
export type HistoryQuery = z.infer<typeof historyQuerySchema>;

const share = (max: number) => z.number().min(0, "must be at least 0").max(max, `must be at most ${max}`);

/** PUT /api/settings/review: any subset of the settings; what is left out stays as it is. */
export const reviewSettingsSchema = z
  .object({
    verdicts_per_face: z.number().int("must be a whole number").min(1).max(5).optional(),
    extra_review_share: share(1).optional(),
    control_share: share(0.2).optional(),
    /** null turns the flag off. */
    control_min_accuracy: share(1).nullable().optional(),
    control_min_answers: z.number().int().min(1).max(1000).optional(),
  })
  .strict();
export type ReviewSettingsInput = z.infer<typeof reviewSettingsSchema>;

export const adjudicationNextSchema = z.object({
  exclude: queryIdListSchema.pipe(z.array(z.number()).max(200)).default([]),
});

/** POST /api/adjudications: the admin's final label for a face (an emotion or "not_a_face"). */
export const adjudicationInputSchema = z
  .object({
    face_id: idSchema,
    label: z.string().trim().toLowerCase().min(1, "Choose a label"),
    note: noteSchema,
  })
  .strict();
export type AdjudicationInput = z.infer<typeof adjudicationInputSchema>;

export const adjudicationReleaseSchema = z.object({ face_id: idSchema }).strict();
