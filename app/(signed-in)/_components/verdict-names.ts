import type { Verdict } from "./api-types";

/** How each verdict reads on screen. */
export const verdictNames: Record<Verdict, string> = {
  correct: "Correct",
  incorrect: "Incorrect",
  not_a_face: "Not a face",
  unsure: "Can’t tell",
};

/** A label a verdict or a decision gives a face, readable: "not_a_face" → "not a face". */
export function labelText(label: string): string {
  if (label === "not_a_face") return "not a face";
  if (label === "unsure") return "can’t tell";
  return label;
}

/** The same, to start a line or a button: "Not a face", "Happy". */
export function labelTitle(label: string): string {
  const text = labelText(label);
  return text.charAt(0).toUpperCase() + text.slice(1);
}
