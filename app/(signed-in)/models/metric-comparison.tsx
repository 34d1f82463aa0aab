import { formatAccuracy, formatDelta, formatScore } from "../_components/format";
import { perClassF1, type Comparison, type SetComparison } from "./compare";
import styles from "./metric-comparison.module.css";

/** A difference, green when it is an improvement and red when it is a loss (higher is better here). */
export function Delta({ value, unit }: { value: number | null; unit: "points" | "score" | "count" }) {
  if (value === null) return <span className="muted">—</span>;
  const text = formatDelta(value, unit);
  // The colour follows the sign as shown: a change too small to print ("±0") stays neutral.
  const tone = text.startsWith("+") ? styles.isUp : text.startsWith("−") ? styles.isDown : styles.isFlat;
  return <span className={`${styles.delta} ${tone}`}>{text}</span>;
}

const diff = (a: number | null | undefined, b: number | null | undefined) => (a != null && b != null ? a - b : null);
const show = (x: number | null | undefined, f: (x: number) => string) =>
  x != null ? f(x) : <span className="muted">—</span>;

interface Props {
  comparison: Comparison;
  labels: readonly string[];
  /** Column headings, e.g. "v3 (after)" and "v2 (now)". */
  targetHeading: string;
  otherHeading: string;
  caption: string;
  /** Add the per-class F1 rows of this set (the first set with a full evaluation by default). */
  perClassFrom?: SetComparison["key"] | null;
  /** "per-class": leave out the accuracy and macro-F1 rows (shown as ScoreTiles beside it). */
  include?: "all" | "per-class";
}

/** Accuracy and macro-F1 of every set, then F1 per class: two versions side by side with the change. */
export function MetricComparisonTable({
  comparison,
  labels,
  targetHeading,
  otherHeading,
  caption,
  perClassFrom,
  include = "all",
}: Props) {
  const hasOther = comparison.otherVersion !== null;
  const perClassSet =
    perClassFrom === null
      ? undefined
      : comparison.sets.find((s) => (perClassFrom ? s.key === perClassFrom : s.target?.full || s.other?.full));
  const rows =
    perClassSet && (perClassSet.target?.full || perClassSet.other?.full) ? perClassF1(labels, perClassSet) : [];

  if (comparison.sets.length === 0) return <p className="empty-inline">{comparison.basis}</p>;
  if (include === "per-class" && rows.length === 0)
    return <p className="empty-inline">No per-class figures were stored for these faces.</p>;

  return (
    <div className="table-wrap">
      <table className={`table table-compact ${styles.compareTable}`}>
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{include === "per-class" ? "Emotion" : "Measure"}</th>
            <th scope="col" className="num">
              {targetHeading}
            </th>
            {hasOther ? (
              <>
                <th scope="col" className="num">
                  {otherHeading}
                </th>
                <th scope="col" className="num">
                  Change
                </th>
              </>
            ) : null}
          </tr>
        </thead>
        {(include === "all" ? comparison.sets : []).map((set) => (
          <tbody key={set.key}>
            <tr className={styles.groupRow}>
              <th scope="rowgroup" colSpan={hasOther ? 4 : 2}>
                {set.title}
              </th>
            </tr>
            <tr>
              <th scope="row">Accuracy</th>
              <td className="num">{show(set.target?.accuracy, formatAccuracy)}</td>
              {hasOther ? (
                <>
                  <td className="num">{show(set.other?.accuracy, formatAccuracy)}</td>
                  <td className="num">
                    <Delta value={diff(set.target?.accuracy, set.other?.accuracy)} unit="points" />
                  </td>
                </>
              ) : null}
            </tr>
            <tr>
              <th scope="row">Macro-F1</th>
              <td className="num">{show(set.target?.macroF1, formatScore)}</td>
              {hasOther ? (
                <>
                  <td className="num">{show(set.other?.macroF1, formatScore)}</td>
                  <td className="num">
                    <Delta value={diff(set.target?.macroF1, set.other?.macroF1)} unit="score" />
                  </td>
                </>
              ) : null}
            </tr>
          </tbody>
        ))}
        {rows.length > 0 && perClassSet ? (
          <tbody>
            {include === "all" ? (
              <tr className={styles.groupRow}>
                <th scope="rowgroup" colSpan={hasOther ? 4 : 2}>
                  F1 per class · {perClassSet.key === "golden" ? "golden set" : "held-out slice"}
                </th>
              </tr>
            ) : null}
            {rows.map((r) => (
              <tr key={r.label}>
                <th scope="row" className={styles.cellLabel}>
                  {r.label}
                  {r.support !== null ? <span className="muted small"> (n={r.support})</span> : null}
                </th>
                <td className="num">{show(r.target, formatScore)}</td>
                {hasOther ? (
                  <>
                    <td className="num">{show(r.other, formatScore)}</td>
                    <td className="num">
                      <Delta value={diff(r.target, r.other)} unit="score" />
                    </td>
                  </>
                ) : null}
              </tr>
            ))}
          </tbody>
        ) : null}
      </table>
    </div>
  );
}

/** Accuracy and macro-F1 of each set as large figures, with the other version's value and the change. */
export function ScoreTiles({ comparison, otherHeading }: { comparison: Comparison; otherHeading: string }) {
  return (
    <div className={styles.scoreGroups}>
      {comparison.sets.map((set) => (
        <section key={set.key} className={styles.scoreGroup} aria-label={set.title}>
          <h4 className="small-heading">{set.title}</h4>
          <dl className={styles.scoreTiles}>
            <ScoreTile
              name="Accuracy"
              value={set.target?.accuracy}
              other={set.other?.accuracy}
              otherHeading={otherHeading}
              format={formatAccuracy}
              unit="points"
            />
            <ScoreTile
              name="Macro-F1"
              value={set.target?.macroF1}
              other={set.other?.macroF1}
              otherHeading={otherHeading}
              format={formatScore}
              unit="score"
            />
          </dl>
        </section>
      ))}
    </div>
  );
}

function ScoreTile({
  name,
  value,
  other,
  otherHeading,
  format,
  unit,
}: {
  name: string;
  value: number | null | undefined;
  other: number | null | undefined;
  otherHeading: string;
  format: (x: number) => string;
  unit: "points" | "score";
}) {
  return (
    <div className={styles.scoreTile}>
      <dt>{name}</dt>
      <dd>
        <span className={styles.scoreBig}>{show(value, format)}</span>
        {otherHeading ? (
          <span className={styles.scoreOther}>
            <Delta value={diff(value, other)} unit={unit} />
            <span className="muted small">
              {otherHeading}: {other != null ? format(other) : "—"}
            </span>
          </span>
        ) : null}
      </dd>
    </div>
  );
}
