"use client";

import { useCallback } from "react";
import type { ChartConfiguration } from "chart.js";
import type { GoldenVersion } from "../_components/api-types";
import { Chart, type ChartTheme } from "../_components/chart";
import { formatAccuracy } from "../_components/format";

const versionName = (v: GoldenVersion) => `v${v.version}`;

/** The 95 % interval, "72.3–88.1 %", or a dash without one. */
export function formatInterval(v: GoldenVersion): string {
  return v.ci_low === null || v.ci_high === null
    ? "—"
    : `${(v.ci_low * 100).toFixed(1)}–${(v.ci_high * 100).toFixed(1)} %`;
}

/**
 * Each version's accuracy on the golden set, oldest version first: a point, and its 95 % Wilson
 * interval as a bar from the low to the high end. Versions that predicted no golden face have neither.
 */
export function GoldenChart({ versions, minN }: { versions: GoldenVersion[]; minN: number }) {
  const key = JSON.stringify(versions);
  const config = useCallback(
    (theme: ChartTheme) =>
      ({
        type: "bar",
        data: {
          labels: versions.map(versionName),
          datasets: [
            {
              type: "bar",
              label: "95 % interval",
              data: versions.map((v) => (v.ci_low === null || v.ci_high === null ? null : [v.ci_low, v.ci_high])),
              // Too few golden faces: the interval is drawn in the warning colour.
              backgroundColor: versions.map((v) => (v.n < minN ? theme.warn : theme.series[0])),
              // An error bar, not a column: thin whatever the number of versions.
              barThickness: 8,
              borderRadius: 3,
              grouped: false,
              order: 2,
            },
            {
              type: "line",
              label: "Accuracy",
              data: versions.map((v) => v.accuracy),
              borderColor: theme.text,
              backgroundColor: theme.text,
              showLine: versions.length > 1,
              borderWidth: 1.5,
              pointRadius: 5,
              pointHoverRadius: 6,
              spanGaps: true,
              // A point at 100 % is drawn whole, not cut by the chart's edge.
              clip: false,
              order: 1,
            },
          ],
        },
        options: {
          layout: { padding: { top: 8 } },
          scales: {
            x: { ticks: { color: theme.muted }, grid: { display: false } },
            y: {
              min: 0,
              max: 1,
              ticks: { color: theme.muted, callback: (v: number | string) => `${Math.round(Number(v) * 100)}%` },
              grid: { color: theme.grid },
            },
          },
          plugins: {
            legend: { position: "bottom", labels: { color: theme.text, boxWidth: 12 } },
            tooltip: {
              callbacks: {
                title: (items: { dataIndex: number }[]) => {
                  const v = versions[items[0]?.dataIndex ?? 0];
                  return v ? `Version ${v.version} (${v.name}), ${v.status.toLowerCase()}` : "";
                },
                label: (item: { dataIndex: number }) => {
                  const v = versions[item.dataIndex];
                  return v && v.accuracy !== null
                    ? `${formatAccuracy(v.accuracy)} of ${v.n} golden faces, 95 % interval ${formatInterval(v)}`
                    : "No golden face predicted";
                },
              },
            },
          },
        },
      }) as unknown as ChartConfiguration<"bar">,
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [key, minN],
  );
  const scored = versions.filter((v) => v.accuracy !== null);
  const summary = scored
    .map((v) => `version ${v.version} ${formatAccuracy(v.accuracy!)} (n = ${v.n}, 95 % interval ${formatInterval(v)})`)
    .join("; ");
  return (
    <Chart
      config={config}
      height={220}
      testId="golden-chart"
      label={`Accuracy on the golden set per model version, oldest first: ${summary || "no version predicted a golden face"}.`}
      table={{
        caption: "Accuracy on the golden set per model version",
        columns: ["Version", "Created", "Golden faces (n)", "Correct", "Accuracy", "95 % interval"],
        rows: versions.map((v) => ({
          head: `${versionName(v)} ${v.name}`,
          cells: [
            v.created_at.slice(0, 10),
            String(v.n),
            String(v.correct),
            v.accuracy === null ? "—" : formatAccuracy(v.accuracy),
            formatInterval(v),
          ],
        })),
      }}
    />
  );
}
