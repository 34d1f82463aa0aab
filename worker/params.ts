import { z } from "zod";
import { idSchema } from "@/lib/ids/ids";
import { FIT_DEFAULTS } from "@/training/fit-defaults";

// The training defaults and why they were chosen live in training/fit-defaults.ts.
const DEFAULTS = FIT_DEFAULTS.fineTune;

/** POST /api/training-jobs body; every field optional, defaults suited to fine-tuning on corrections. */
export const trainingParamsSchema = z
  .object({
    // A version number, stored in an int4 column like an id: a JSON number, never a string.
    base_version: idSchema.optional(),
    epochs: z.coerce.number().int().min(1).max(200).default(DEFAULTS.epochs),
    learning_rate: z.coerce.number().positive().max(0.1).default(DEFAULTS.learningRate),
    strategy: z.enum(["head", "full"]).default("full"),
    class_weights: z.enum(["none", "sqrt", "balanced"]).default(DEFAULTS.classWeights),
    min_samples: z.coerce.number().int().min(1).max(1_000_000).default(20),
    batch_size: z.coerce.number().int().min(1).max(512).default(DEFAULTS.batchSize),
    /**
     * Learning without forgetting: the share of the loss that keeps the candidate's softened
     * outputs near the base version's on the same faces (0 = plain fine-tuning).
     */
    distill_weight: z.coerce.number().min(0).max(0.95).default(DEFAULTS.distillWeight),
    /** How much both outputs are softened before they are compared (Hinton's T). */
    distill_temperature: z.coerce.number().min(1).max(10).default(DEFAULTS.distillTemperature),
    /** How verdicts become a face's label: the majority, or Dawid–Skene (each reviewer's reliability estimated by EM). */
    label_aggregation: z.enum(["majority", "dawid-skene"]).default("majority"),
  })
  .strict();
export type TrainingParams = z.infer<typeof trainingParamsSchema>;

/**
 * A job's stored parameters (what POST /api/training-jobs parsed, defaults filled in). Jobs stored
 * before distillation existed lack its fields and trained without it: they read as off, not as
 * today's default.
 */
export function storedTrainingParams(stored: unknown) {
  const withOldDefaults =
    typeof stored === "object" && stored !== null && !Array.isArray(stored) ? { distill_weight: 0, ...stored } : stored;
  return trainingParamsSchema.safeParse(withOldDefaults);
}

/** GET /api/training-jobs/preflight: the job parameters a pre-flight depends on, with the job's own defaults. */
export const preflightQuerySchema = trainingParamsSchema.pick({ min_samples: true, label_aggregation: true }).strict();
