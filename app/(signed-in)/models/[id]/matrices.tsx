import { confusionDifference, type SetComparison } from "../compare";
import { ConfusionMatrix } from "../confusion-matrix";

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
    <div className="matrices">
      <p className="muted small">Rows are the true emotion, columns the prediction; the diagonal is right.</p>
      <div className="matrices-grid">
        {mine ? <ConfusionMatrix labels={labels} matrix={mine} mode="counts" caption={`${targetHeading}, ${where}`} /> : null}
        {theirs ? <ConfusionMatrix labels={labels} matrix={theirs} mode="counts" caption={`${otherHeading}, ${where}`} /> : null}
        {difference ? (
          <ConfusionMatrix labels={labels} matrix={difference} mode="difference" caption={`Difference: ${targetHeading} − ${otherHeading}`} />
        ) : null}
      </div>
      {difference ? (
        <>
          <p className="matrix-legend small">
            <span className="legend-swatch is-better" aria-hidden="true" /> better (more right, or fewer of that mistake)
            <span className="legend-swatch is-worse" aria-hidden="true" /> worse
          </p>
        </>
      ) : mine && theirs ? (
        <p className="muted small">No difference matrix: the two were measured on different faces.</p>
      ) : null}
    </div>
  );
}
