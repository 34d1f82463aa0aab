import type { TrainingJobDetail } from "../../_components/api-types";
import { formatDuration, formatPercent } from "../../_components/format";
import { isJobLive } from "../../_components/status-badge";
import { ProgressBar, progressFraction, runSeconds } from "../job-progress";
import styles from "./progress-card.module.css";

export function ProgressCard({ job }: { job: TrainingJobDetail }) {
  const p = job.progress;
  const seconds = runSeconds(job);
  const fraction = job.status === "SUCCEEDED" ? 1 : p ? progressFraction(p) : 0;
  return (
    <section className="card" aria-labelledby="progress-heading" data-testid="job-progress">
      <h2 id="progress-heading">Progress</h2>
      {job.status === "QUEUED" ? (
        <p className="status-line">
          <span className="spinner" aria-hidden="true" /> Waiting for a worker to pick it up…
        </p>
      ) : job.status === "RUNNING" && !p ? (
        <p className="status-line">
          <span className="spinner" aria-hidden="true" /> Freezing the reviewed faces and preparing the model…
        </p>
      ) : p ? (
        <>
          <p className={styles.progressHeadline} data-testid="job-progress-text">
            Epoch {p.epoch} of {p.epochs}
            <span className="muted">
              {" "}
              · batch {p.batch} of {p.batches}
            </span>
          </p>
          <ProgressBar fraction={fraction} label="Training progress" large />
          <dl className={styles.stats}>
            <div>
              <dt>Done</dt>
              <dd>{Math.round(fraction * 100)}%</dd>
            </div>
            <div>
              <dt>Speed</dt>
              <dd>{p.samplesPerSec >= 10 ? Math.round(p.samplesPerSec) : p.samplesPerSec.toFixed(1)} faces/s</dd>
            </div>
            <div>
              <dt>{isJobLive(job.status) ? "Time left" : "Ran for"}</dt>
              <dd>
                {isJobLive(job.status)
                  ? `about ${formatDuration(p.etaSeconds)}`
                  : seconds !== null
                    ? formatDuration(seconds)
                    : "—"}
              </dd>
            </div>
            <div>
              <dt>Loss this epoch</dt>
              <dd>{p.loss.toFixed(3)}</dd>
            </div>
            <div>
              <dt>Accuracy this epoch</dt>
              <dd>{formatPercent(p.acc)}</dd>
            </div>
            {isJobLive(job.status) && seconds !== null ? (
              <div>
                <dt>Running for</dt>
                <dd>{formatDuration(seconds)}</dd>
              </div>
            ) : null}
          </dl>
        </>
      ) : (
        <p className="muted">
          It ended before training started{seconds !== null ? `, after ${formatDuration(seconds)}` : ""}.
        </p>
      )}
    </section>
  );
}
