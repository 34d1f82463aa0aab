import { describe, expect, it } from "vitest";
import { trainingParamsSchema } from "@/worker/params";
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
  ] as const)("defaults %s to %s", (field, expected) => {
    expect(trainingParamsSchema.parse({})[field]).toBe(expected);
  });
});
