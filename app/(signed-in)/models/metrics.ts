import { z } from "zod";

/**
 * Reading `metrics` of a model version. The column is free-form JSON: versions trained here carry a
 * full evaluation (see worker/run-training-job.ts), the baseline at most the summary from its metadata.json,
 * older rows maybe nothing. Parsed, not cast, so a surprise in the JSON shows as "no figures".
 */
const classMetricsSchema = z.object({
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  support: z.number(),
});

export const evalMetricsSchema = z.object({
  n: z.number(),
  accuracy: z.number(),
  macro_f1: z.number(),
  per_class: z.record(z.string(), classMetricsSchema),
  /** confusion[true][predicted], both in label order. */
  confusion: z.array(z.array(z.number())),
  ece: z.number(),
});
export type EvalMetrics = z.infer<typeof evalMetricsSchema>;

const epochPointSchema = z.object({
  epoch: z.number(),
  loss: z.number(),
  acc: z.number(),
  valLoss: z.number().nullable(),
  valAcc: z.number().nullable(),
});

/** Faces the candidate and the version it was judged against got right together or alone (lib/stats/mcnemar.ts). */
const agreementSchema = z.object({
  both: z.number(),
  first_only: z.number(),
  second_only: z.number(),
  neither: z.number(),
});

const trainedMetricsSchema = z.object({
  holdout: evalMetricsSchema,
  golden: evalMetricsSchema.nullable(),
  /** The version that was active when this one was judged, scored on the same data below. */
  active_version: z.number().nullable(),
  active_holdout: evalMetricsSchema.nullable(),
  active_golden: evalMetricsSchema.nullable(),
  /** Stored since per-face results were kept; older versions have only the two confusion matrices. */
  agreement: z
    .object({ holdout: agreementSchema, golden: agreementSchema.nullable() })
    .nullable()
    .optional()
    .catch(null),
  snapshot: z
    .object({ hash: z.string(), train: z.number(), holdout: z.number(), golden: z.number(), replay: z.number() })
    .nullable()
    .catch(null),
  training: z
    .object({
      epochs: z.array(epochPointSchema),
      durationSeconds: z.number().nullable().catch(null),
      backend: z.string().nullable().catch(null),
    })
    .nullable()
    .catch(null),
});
export type TrainedMetrics = z.infer<typeof trainedMetricsSchema>;

/** What a baseline's metadata.json may say about itself (`npm run eval -- --json`). */
const summaryMetricsSchema = z.object({
  accuracy: z.number().optional(),
  macro_f1: z.number().optional(),
  ece: z.number().optional(),
  n: z.number().optional(),
  dataset: z.string().optional(),
});
export type SummaryMetrics = z.infer<typeof summaryMetricsSchema>;

export type VersionMetrics =
  { kind: "trained"; data: TrainedMetrics } | { kind: "summary"; data: SummaryMetrics } | { kind: "none" };

export function readMetrics(raw: unknown): VersionMetrics {
  const trained = trainedMetricsSchema.safeParse(raw);
  if (trained.success) return { kind: "trained", data: trained.data };
  const summary = summaryMetricsSchema.safeParse(raw);
  if (summary.success && (summary.data.accuracy !== undefined || summary.data.macro_f1 !== undefined)) {
    return { kind: "summary", data: summary.data };
  }
  return { kind: "none" };
}
