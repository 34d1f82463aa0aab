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

/** A verdict as the database stores it (the Verdict enum) and as the API names it. */
export type StoredVerdict = "CORRECT" | "INCORRECT" | "NOT_A_FACE" | "UNSURE";
export type VerdictApiName = "correct" | "incorrect" | "not_a_face" | "unsure";

export const VERDICT_API_NAMES = {
  CORRECT: "correct",
  INCORRECT: "incorrect",
  NOT_A_FACE: "not_a_face",
  UNSURE: "unsure",
} as const satisfies Record<StoredVerdict, VerdictApiName>;

export const STORED_VERDICTS = {
  correct: "CORRECT",
  incorrect: "INCORRECT",
  not_a_face: "NOT_A_FACE",
  unsure: "UNSURE",
} as const satisfies Record<VerdictApiName, StoredVerdict>;

/** A face's flags as the API lists them. */
export function faceFlags(state: { suspect: boolean; disputed: boolean }): ("suspect" | "disputed")[] {
  return [...(state.suspect ? (["suspect"] as const) : []), ...(state.disputed ? (["disputed"] as const) : [])];
}
