import { describe, expect, it } from "vitest";
import { storedTrainingParams, trainingParamsSchema } from "@/worker/params";
import { FIT_DEFAULTS } from "@/training/fit-defaults";

describe("trainingParamsSchema", () => {
  // A request that names nothing trains with the fineTune preset, whose class weights ("none")
  // were chosen by measurement for the job.
  it.each([
    ["epochs", FIT_DEFAULTS.fineTune.epochs],
    ["learning_rate", FIT_DEFAULTS.fineTune.learningRate],
    ["batch_size", FIT_DEFAULTS.fineTune.batchSize],
    ["class_weights", "none"],
    ["strategy", "full"],
    // Learning without forgetting is on by default (chosen with bench:finetune, see fit-defaults).
    ["distill_weight", 0.5],
    ["distill_temperature", 2],
  ] as const)("defaults %s to %s", (field, expected) => {
    expect(trainingParamsSchema.parse({})[field]).toBe(expected);
  });
});

describe("storedTrainingParams", () => {
  it("reads a job stored before distillation existed as trained without it", () => {
    const old = {
      epochs: 8,
      learning_rate: 3e-5,
      strategy: "full",
      class_weights: "none",
      min_samples: 20,
      batch_size: 32,
    };
    const parsed = storedTrainingParams(old);
    expect(parsed.success && parsed.data.distill_weight).toBe(0);
    expect(parsed.success && parsed.data.distill_temperature).toBe(FIT_DEFAULTS.fineTune.distillTemperature);
  });

  it("keeps what a newer job stored, and refuses what the schema refuses", () => {
    const parsed = storedTrainingParams(trainingParamsSchema.parse({ distill_weight: 0.4, distill_temperature: 3 }));
    expect(parsed.success && [parsed.data.distill_weight, parsed.data.distill_temperature]).toEqual([0.4, 3]);
    expect(storedTrainingParams({ distill_weight: 1 }).success).toBe(false);
    expect(storedTrainingParams(null).success).toBe(false);
  });
});
