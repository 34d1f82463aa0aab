import { z } from "zod";
import { idSchema, queryCountSchema, queryIdListSchema, queryIdSchema } from "@/lib/ids/ids";

/** One schema for a verdict: the review form's resolver and POST /api/reviews both use it. */
export const reviewInputSchema = z
  .object({
    prediction_id: idSchema,
    verdict: z.enum(["correct", "incorrect"]),
    corrected_label: z.string().trim().toLowerCase().optional(),
    note: z.string().trim().max(1000, "Keep the note under 1000 characters").optional(),
  })
  .superRefine((v, ctx) => {
    if (v.verdict === "incorrect" && !v.corrected_label) {
      ctx.addIssue({ code: "custom", path: ["corrected_label"], message: "Choose the true emotion" });
    }
    if (v.verdict === "correct" && v.corrected_label) {
      ctx.addIssue({
        code: "custom",
        path: ["corrected_label"],
        message: "A correct verdict takes no corrected label",
      });
    }
  });
export type ReviewInput = z.infer<typeof reviewInputSchema>;

export const queueOrders = ["uncertain", "newest", "random"] as const;
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
  verdict: z.enum(["correct", "incorrect"]).optional(),
  limit: queryCountSchema(1, 200).default(50),
  before: queryIdSchema.optional(),
});
export type HistoryQuery = z.infer<typeof historyQuerySchema>;
