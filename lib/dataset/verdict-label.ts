/** Answers that are not an emotion: counted, shown, never trained on. */
export const NOT_A_FACE = "not_a_face";
export const UNSURE = "unsure";
export const NON_EMOTION_LABELS: readonly string[] = [NOT_A_FACE, UNSURE];

/**
 * The label a verdict gives its face: a confirmed prediction keeps the predicted label, a corrected
 * one takes the reviewer's (the predicted one if a corrected verdict somehow lacks it), and "not a
 * face" / "can't tell" give "not_a_face" / "unsure". Training, the golden set, the export and the
 * database's consensus (refresh_face_state) all read labels through this one rule.
 */
export function verdictLabel(
  review: { verdict: string; correctedLabel: string | null },
  predictedLabel: string,
): string {
  switch (review.verdict) {
    case "CORRECT":
      return predictedLabel;
    case "NOT_A_FACE":
      return NOT_A_FACE;
    case "UNSURE":
      return UNSURE;
    default:
      return review.correctedLabel ?? predictedLabel;
  }
}

export function isEmotionLabel(label: string): boolean {
  return !NON_EMOTION_LABELS.includes(label);
}
