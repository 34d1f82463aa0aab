"use client";

import { useEffect, useRef, useState } from "react";
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart as ChartJs,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type ChartType,
} from "chart.js";
import styles from "./chart.module.css";

// Only what the app draws (lines, bars, their scales, legend and tooltips): chart.js is tree-shaken.
ChartJs.register(
  BarController,
  BarElement,
  CategoryScale,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);

/** The page's colours as the chart should use them, read from CSS variables (light or dark). */
export interface ChartTheme {
  text: string;
  muted: string;
  grid: string;
  /** Series colours in order: the first is the accent. */
  series: string[];
  ok: string;
  bad: string;
  warn: string;
  font: string;
}

const SERIES_VARIABLES = ["--series-1", "--series-2", "--series-3", "--series-4", "--series-5", "--series-6"];

function readTheme(el: HTMLElement): ChartTheme {
  const css = getComputedStyle(el);
  const v = (name: string) => css.getPropertyValue(name).trim();
  return {
    text: v("--text"),
    muted: v("--muted"),
    grid: v("--border"),
    series: SERIES_VARIABLES.map(v),
    ok: v("--ok"),
    bad: v("--bad"),
    warn: v("--warn"),
    font: v("--font"),
  };
}

export interface ChartTable {
  caption: string;
  /** The first column heads the rows (e.g. "Day"); the others are the series. */
  columns: string[];
  rows: { head: string; cells: string[] }[];
}

interface Props<T extends ChartType> {
  /**
   * The chart for a theme. Called again when the colour scheme changes; a new function (new data)
   * draws the chart anew, so callers keep it stable with useCallback while the data are the same.
   */
  config: (theme: ChartTheme) => ChartConfiguration<T>;
  /** What the chart shows and its key figures, for people who cannot see it. */
  label: string;
  /** The numbers behind the chart, a table a click away (and for screen readers). */
  table: ChartTable;
  /** Height of the drawing in CSS pixels; the width follows the container. */
  height?: number;
  testId?: string;
}

/**
 * A chart.js chart as a React component: the Chart is made in an effect and destroyed with it (a new
 * config, a new colour scheme, unmounting). The canvas is an image with a summary for assistive
 * technology, and the data are a real table under "Show the numbers".
 */
export function Chart<T extends ChartType>({ config, label, table, height = 240, testId }: Props<T>) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const scheme = useColorScheme();

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const theme = readTheme(el);
    const c = config(theme);
    const chart = new ChartJs(el, {
      ...c,
      options: {
        responsive: true,
        maintainAspectRatio: false,
        // Redrawn with fresh data rather than animated: nothing moves for people who asked for less motion.
        animation: false,
        color: theme.text,
        font: { family: theme.font },
        ...c.options,
      },
    } as ChartConfiguration<T>);
    return () => chart.destroy();
  }, [config, scheme]);

  return (
    <figure className={styles.chart} data-testid={testId}>
      <div className={styles.canvasBox} style={{ height }}>
        <canvas ref={canvas} role="img" aria-label={label} />
      </div>
      {table.rows.length > 0 ? (
        <details className={styles.data}>
          <summary>Show the numbers</summary>
          <div className="table-wrap">
            <table className="table table-compact">
              <caption className="sr-only">{table.caption}</caption>
              <thead>
                <tr>
                  {table.columns.map((c, i) => (
                    <th key={c} scope="col" className={i ? "num" : undefined}>
                      {c}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {table.rows.map((r) => (
                  <tr key={r.head}>
                    <th scope="row">{r.head}</th>
                    {r.cells.map((cell, i) => (
                      <td key={table.columns[i + 1] ?? i} className="num">
                        {cell}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      ) : null}
    </figure>
  );
}

/** "light" or "dark", following the system setting as it changes. */
function useColorScheme(): "light" | "dark" {
  const [scheme, setScheme] = useState<"light" | "dark">("light");
  useEffect(() => {
    const query = window.matchMedia("(prefers-color-scheme: dark)");
    const update = () => setScheme(query.matches ? "dark" : "light");
    update();
    query.addEventListener("change", update);
    return () => query.removeEventListener("change", update);
  }, []);
  return scheme;
}
