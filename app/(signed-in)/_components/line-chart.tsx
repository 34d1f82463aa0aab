import { useId } from "react";
import styles from "./line-chart.module.css";

const variantClass = { primary: styles.isPrimary, secondary: styles.isSecondary };

export interface ChartSeries {
  name: string;
  /** A null y leaves a gap (a measure that was not taken that epoch). */
  points: { x: number; y: number | null }[];
  /** Primary: solid line in the accent colour; secondary: dashed, second colour. */
  variant: "primary" | "secondary";
}

interface Props {
  /** Names the chart for assistive technology; the visible heading is the caller's. */
  title: string;
  series: ChartSeries[];
  xLabel: string;
  /** The x axis runs from 1 to at least this (the planned epochs), so lines grow into a fixed frame. */
  xMax?: number;
  /** Fixed y range (accuracy: [0, 1]); otherwise from 0 to a little above the largest value. */
  yDomain?: [number, number];
  formatY: (y: number) => string;
  formatX?: (x: number) => string;
}

const W = 560;
const H = 240;
const M = { top: 14, right: 18, bottom: 40, left: 52 };

/** Round tick values covering [min, max]: steps of 1, 2 or 5 × 10ⁿ. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/**
 * A small line chart drawn as inline SVG: no chart library, crisp at any size, themed by CSS
 * variables so it follows light and dark mode. The numbers are also available as a table.
 */
export function LineChart({ title, series, xLabel, xMax = 1, yDomain, formatY, formatX = String }: Props) {
  const id = useId();
  const drawn = series.filter((s) => s.points.some((p) => p.y !== null && Number.isFinite(p.y)));
  const xs = drawn.flatMap((s) => s.points.map((p) => p.x));
  const ys = drawn.flatMap((s) => s.points.flatMap((p) => (p.y !== null && Number.isFinite(p.y) ? [p.y] : [])));
  // Epochs count from 1; a one-epoch run gets half an epoch of room either side of its point.
  const lastX = Math.max(xMax, ...xs, 1);
  const x0 = lastX > 1 ? 1 : 0.5;
  const x1 = lastX > 1 ? lastX : 1.5;
  const [y0, y1raw] = yDomain ?? [0, Math.max(...ys, 1e-6) * 1.1];
  const yTicks = niceTicks(y0, y1raw);
  const y1 = yDomain ? y1raw : Math.max(y1raw, yTicks[yTicks.length - 1] ?? y1raw);

  const px = (x: number) => M.left + ((x - x0) / (x1 - x0)) * (W - M.left - M.right);
  const py = (y: number) => H - M.bottom - ((y - y0) / (y1 - y0 || 1)) * (H - M.top - M.bottom);
  // Integer epochs only, thinned so labels never collide.
  const every = Math.max(1, Math.ceil(x1 / 10));
  const xTicks: number[] = [];
  for (let x = 1; x <= x1; x += every) xTicks.push(x);

  const paths = drawn.map((s) => {
    let d = "";
    let pen = false;
    for (const p of s.points) {
      if (p.y === null || !Number.isFinite(p.y)) {
        pen = false;
        continue;
      }
      d += `${pen ? "L" : "M"}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`;
      pen = true;
    }
    return { s, d };
  });

  const summary = drawn
    .map((s) => {
      const last = [...s.points].reverse().find((p) => p.y !== null);
      return last && last.y !== null
        ? `${s.name}: ${formatY(last.y)} at ${xLabel.toLowerCase()} ${formatX(last.x)}`
        : null;
    })
    .filter(Boolean)
    .join("; ");
  const rowsX = [...new Set(xs)].sort((a, b) => a - b);

  return (
    <figure className={styles.chart}>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        className={styles.chartSvg}
        role="img"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-desc`}
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{summary || "No points yet."}</desc>
        {yTicks.map((t) => (
          <g key={t}>
            <line className={styles.chartGrid} x1={M.left} x2={W - M.right} y1={py(t)} y2={py(t)} />
            <text className={styles.chartTick} x={M.left - 8} y={py(t)} textAnchor="end" dominantBaseline="middle">
              {formatY(t)}
            </text>
          </g>
        ))}
        <line className={styles.chartAxis} x1={M.left} x2={W - M.right} y1={H - M.bottom} y2={H - M.bottom} />
        {xTicks.map((t) => (
          <text key={t} className={styles.chartTick} x={px(t)} y={H - M.bottom + 16} textAnchor="middle">
            {formatX(t)}
          </text>
        ))}
        <text className={styles.chartAxisLabel} x={(M.left + W - M.right) / 2} y={H - 4} textAnchor="middle">
          {xLabel}
        </text>
        {paths.map(({ s, d }) => (
          <g key={s.name} className={`${styles.chartSeries} ${variantClass[s.variant]}`}>
            <path className={styles.chartLine} d={d} />
            {s.points.map((p) =>
              p.y !== null && Number.isFinite(p.y) ? (
                <circle key={p.x} className={styles.chartPoint} cx={px(p.x)} cy={py(p.y)} r={3.5} />
              ) : null,
            )}
          </g>
        ))}
      </svg>
      {drawn.length > 0 ? (
        <figcaption className={styles.chartLegend}>
          {drawn.map((s) => (
            <span key={s.name} className={`${styles.chartKey} ${variantClass[s.variant]}`}>
              <span className={styles.chartSwatch} aria-hidden="true" />
              {s.name}
            </span>
          ))}
        </figcaption>
      ) : null}
      {rowsX.length > 0 ? (
        <details className={styles.chartData}>
          <summary>Show the numbers</summary>
          <table className="table table-compact">
            <caption className="sr-only">{title}</caption>
            <thead>
              <tr>
                <th scope="col">{xLabel}</th>
                {drawn.map((s) => (
                  <th key={s.name} scope="col" className="num">
                    {s.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rowsX.map((x) => (
                <tr key={x}>
                  <th scope="row">{formatX(x)}</th>
                  {drawn.map((s) => {
                    const y = s.points.find((p) => p.x === x)?.y ?? null;
                    return (
                      <td key={s.name} className="num">
                        {y !== null ? formatY(y) : "—"}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
    </figure>
  );
}
