"use client";

import { useCallback } from "react";
import type { ChartConfiguration } from "chart.js";
import type { DashboardStats } from "../_components/api-types";
import { Chart, type ChartTheme } from "../_components/chart";
import { shares } from "../_components/chart-data";
import { formatPercent } from "../_components/format";
import { labelText, labelTitle } from "../_components/verdict-names";

/**
 * The share of each label among decided faces (their consensus) beside its share among the active
 * version's predictions: where the model over- or under-predicts a class.
 */
export function LabelsChart({ labels }: { labels: DashboardStats["labels"] }) {
  const key = JSON.stringify(labels);
  const consensusShare = shares(labels.consensus);
  const predictedShare = shares(labels.predicted);
  const consensusTotal = labels.consensus.reduce((a, b) => a + b, 0);
  const predictedTotal = labels.predicted.reduce((a, b) => a + b, 0);
  const version = labels.model_version ? `version ${labels.model_version.version}` : "no active version";
  const config = useCallback(
    (theme: ChartTheme): ChartConfiguration<"bar"> => ({
      type: "bar",
      data: {
        labels: labels.labels.map(labelTitle),
        datasets: [
          {
            label: `Consensus (${consensusTotal.toLocaleString("en")} faces)`,
            data: consensusShare,
            backgroundColor: theme.series[0],
          },
          {
            label: `Predicted by ${version} (${predictedTotal.toLocaleString("en")})`,
            data: predictedShare,
            backgroundColor: theme.series[1],
          },
        ],
      },
      options: {
        scales: {
          x: { ticks: { color: theme.muted, maxRotation: 0, autoSkip: false }, grid: { display: false } },
          y: {
            beginAtZero: true,
            ticks: { color: theme.muted, callback: (v) => formatPercent(Number(v)) },
            grid: { color: theme.grid },
          },
        },
        plugins: {
          legend: { position: "bottom", labels: { color: theme.text, boxWidth: 12 } },
          tooltip: {
            callbacks: {
              label: (item) => {
                const counts = item.datasetIndex === 0 ? labels.consensus : labels.predicted;
                return `${item.dataset.label}: ${formatPercent(item.parsed.y ?? 0)} (${(counts[item.dataIndex] ?? 0).toLocaleString("en")})`;
              },
            },
          },
        },
      },
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [key],
  );
  const top = (s: number[]) => {
    const i = s.indexOf(Math.max(...s));
    return i >= 0 && s[i]! > 0 ? `${labelText(labels.labels[i]!)} ${formatPercent(s[i]!)}` : "none";
  };
  return (
    <Chart
      config={config}
      height={220}
      testId="labels-chart"
      label={`Share of each label: consensus of ${consensusTotal.toLocaleString("en")} decided faces (most: ${top(consensusShare)}) beside ${predictedTotal.toLocaleString("en")} predictions of ${version} (most: ${top(predictedShare)}).`}
      table={{
        caption: "Faces per label: consensus and the active version's predictions",
        columns: ["Label", "Consensus", "Consensus share", "Predicted", "Predicted share"],
        rows: labels.labels.map((l, i) => ({
          head: labelTitle(l),
          cells: [
            (labels.consensus[i] ?? 0).toLocaleString("en"),
            formatPercent(consensusShare[i] ?? 0),
            (labels.predicted[i] ?? 0).toLocaleString("en"),
            formatPercent(predictedShare[i] ?? 0),
          ],
        })),
      }}
    />
  );
}
