import { z } from "zod";

/** POST /api/training-jobs body; every field optional, defaults suited to fine-tuning on corrections. */
export const trainingParamsSchema = z
  .object({
    base_version: z.coerce.number().int().positive().optional(),
    epochs: z.coerce.number().int().min(1).max(200).default(8),
    // Chosen with `npm run bench:finetune` (bench/results/finetune.md): at 3e-4 the model lost
    // accuracy on held-out faces against both label sets; 1e-4 did not.
    learning_rate: z.coerce.number().positive().max(0.1).default(0.0001),
    strategy: z.enum(["head", "full"]).default("full"),
    // How strongly rare classes weigh in the loss. "sqrt" by `npm run bench:finetune`: "balanced"
    // pushed a model trained on FER2013's natural class mix towards rare classes and it lost
    // accuracy on held-out faces; "sqrt" and "none" learned the corrections and kept the rest.
    class_weights: z.enum(["none", "sqrt", "balanced"]).default("sqrt"),
    min_samples: z.coerce.number().int().min(1).max(1_000_000).default(20),
    batch_size: z.coerce.number().int().min(1).max(512).default(32),
  })
  .strict();
export type TrainingParams = z.infer<typeof trainingParamsSchema>;
