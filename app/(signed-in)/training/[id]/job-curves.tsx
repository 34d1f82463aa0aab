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
              ? "; validation is a tenth of the reviewed faces, and a tenth of the replayed training data when there is any."
              : "; no validation split (too few faces to hold any back)."}
          </p>
          {/* A live job's axis spans the planned epochs; a finished one's, the epochs it ran (early stopping may end it sooner). */}
          <EpochCharts
            epochs={curves}
            xMax={
              isJobLive(job.status) ? plannedEpochs : Math.max(1, curves[curves.length - 1]?.epoch ?? curves.length)
            }
          />
        </>
      )}
    </section>
  );
}
