import { capitalize, formatDelta } from "../_components/format";

interface Props {
  labels: readonly string[];
  /** matrix[true][predicted], in label order. */
  matrix: number[][];
  /** "difference": a candidate − active matrix, coloured by whether each change helps. */
  mode: "counts" | "difference";
  caption: string;
}

/**
 * A confusion matrix as a real table (row = true emotion, column = predicted), shaded by share of
 * the row. In a difference matrix, more on the diagonal or fewer off it is better (green);
 * the opposite is worse (red), whatever the sign.
 */
export function ConfusionMatrix({ labels, matrix, mode, caption }: Props) {
  const maxAbs = Math.max(1, ...matrix.flat().map(Math.abs));
  return (
    <div className="table-wrap">
      <table className={`confusion is-${mode}`} data-testid={`confusion-${mode}`}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <td className="confusion-corner">
              <span aria-hidden="true">true ↓ predicted →</span>
            </td>
            {labels.map((l) => (
              <th key={l} scope="col">
                <abbr title={capitalize(l)}>{l.slice(0, 3)}</abbr>
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
                <th scope="row">{trueLabel}</th>
                {labels.map((predLabel, j) => {
                  const v = row[j] ?? 0;
                  if (mode === "counts") {
                    const share = total ? v / total : 0;
                    const strength = Math.round(share * 85);
                    return (
                      <td
                        key={predLabel}
                        className={`${i === j ? "is-diagonal" : ""}${strength > 45 ? " is-strong" : ""}${v === 0 ? " is-zero" : ""}`}
                        style={v ? { background: `color-mix(in srgb, var(--accent) ${strength}%, transparent)` } : undefined}
                        title={`True ${trueLabel}, predicted ${predLabel}: ${v} of ${total}`}
                      >
                        {v}
                      </td>
                    );
                  }
                  const better = i === j ? v > 0 : v < 0;
                  const strength = Math.round((Math.abs(v) / maxAbs) * 70);
                  return (
                    <td
                      key={predLabel}
                      className={`${i === j ? "is-diagonal" : ""}${v === 0 ? " is-zero" : better ? " is-better" : " is-worse"}`}
                      style={v ? { background: `color-mix(in srgb, var(${better ? "--ok" : "--bad"}) ${strength}%, transparent)` } : undefined}
                      title={`True ${trueLabel}, predicted ${predLabel}: ${formatDelta(v, "count")}${v ? (better ? " (better)" : " (worse)") : ""}`}
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
