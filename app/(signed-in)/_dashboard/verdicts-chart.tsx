"use client";

import { useCallback } from "react";
import type { ChartConfiguration } from "chart.js";
import type { DashboardStats } from "../_components/api-types";
import { Chart, type ChartTheme } from "../_components/chart";
import { shortDay, stackTotals } from "../_components/chart-data";

type Reviewer = DashboardStats["verdicts"]["reviewers"][number];

/** Verdicts per day, one stacked colour per reviewer (a reviewer sees their own series alone). */
export function VerdictsChart({ days, reviewers }: { days: string[]; reviewers: Reviewer[] }) {
  const key = JSON.stringify([days, reviewers]);
  const name = (r: Reviewer) => r.name ?? r.email;
  const config = useCallback(
    (theme: ChartTheme): ChartConfiguration<"bar"> => ({
      type: "bar",
      data: {
        labels: days.map(shortDay),
        datasets: reviewers.map((r, i) => ({
          label: name(r),
          data: r.per_day,
          backgroundColor: theme.series[i % theme.series.length],
          borderWidth: 0,
          stack: "verdicts",
        })),
      },
      options: {
        scales: {
          x: {
            stacked: true,
            ticks: { color: theme.muted, maxTicksLimit: 8, maxRotation: 0 },
            grid: { display: false },
          },
          y: {
            stacked: true,
            beginAtZero: true,
            ticks: { color: theme.muted, precision: 0 },
            grid: { color: theme.grid },
          },
        },
        plugins: {
          legend: { display: reviewers.length > 1, position: "bottom", labels: { color: theme.text, boxWidth: 12 } },
        },
      },
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [key],
  );
  const totals = stackTotals(reviewers.map((r) => r.per_day));
  const sum = totals.reduce((a, b) => a + b, 0);
  const busiest = Math.max(0, ...totals);
  const who = reviewers.length === 1 ? `by ${name(reviewers[0]!)}` : `by ${reviewers.length} reviewers`;
  return (
    <Chart
      config={config}
      height={200}
      testId="verdicts-chart"
      label={`Verdicts per day over the last ${days.length} days ${who}: ${sum.toLocaleString("en")} in all, at most ${busiest.toLocaleString("en")} a day, ${(totals[totals.length - 1] ?? 0).toLocaleString("en")} today.`}
      table={{
        caption: "Verdicts per day (UTC)",
        columns: ["Day", ...reviewers.map(name), ...(reviewers.length > 1 ? ["All"] : [])],
        rows: days.map((d, i) => ({
          head: d,
          cells: [
            ...reviewers.map((r) => String(r.per_day[i] ?? 0)),
            ...(reviewers.length > 1 ? [String(totals[i] ?? 0)] : []),
          ],
        })),
      }}
    />
  );
}
