import { z } from "zod";

/** One schema for a verdict: the review form's resolver and POST /api/reviews both use it. */
export const reviewInputSchema = z
  .object({
    prediction_id: z.coerce.number().int().positive(),
    verdict: z.enum(["correct", "incorrect"]),
    corrected_label: z.string().trim().toLowerCase().optional(),
    note: z.string().trim().max(1000, "Keep the note under 1000 characters").optional(),
  })
  .superRefine((v, ctx) => {
    if (v.verdict === "incorrect" && !v.corrected_label) {
      ctx.addIssue({ code: "custom", path: ["corrected_label"], message: "Choose the true emotion" });
    }
    if (v.verdict === "correct" && v.corrected_label) {
      ctx.addIssue({ code: "custom", path: ["corrected_label"], message: "A correct verdict takes no corrected label" });
    }
  });
export type ReviewInput = z.infer<typeof reviewInputSchema>;

export const queueOrders = ["uncertain", "newest", "random"] as const;
export type QueueOrder = (typeof queueOrders)[number];

export const nextQuerySchema = z.object({
  order: z.enum(queueOrders).default("uncertain"),
  exclude: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(",").filter(Boolean).map(Number) : []))
    .pipe(z.array(z.number().int().positive()).max(200)),
});

export const releaseSchema = z.object({ prediction_id: z.coerce.number().int().positive() });

export const historyQuerySchema = z.object({
  reviewer: z.string().trim().optional(),
  label: z.string().trim().toLowerCase().optional(),
  verdict: z.enum(["correct", "incorrect"]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce.number().int().positive().optional(),
});
export type HistoryQuery = z.infer<typeof historyQuerySchema>;

