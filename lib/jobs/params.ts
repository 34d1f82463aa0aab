import { z } from "zod";
import { idSchema } from "@/lib/api/ids";

/** POST /api/training-jobs body; every field optional, defaults suited to fine-tuning on corrections. */
export const trainingParamsSchema = z
  .object({
    // A version number, stored in an int4 column like an id: a JSON number, never a string.
    base_version: idSchema.optional(),
    epochs: z.coerce.number().int().min(1).max(200).default(8),
    // Chosen with `npm run bench:finetune` on the shipped baseline (bench/results/finetune.md): after
    // 1,000 corrections 3e-5 forgot least (−0.7 points against the original labels; 1e-4 −1.5,
    // 3e-4 −1.7) while learning nearly as much; 1e-3 wrecked the model.
    learning_rate: z.coerce.number().positive().max(0.1).default(0.00003),
    strategy: z.enum(["head", "full"]).default("full"),
    // How strongly rare classes weigh in the loss. "none" (bench/results/finetune-more/finetune.md):
    // at 3e-5 it learned twice as much of the corrections as "sqrt" (+6.6 against +3.1 points vs
    // FER+) for 0.6 points more lost against the original labels.
    class_weights: z.enum(["none", "sqrt", "balanced"]).default("none"),
    min_samples: z.coerce.number().int().min(1).max(1_000_000).default(20),
    batch_size: z.coerce.number().int().min(1).max(512).default(32),
  })
  .strict();
export type TrainingParams = z.infer<typeof trainingParamsSchema>;
