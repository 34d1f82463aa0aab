"use client";

import { useCallback } from "react";
import type { ChartConfiguration } from "chart.js";
import type { DashboardStats } from "../_components/api-types";
import { Chart, type ChartTheme } from "../_components/chart";
import { shortDay, withAlpha } from "../_components/chart-data";

/** Faces in the queue at the end of each of the last 30 days. */
export function QueueChart({ days, burnDown }: { days: string[]; burnDown: DashboardStats["queue"]["burn_down"] }) {
  const key = JSON.stringify([days, burnDown]);
  const config = useCallback(
    (theme: ChartTheme): ChartConfiguration<"line"> => ({
      type: "line",
      data: {
        labels: days.map(shortDay),
        datasets: [
          {
            label: "Faces in the queue",
            data: burnDown,
            borderColor: theme.series[0],
            backgroundColor: withAlpha(theme.series[0] ?? "", 0.14),
            fill: "origin",
            borderWidth: 2,
            pointRadius: 0,
            pointHitRadius: 8,
          },
        ],
      },
      options: {
        scales: {
          x: { ticks: { color: theme.muted, maxTicksLimit: 8, maxRotation: 0 }, grid: { display: false } },
          y: { beginAtZero: true, ticks: { color: theme.muted, precision: 0 }, grid: { color: theme.grid } },
        },
        plugins: { legend: { display: false } },
      },
    }),
    // days and burnDown are read through key.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [key],
  );
  const first = burnDown[0] ?? 0;
  const last = burnDown[burnDown.length - 1] ?? 0;
  return (
    <Chart
      config={config}
      height={200}
      testId="queue-chart"
      label={`Faces in the review queue over the last ${days.length} days: ${first.toLocaleString("en")} on ${shortDay(days[0] ?? "")}, ${last.toLocaleString("en")} now.`}
      table={{
        caption: "Faces in the queue at the end of each day (UTC)",
        columns: ["Day", "Faces in the queue"],
        rows: days.map((d, i) => ({ head: d, cells: [(burnDown[i] ?? 0).toLocaleString("en")] })),
      }}
    />
  );
}
