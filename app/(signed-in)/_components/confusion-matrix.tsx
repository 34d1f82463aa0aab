import { capitalize, formatDelta } from "./format";
import styles from "./confusion-matrix.module.css";

interface Props {
  labels: readonly string[];
  /** matrix[true][predicted], in label order. */
  matrix: number[][];
  /** "difference": a candidate − active matrix, coloured by whether each change helps. */
  mode: "counts" | "difference";
  caption: string;
  /** What the rows and the columns are: "true" and "predicted" for a model. */
  axes?: { rows: string; columns: string };
  /** A label as the row headers and cell titles read it (default: as given). */
  labelName?: (label: string) => string;
  /** A label's column heading, kept short (default: its first three letters). */
  shortLabel?: (label: string) => string;
}

const defaultAxes = { rows: "true", columns: "predicted" };

/**
 * A confusion matrix as a real table (row = true emotion, column = predicted, or the `axes` given),
 * shaded by share of the row. In a difference matrix, more on the diagonal or fewer off it is better
 * (green); the opposite is worse (red), whatever the sign.
 */
export function ConfusionMatrix({
  labels,
  matrix,
  mode,
  caption,
  axes = defaultAxes,
  labelName = (l) => l,
  shortLabel = (l) => l.slice(0, 3),
}: Props) {
  const maxAbs = Math.max(1, ...matrix.flat().map(Math.abs));
  return (
    <div className="table-wrap">
      <table
        className={mode === "difference" ? `${styles.confusion} ${styles.isDifference}` : styles.confusion}
        data-testid={`confusion-${mode}`}
      >
        <caption>{caption}</caption>
        <thead>
          <tr>
            <td className={styles.confusionCorner}>
              <span aria-hidden="true">
                {axes.rows} ↓ {axes.columns} →
              </span>
            </td>
            {labels.map((l) => (
              <th key={l} scope="col">
                <abbr title={capitalize(labelName(l))}>{shortLabel(l)}</abbr>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {labels.map((trueLabel, i) => {
            const row = matrix[i] ?? [];
            const total = row.reduce((a, b) => a + b, 0);
            return (
              <tr key={trueLabel}>
                <th scope="row">{capitalize(labelName(trueLabel))}</th>
                {labels.map((predLabel, j) => {
                  const v = row[j] ?? 0;
                  if (mode === "counts") {
                    const share = total ? v / total : 0;
                    const strength = Math.round(share * 85);
                    return (
                      <td
                        key={predLabel}
                        className={classes(
                          i === j && styles.isDiagonal,
                          strength > 45 && styles.isStrong,
                          v === 0 && styles.isZero,
                        )}
                        style={
                          v ? { background: `color-mix(in srgb, var(--accent) ${strength}%, transparent)` } : undefined
                        }
                        title={`${capitalize(axes.rows)} ${labelName(trueLabel)}, ${axes.columns} ${labelName(predLabel)}: ${v} of ${total}`}
                      >
                        {v}
                      </td>
                    );
                  }
                  const better = i === j ? v > 0 : v < 0;
                  // At most 55 % of the colour: dark text on the strongest red still has 4.5:1.
                  const strength = Math.round((Math.abs(v) / maxAbs) * 55);
                  return (
                    <td
                      key={predLabel}
                      className={classes(
                        i === j && styles.isDiagonal,
                        v === 0 ? styles.isZero : better ? styles.isBetter : styles.isWorse,
                      )}
                      style={
                        v
                          ? {
                              background: `color-mix(in srgb, var(${better ? "--ok" : "--bad"}) ${strength}%, transparent)`,
                            }
                          : undefined
                      }
                      title={`${capitalize(axes.rows)} ${labelName(trueLabel)}, ${axes.columns} ${labelName(predLabel)}: ${formatDelta(v, "count")}${v ? (better ? " (better)" : " (worse)") : ""}`}
                    >
                      {v === 0 ? "0" : formatDelta(v, "count")}
                      {v ? <span className="sr-only">{better ? " better" : " worse"}</span> : null}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** The class names that apply, space-separated. */
function classes(...names: (string | false | undefined)[]): string {
  return names.filter(Boolean).join(" ");
}
