import { intervalsOverlap } from "@/lib/stats/wilson";
import { formatAccuracy, formatDelta, formatScore } from "../_components/format";
import { perClassF1, uncertaintyOf, type Comparison, type Figures, type SetComparison } from "./compare";
import { intervalText, smallSampleText, testText } from "./figure-text";
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

type Measure = "accuracy" | "macroF1";

/**
 * A figure with what it needs to be read: its 95 % interval when measured on fewer than 100 faces,
 * and, when `withSet`, the faces it was measured on (figures on different faces side by side).
 */
function FigureCell({ figures, measure, withSet }: { figures: Figures | null; measure: Measure; withSet: boolean }) {
  return (
    <>
      {show(figures?.[measure], measure === "accuracy" ? formatAccuracy : formatScore)}
      <FigureNotes figures={figures} measure={measure} withSet={withSet} />
    </>
  );
}

function FigureNotes({ figures, measure, withSet }: { figures: Figures | null; measure: Measure; withSet: boolean }) {
  const u = uncertaintyOf(figures);
  const ci = u?.small ? u[measure] : null;
  return (
    <>
      {ci ? (
        <span className={styles.figureNote} data-testid="figure-interval">
          {intervalText(ci, measure === "accuracy" ? "percent" : "score")}
        </span>
      ) : null}
      {withSet && figures ? (
        <span className={styles.figureNote}>
          {figures.set}
          {figures.n !== null ? `, n = ${figures.n}` : ""}
        </span>
      ) : null}
    </>
  );
}

/** The change between two figures on the same faces, and whether it could be chance. */
function ChangeCell({ set, measure }: { set: SetComparison; measure: Measure }) {
  if (!set.sameFaces) return <span className={styles.figureNote}>not comparable: different faces</span>;
  const value = diff(set.target?.[measure], set.other?.[measure]);
  return (
    <>
      <Delta value={value} unit={measure === "accuracy" ? "points" : "score"} />
      {value !== null ? <ChangeNote set={set} measure={measure} /> : null}
    </>
  );
}

function ChangeNote({ set, measure }: { set: SetComparison; measure: Measure }) {
  if (measure === "accuracy") {
    if (!set.test) return null;
    const t = testText(set.test);
    return (
      <span className={styles.figureNote} data-testid="significance" data-significant={String(t.significant)}>
        {t.text}
      </span>
    );
  }
  // Macro-F1 has no paired test here: on few faces, overlapping intervals say the data cannot tell.
  const a = uncertaintyOf(set.target)?.macroF1;
  const b = uncertaintyOf(set.other)?.macroF1;
  return a && b && intervalsOverlap(a, b) ? (
    <span className={styles.figureNote}>not significant: the intervals overlap</span>
  ) : null;
}

/** The warning of a set whose figures stand on fewer than 100 faces, with how the intervals are made. */
export function SmallSampleNote({ set }: { set: SetComparison }) {
  const sizes = [set.target, set.other]
    .map((f) => uncertaintyOf(f))
    .filter((u) => u?.small)
    .map((u) => u!.n);
  if (sizes.length === 0) return null;
  const n = Math.min(...sizes);
  return (
    <p className={`${styles.smallSample} small`} role="note" data-testid="small-sample">
      <strong>{smallSampleText(n)}.</strong> Intervals are 95 %: Wilson score for accuracy, bootstrap over the confusion
      matrix for macro-F1.
    </p>
  );
}

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
          <tbody key={set.key} data-testid="comparison-set" data-same-faces={String(set.sameFaces)}>
            <tr className={styles.groupRow}>
              <th scope="rowgroup" colSpan={hasOther ? 4 : 2}>
                {set.title}
                <SmallSampleNote set={set} />
              </th>
            </tr>
            {(["accuracy", "macroF1"] as const).map((measure) => (
              <tr key={measure}>
                <th scope="row">{measure === "accuracy" ? "Accuracy" : "Macro-F1"}</th>
                <td className="num">
                  <FigureCell figures={set.target} measure={measure} withSet={!set.sameFaces} />
                </td>
                {hasOther ? (
                  <>
                    <td className="num">
                      <FigureCell figures={set.other} measure={measure} withSet={!set.sameFaces} />
                    </td>
                    <td className="num">
                      <ChangeCell set={set} measure={measure} />
                    </td>
                  </>
                ) : null}
              </tr>
            ))}
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
                      {perClassSet.sameFaces ? (
                        <Delta value={diff(r.target, r.other)} unit="score" />
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                  </>
                ) : null}
              </tr>
            ))}
          </tbody>
        ) : null}
      </table>
      {rows.length > 0 && perClassSet && rows.some((r) => r.support !== null && r.support < 100) ? (
        <p className={`${styles.figureNote} small`}>
          Per-class figures rest on the few faces of each class shown in brackets: read them as hints, not results.
        </p>
      ) : null}
    </div>
  );
}

/** Accuracy and macro-F1 of each set as large figures, with the other version's value and the change. */
export function ScoreTiles({ comparison, otherHeading }: { comparison: Comparison; otherHeading: string }) {
  return (
    <div className={styles.scoreGroups}>
      {comparison.sets.map((set) => (
        <section
          key={set.key}
          className={styles.scoreGroup}
          aria-label={set.title}
          data-testid="score-group"
          data-same-faces={String(set.sameFaces)}
        >
          <h4 className="small-heading">{set.title}</h4>
          <SmallSampleNote set={set} />
          <dl className={styles.scoreTiles}>
            {(["accuracy", "macroF1"] as const).map((measure) => (
              <ScoreTile key={measure} set={set} measure={measure} otherHeading={otherHeading} />
            ))}
          </dl>
        </section>
      ))}
    </div>
  );
}

function ScoreTile({ set, measure, otherHeading }: { set: SetComparison; measure: Measure; otherHeading: string }) {
  const format = measure === "accuracy" ? formatAccuracy : formatScore;
  const other = set.other?.[measure];
  return (
    <div className={styles.scoreTile}>
      <dt>{measure === "accuracy" ? "Accuracy" : "Macro-F1"}</dt>
      <dd>
        <span className={styles.scoreBig}>{show(set.target?.[measure], format)}</span>
        <FigureNotes figures={set.target} measure={measure} withSet={!set.sameFaces} />
        {otherHeading ? (
          <span className={styles.scoreOther}>
            <span className="muted small">
              {otherHeading}: {other != null ? format(other) : "—"}
              {!set.sameFaces && set.other
                ? ` (${set.other.set}${set.other.n !== null ? `, n = ${set.other.n}` : ""})`
                : ""}
            </span>
            <span className={styles.scoreChange}>
              <ChangeCell set={set} measure={measure} />
            </span>
          </span>
        ) : null}
      </dd>
    </div>
  );
}
