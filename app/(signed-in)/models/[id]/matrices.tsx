import { confusionDifference, type SetComparison } from "../compare";
import { ConfusionMatrix } from "../../_components/confusion-matrix";
import styles from "./matrices.module.css";

export function Matrices({
  set,
  labels,
  targetHeading,
  otherHeading,
  sameData,
}: {
  set: SetComparison;
  labels: readonly string[];
  targetHeading: string;
  otherHeading: string;
  sameData: boolean;
}) {
  const mine = set.target?.full?.confusion;
  const theirs = set.other?.full?.confusion;
  const difference = sameData ? confusionDifference(mine, theirs) : null;
  const where = set.key === "golden" ? "golden set" : "held-out slice";
  return (
    <div className={styles.matrices}>
      <p className="muted small">Rows are the true emotion, columns the prediction; the diagonal is right.</p>
      <div className={styles.matricesGrid}>
        {mine ? (
          <ConfusionMatrix labels={labels} matrix={mine} mode="counts" caption={`${targetHeading}, ${where}`} />
        ) : null}
        {theirs ? (
          <ConfusionMatrix labels={labels} matrix={theirs} mode="counts" caption={`${otherHeading}, ${where}`} />
        ) : null}
        {difference ? (
          <ConfusionMatrix
            labels={labels}
            matrix={difference}
            mode="difference"
            caption={`Difference: ${targetHeading} − ${otherHeading}`}
          />
        ) : null}
      </div>
      {difference ? (
        <>
          <p className={`${styles.matrixLegend} small`}>
            <span className={`${styles.legendSwatch} ${styles.isBetter}`} aria-hidden="true" /> better (more right, or
            fewer of that mistake)
            <span className={`${styles.legendSwatch} ${styles.isWorse}`} aria-hidden="true" /> worse
          </p>
        </>
      ) : mine && theirs ? (
        <p className="muted small">No difference matrix: the two were measured on different faces.</p>
      ) : null}
    </div>
  );
}
