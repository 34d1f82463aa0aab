import type { TrainingJobDetail } from "../../_components/api-types";
import { EpochCharts } from "../../_components/epoch-charts";
import { isJobLive } from "../../_components/status-badge";

export function JobCurves({ job, plannedEpochs }: { job: TrainingJobDetail; plannedEpochs: number }) {
  const curves = job.curves ?? [];
  const hasVal = curves.some((c) => c.valLoss !== null);
  const lastEpoch = curves[curves.length - 1]?.epoch ?? 0;
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
          {/* The axis spans the epochs run so far: early stopping may end a job well before the planned ones. */}
          <EpochCharts epochs={curves} />
          {plannedEpochs > lastEpoch ? (
            <p className="muted small" data-testid="planned-epochs">
              {isJobLive(job.status)
                ? `Epoch ${lastEpoch} of ${plannedEpochs} planned.`
                : `Stopped after epoch ${lastEpoch} of ${plannedEpochs} planned.`}
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}
