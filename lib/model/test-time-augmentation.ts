// No Node imports: client components describe a version's setting with this module too.

/**
 * What the served probabilities are: "none" = the model's output for the face; "flip" = the mean of
 * its outputs for the face and its mirror image (two forward passes per face); "flip-shift" = the
 * mean over ten views: the face and four copies shifted by 2 pixels up, down, left and right (edges
 * reflected), each also mirrored (ten forward passes per face).
 */
export const TEST_TIME_AUGMENTATION_MODES = ["none", "flip", "flip-shift"] as const;
export type TestTimeAugmentation = (typeof TEST_TIME_AUGMENTATION_MODES)[number];

const DESCRIPTIONS: Record<TestTimeAugmentation, string> = {
  none: "the model’s own output: 1 forward pass",
  flip: "each face averaged with its mirror image: 2 forward passes",
  "flip-shift": "mean over the face, 4 copies shifted by 2 px, and their mirror images: 10 forward passes",
};

/** e.g. "each face averaged with its mirror image: 2 forward passes", for pages, terminals and reports. */
export function describeTestTimeAugmentation(mode: TestTimeAugmentation): string {
  return DESCRIPTIONS[mode];
}

/** A `--tta` flag's value, or a clear error naming the flag and the choices. */
export function parseTestTimeAugmentation(value: string, flag = "--tta"): TestTimeAugmentation {
  const mode = TEST_TIME_AUGMENTATION_MODES.find((m) => m === value);
  if (!mode) throw new Error(`${flag} must be one of ${TEST_TIME_AUGMENTATION_MODES.join(", ")}`);
  return mode;
}
