/**
 * The label a verdict gives its face: a confirmed prediction keeps the predicted label, a corrected
 * one takes the reviewer's (the predicted one if a corrected verdict somehow lacks it). Training,
 * the golden set and the export all read labels through this one rule.
 */
export function verdictLabel(
  review: { verdict: string; correctedLabel: string | null },
  predictedLabel: string,
): string {
  return review.verdict === "CORRECT" ? predictedLabel : (review.correctedLabel ?? predictedLabel);
}
