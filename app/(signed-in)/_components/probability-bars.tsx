import { EMOTION_LABELS } from "@/lib/model/labels";
import { formatPercent } from "./format";
import type { Probabilities } from "./api-types";
import styles from "./probability-bars.module.css";

interface Props {
  probabilities: Probabilities;
  predicted: string;
  /** Show the 1–7 key next to each class (the review page, where digits answer). */
  showKeys?: boolean;
}

/** One bar per class in the fixed label order, so the digit keys line up with the rows. */
export function ProbabilityBars({ probabilities, predicted, showKeys = false }: Props) {
  return (
    <ol
      className={showKeys ? `${styles.probBars} ${styles.hasKeys}` : styles.probBars}
      aria-label="Probability per emotion"
    >
      {EMOTION_LABELS.map((label, i) => {
        const p = probabilities[label] ?? 0;
        const isPredicted = label === predicted;
        return (
          <li key={label} className={isPredicted ? `${styles.probRow} ${styles.isPredicted}` : styles.probRow}>
            {showKeys ? (
              <span className="prob-key" aria-hidden="true">
                <kbd>{i + 1}</kbd>
              </span>
            ) : null}
            <span className={styles.probLabel}>
              {label}
              {isPredicted ? <span className="sr-only"> (predicted)</span> : null}
            </span>
            <span className={styles.probTrack} aria-hidden="true">
              <span className={styles.probFill} style={{ width: `${(p * 100).toFixed(1)}%` }} />
            </span>
            <span className={styles.probValue}>{formatPercent(p)}</span>
          </li>
        );
      })}
    </ol>
  );
}
