import type { TrainingJobDetail } from "../../_components/api-types";
import { EpochCharts } from "../../_components/epoch-charts";
import { isJobLive } from "../../_components/status-badge";

export function JobCurves({ job, plannedEpochs }: { job: TrainingJobDetail; plannedEpochs: number }) {
  const curves = job.curves ?? [];
  const hasVal = curves.some((c) => c.valLoss !== null);
  return (
    <section
      className="card chart-container"
      aria-labelledby="curves-heading"
      data-testid="job-curves"
      data-epochs={curves.length}
    >
      <h2 id="curves-heading">Loss and accuracy</h2>
      {curves.length === 0 ? (
        <p className="empty-inline">
          {isJobLive(job.status)
            ? "The curves appear when the first epoch ends."
            : "No epoch finished, so there are no curves."}
        </p>
      ) : (
        <>
          <p className="muted small">
            One point per finished epoch
            {hasVal
              ? "; validation is a slice of the replayed training data."
              : "; no validation split (no replay data for this model)."}
          </p>
          <EpochCharts epochs={curves} xMax={plannedEpochs} />
        </>
      )}
    </section>
  );
}
