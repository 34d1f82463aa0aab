import { EpochCharts } from "../../_components/epoch-charts";
import { formatDuration, plural } from "../../_components/format";
import type { TrainedMetrics } from "../metrics";

export function TrainingCurves({ training }: { training: NonNullable<TrainedMetrics["training"]> }) {
  const epochs = training.epochs;
  const hasVal = epochs.some((e) => e.valLoss !== null);
  return (
    <section className="card chart-container" aria-labelledby="curves-heading">
      <h2 id="curves-heading">Training curves</h2>
      <p className="muted small">
        {plural(epochs.length, "epoch")}
        {training.durationSeconds !== null ? ` in ${formatDuration(training.durationSeconds)}` : ""}
        {training.backend ? ` on ${training.backend}` : ""}
        {hasVal ? "" : " · no validation split (no replay data)"}
      </p>
      <EpochCharts epochs={epochs} />
    </section>
  );
}
