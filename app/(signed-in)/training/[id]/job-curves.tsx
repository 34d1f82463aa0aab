import type { TrainingJobDetail } from "../../_components/api-types";
import { EpochCharts } from "../../_components/epoch-charts";
import { plural } from "../../_components/format";
import { isJobLive } from "../../_components/status-badge";

/**
 * What this job's validation curve measured, from the sizes the job recorded: reviewed faces only,
 * or with replayed ones. Jobs from before the sizes were recorded get the rule without the counts.
 */
export function validationCaption(sizes: TrainingJobDetail["training_set"]): string {
  if (!sizes) return "validation is a tenth of the faces it trained on (this job did not record how many).";
  const { reviewed, replay } = sizes.validation;
  const reviewedText = `${reviewed} of the ${plural(sizes.train.reviewed + reviewed, "reviewed face")} (a tenth, not trained on)`;
  const replayed = sizes.train.replay + replay;
  if (replayed === 0) return `validation is ${reviewedText}; nothing was replayed.`;
  return `validation is ${reviewedText} and ${replay} of the ${plural(replayed, "replayed face")} from the base model’s training data.`;
}

export function JobCurves({
  job,
  plannedEpochs,
  distilled = false,
}: {
  job: TrainingJobDetail;
  plannedEpochs: number;
  /** Trained with the term that keeps the base's outputs: its training loss includes that term. */
  distilled?: boolean;
}) {
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
              ? `; ${validationCaption(job.training_set)}`
              : "; no validation split (too few faces to hold any back)."}
            {distilled
              ? " The training loss includes the term that keeps the base’s outputs, so it runs above the validation loss, which scores the labels alone."
              : null}
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
