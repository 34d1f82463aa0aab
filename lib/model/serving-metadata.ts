/**
 * What a client needs of a version's `metadata.json` to predict as the server does: labels,
 * input shape, preprocessing, test-time augmentation, resize filter and temperature. No Node imports (the full
 * schema, lib/model/metadata, reads files): the browser's live view validates the file it fetched
 * with this.
 */
import { z } from "zod";
import { PREPROCESSING_MODES } from "@/lib/model/model-input";
import { RESIZE_FILTERS } from "@/lib/model/resize";
import { TEST_TIME_AUGMENTATION_MODES } from "@/lib/model/test-time-augmentation";

export const servingMetadataSchema = z.looseObject({
  labels: z.array(z.string().min(1)).min(2),
  inputShape: z.tuple([
    z.number().int().positive(),
    z.number().int().positive(),
    z.union([z.literal(1), z.literal(3)]),
  ]),
  preprocessing: z.enum(PREPROCESSING_MODES),
  testTimeAugmentation: z.enum(TEST_TIME_AUGMENTATION_MODES).optional(),
  resizeFilter: z.enum(RESIZE_FILTERS).optional(),
  /** Applied to every probability vector (lib/model/calibration); absent means 1. */
  temperature: z.number().positive().optional(),
});
export type ServingMetadata = z.infer<typeof servingMetadataSchema>;
