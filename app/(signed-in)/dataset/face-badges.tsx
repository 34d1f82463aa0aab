import { labelText } from "../_components/verdict-names";
import styles from "./dataset.module.css";

const stateText: Record<string, string> = {
  open: "Open",
  agreed: "Agreed",
  conflict: "Conflict",
  adjudicated: "Adjudicated",
};
const stateClass: Record<string, string | undefined> = {
  open: styles.stateOpen,
  agreed: styles.stateAgreed,
  conflict: styles.stateConflict,
  adjudicated: styles.stateAdjudicated,
};

/** Where a face's review stands: "Agreed · sad", "Conflict", "Open". */
export function ConsensusBadge({ state, label }: { state: string; label: string | null }) {
  return (
    <span className={`${styles.stateChip} ${stateClass[state] ?? ""}`} data-state={state}>
      {stateText[state] ?? state}
      {label && state !== "open" && state !== "conflict" ? <span> · {labelText(label)}</span> : null}
    </span>
  );
}

export const flagText: Record<string, string> = {
  suspect: "Suspect",
  disputed: "Disputed",
};

/** What each flag means, for a title and for screen readers. */
export const flagHelp: Record<string, string> = {
  suspect: "the model gave the reviewers’ label a very low probability while confident in another",
  disputed: "reviewers gave more than one label",
};

export function FlagChips({ flags }: { flags: readonly string[] }) {
  if (flags.length === 0) return null;
  return (
    <>
      {flags.map((f) => (
        <span key={f} className={styles.flagChip} title={flagHelp[f]} data-flag={f}>
          {flagText[f] ?? f}
        </span>
      ))}
    </>
  );
}

/** The golden-set mark: a star that is not the only sign (it says "Golden" too). */
export function GoldenMark({ compact = false }: { compact?: boolean }) {
  return (
    <span className={styles.goldenMark} data-testid="golden-mark" title="In the golden set">
      <span aria-hidden="true">★</span>
      {compact ? <span className="sr-only">In the golden set</span> : " Golden"}
    </span>
  );
}

export function ExcludedMark() {
  return (
    <span className={styles.excludedMark} data-testid="excluded-mark" title="Left out of training">
      Excluded
    </span>
  );
}
