import type { Verdict } from "./api-types";
import { verdictNames } from "./verdict-names";

const tone: Record<Verdict, string> = {
  correct: "is-correct",
  incorrect: "is-incorrect",
  not_a_face: "is-not-a-face",
  unsure: "is-unsure",
};

/** A verdict as a coloured badge: green correct, red incorrect, neutral for the two non-answers. */
export function VerdictBadge({ verdict, children }: { verdict: Verdict; children?: React.ReactNode }) {
  return <span className={`verdict-badge ${tone[verdict]}`}>{children ?? verdictNames[verdict]}</span>;
}

export function verdictBadgeClass(verdict: Verdict): string {
  return `verdict-badge ${tone[verdict]}`;
}
