"use client";

import { useCallback } from "react";
import type { ChartConfiguration } from "chart.js";
// The training loop's epoch record as stored (a type only: nothing of training/ reaches the browser).
import type { EpochPoint } from "./api-types";
import { Chart, type ChartTheme } from "./chart";
import { epochAxis, lastValues } from "./chart-data";
import styles from "./epoch-charts.module.css";

interface Curve {
  name: string;
  points: { x: number; y: number | null }[];
}

/** Loss and accuracy per epoch side by side, training against validation, over the epochs actually run. */
export function EpochCharts({ epochs }: { epochs: readonly EpochPoint[] }) {
  const loss: Curve[] = [
    { name: "Training loss", points: epochs.map((e) => ({ x: e.epoch, y: e.loss })) },
    { name: "Validation loss", points: epochs.map((e) => ({ x: e.epoch, y: e.valLoss })) },
  ];
  const accuracy: Curve[] = [
    { name: "Training accuracy", points: epochs.map((e) => ({ x: e.epoch, y: e.acc })) },
    { name: "Validation accuracy", points: epochs.map((e) => ({ x: e.epoch, y: e.valAcc })) },
  ];
  return (
    <div className={styles.chartPair}>
      <div>
        <h3 className="small-heading">Loss</h3>
        <EpochChart title="Loss per epoch" curves={loss} formatY={(y) => y.toFixed(2)} testId="loss-chart" />
      </div>
      <div>
        <h3 className="small-heading">Accuracy</h3>
        <EpochChart
          title="Accuracy per epoch"
          curves={accuracy}
          formatY={(y) => `${Math.round(y * 100)}%`}
          yRange={[0, 1]}
          testId="accuracy-chart"
        />
      </div>
    </div>
  );
}

function EpochChart({
  title,
  curves,
  formatY,
  yRange,
  testId,
}: {
  title: string;
  curves: Curve[];
  formatY: (y: number) => string;
  yRange?: [number, number];
  testId: string;
}) {
  // A measure never taken (no validation split) is not drawn at all.
  const drawn = curves.filter((c) => c.points.some((p) => p.y !== null && Number.isFinite(p.y)));
  const xs = [...new Set(drawn.flatMap((c) => c.points.map((p) => p.x)))].sort((a, b) => a - b);
  const key = JSON.stringify(drawn);
  const config = useCallback(
    (theme: ChartTheme): ChartConfiguration<"line"> => {
      const axis = epochAxis(xs);
      return {
        type: "line",
        data: {
          datasets: drawn.map((c, i) => ({
            label: c.name,
            data: c.points,
            borderColor: theme.series[i],
            backgroundColor: theme.series[i],
            borderDash: i ? [6, 4] : undefined,
            borderWidth: 2,
            pointRadius: 3,
            spanGaps: false,
          })),
        },
        options: {
          parsing: false,
          scales: {
            x: {
              type: "linear",
              min: axis.min,
              max: axis.max,
              title: { display: true, text: "Epoch", color: theme.muted },
              ticks: { stepSize: 1, precision: 0, color: theme.muted },
              grid: { color: theme.grid },
            },
            y: {
              ...(yRange ? { min: yRange[0], max: yRange[1] } : { beginAtZero: true }),
              ticks: { color: theme.muted, callback: (v) => formatY(Number(v)) },
              grid: { color: theme.grid },
            },
          },
          plugins: {
            legend: { position: "bottom", labels: { color: theme.text, boxHeight: 2 } },
            tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${formatY(item.parsed.y ?? 0)}` } },
          },
        },
      };
    },
    // The curves' values (key) and the range decide the drawing; formatY is the caller's fixed format.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [key, yRange?.[0], yRange?.[1]],
  );
  const last = lastValues(drawn, formatY);
  return (
    <Chart
      config={config}
      height={220}
      testId={testId}
      label={last ? `${title}, ${xs.length} epochs: ${last.text} at epoch ${last.x}.` : `${title}: no points yet.`}
      table={{
        caption: title,
        columns: ["Epoch", ...drawn.map((c) => c.name)],
        rows: xs.map((x) => ({
          head: String(x),
          cells: drawn.map((c) => {
            const y = c.points.find((p) => p.x === x)?.y ?? null;
            return y !== null ? formatY(y) : "—";
          }),
        })),
      }}
    />
  );
}
