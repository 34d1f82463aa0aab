import type { TrainingParams } from "@/worker/params";
import type { TrainingJobDetail } from "../../_components/api-types";

/** The settings the job was requested with, as stored; null when they cannot be read. */
export function JobSettings({ job, params }: { job: TrainingJobDetail; params: TrainingParams | null }) {
  return (
    <section className="card" aria-labelledby="params-heading">
      <h2 id="params-heading">Settings</h2>
      {params ? (
        <dl className="facts facts-2">
          <div>
            <dt>Start from</dt>
            <dd>{job.base_version !== null ? `Version ${job.base_version}` : "The active version"}</dd>
          </div>
          <div>
            <dt>What learns</dt>
            <dd>{params.strategy === "head" ? "Last layer only" : "Every layer"}</dd>
          </div>
          <div>
            <dt>Epochs</dt>
            <dd>{params.epochs}</dd>
          </div>
          <div>
            <dt>Learning rate</dt>
            <dd>{params.learning_rate}</dd>
          </div>
          <div>
            <dt>Batch size</dt>
            <dd>{params.batch_size}</dd>
          </div>
          <div>
            <dt>Class weights</dt>
            <dd>{params.class_weights}</dd>
          </div>
          <div>
            <dt>Keep the base&rsquo;s outputs</dt>
            <dd>
              {params.distill_weight > 0
                ? `${params.distill_weight} of the loss, temperature ${params.distill_temperature}`
                : "Off"}
            </dd>
          </div>
          <div>
            <dt>Minimum faces</dt>
            <dd>{params.min_samples}</dd>
          </div>
          <div className="is-wide">
            <dt>Snapshot</dt>
            <dd>
              {job.snapshot_hash ? (
                <>
                  <code title={job.snapshot_hash}>{job.snapshot_hash.slice(0, 12)}</code>
                  {job.snapshot_size !== null ? (
                    <span className="muted small"> · {job.snapshot_size} faces</span>
                  ) : null}
                </>
              ) : (
                <span className="muted">not frozen yet</span>
              )}
            </dd>
          </div>
        </dl>
      ) : (
        <p className="muted small">The settings of this job could not be read.</p>
      )}
    </section>
  );
}
