import { z } from "zod";

/** POST /api/training-jobs body; every field optional, defaults suited to fine-tuning on corrections. */
export const trainingParamsSchema = z
  .object({
    base_version: z.coerce.number().int().positive().optional(),
    epochs: z.coerce.number().int().min(1).max(200).default(8),
    // Chosen with `npm run bench:finetune` (bench/results/finetune.md): after 1,000 corrections
    // 3e-5 learned nearly as much as 1e-4 and 3e-4 and was the one that forgot nothing.
    learning_rate: z.coerce.number().positive().max(0.1).default(0.00003),
    strategy: z.enum(["head", "full"]).default("full"),
    // How strongly rare classes weigh in the loss. "sqrt" (bench/results/finetune.md): it learned
    // more of the corrections than "balanced", with the replay kept in the data's own class mix.
    class_weights: z.enum(["none", "sqrt", "balanced"]).default("sqrt"),
    min_samples: z.coerce.number().int().min(1).max(1_000_000).default(20),
    batch_size: z.coerce.number().int().min(1).max(512).default(32),
  })
  .strict();
export type TrainingParams = z.infer<typeof trainingParamsSchema>;
