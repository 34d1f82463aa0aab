"use client";

import { useEffect, useLayoutEffect, useRef, useState } from "react";
import Link from "next/link";
import { trainingParamsSchema } from "@/worker/params";
import { ApiError, apiFetchBody, errorMessage } from "../../_components/api-client";
import type { TrainingJobDetail, TrainingJobRow } from "../../_components/api-types";
import { formatDateTime, formatDuration, formatPercent } from "../../_components/format";
import { EpochCharts } from "../../_components/epoch-charts";
import { isJobLive, JobStatusBadge } from "../../_components/status-badge";
import { ProgressBar, progressFraction, runSeconds } from "../job-progress";

/** While a job is queued or running the page asks for news every second. */
const POLL_MS = 1_000;
/** After a failed request: slower, so a server restart is not hammered. */
const RETRY_MS = 4_000;

export function LiveJob({ id }: { id: number }) {
  const [job, setJob] = useState<TrainingJobDetail | null>(null);
  const [loadError, setLoadError] = useState<{ message: string; notFound: boolean } | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // One request at a time: the next is scheduled when the last has answered.
    async function tick() {
      try {
        const data = await apiFetchBody<{ job: TrainingJobDetail }>(`/api/training-jobs/${id}`, { signal: controller.signal });
        setJob(data.job);
        setLoadError(null);
        if (isJobLive(data.job.status)) timer = setTimeout(tick, POLL_MS);
      } catch (err) {
        if (controller.signal.aborted) return;
        const notFound = err instanceof ApiError && err.status === 404;
        setLoadError({ message: errorMessage(err), notFound });
        if (!notFound) timer = setTimeout(tick, RETRY_MS);
      }
    }
    void tick();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [id]);

  if (!job) {
    return (
      <>
        <BackLink />
        {loadError ? (
          <div className={loadError.notFound ? "notice" : "notice notice-error"} role="alert">
            <h1>{loadError.notFound ? `No training job ${id}` : "Couldn’t load this job"}</h1>
            <p>{loadError.message}</p>
            {loadError.notFound ? null : <p className="muted small">Trying again…</p>}
          </div>
        ) : (
          <p className="muted status-line" aria-busy="true">
            <span className="spinner" aria-hidden="true" /> Loading job…
          </p>
        )}
      </>
    );
  }

  const live = isJobLive(job.status);
  const parsed = trainingParamsSchema.safeParse(job.params);
  const params = parsed.success ? parsed.data : null;
  const p = job.progress;
  // Announced when the status or the epoch changes, not on every batch.
  const announcement = `Job ${job.status.toLowerCase()}${job.status === "RUNNING" && p ? `, epoch ${p.epoch} of ${p.epochs}` : ""}.`;

  return (
    <>
      <BackLink />
      <div className="page-head detail-head">
        <div>
          <h1>
            Training job #{job.id} <JobStatusBadge status={job.status} stopping={Boolean(job.cancel_requested_at)} />
          </h1>
          <p className="muted">
            Requested {formatDateTime(job.created_at)}
            {job.base_version !== null ? ` · fine-tunes version ${job.base_version}` : ""}
            {job.worker ? ` · worker ${job.worker}` : ""}
          </p>
        </div>
        {live ? <CancelJob job={job} onChanged={(j) => setJob((prev) => (prev ? { ...prev, ...j } : prev))} /> : null}
      </div>
      <p className="sr-only" aria-live="polite" data-testid="job-announcement">
        {announcement}
      </p>
      {loadError ? (
        <p className="form-error" role="alert">
          Lost contact with the server: {loadError.message} Trying again…
        </p>
      ) : null}

      <div className="stack-lg">
        {live && job.cancel_requested_at ? (
          <div className="notice notice-warning">
            <p>Stopping: the job ends after the current batch. The active model is not changed.</p>
          </div>
        ) : null}
        {!live ? <Outcome job={job} /> : null}

        <div className="detail-grid">
          <ProgressCard job={job} />
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
                  <dt>Minimum faces</dt>
                  <dd>{params.min_samples}</dd>
                </div>
                <div className="is-wide">
                  <dt>Snapshot</dt>
                  <dd>
                    {job.snapshot_hash ? (
                      <>
                        <code title={job.snapshot_hash}>{job.snapshot_hash.slice(0, 12)}</code>
                        {job.snapshot_size !== null ? <span className="muted small"> · {job.snapshot_size} faces</span> : null}
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
        </div>

        <Curves job={job} plannedEpochs={params?.epochs ?? p?.epochs ?? 1} />
        <JobLog log={job.log} live={live} />
      </div>
    </>
  );
}

function BackLink() {
  return (
    <p className="back-link">
      <Link href="/training">← Training jobs</Link>
    </p>
  );
}

function ProgressCard({ job }: { job: TrainingJobDetail }) {
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
          <p className="progress-headline" data-testid="job-progress-text">
            Epoch {p.epoch} of {p.epochs}
            <span className="muted">
              {" "}
              · batch {p.batch} of {p.batches}
            </span>
          </p>
          <ProgressBar fraction={fraction} label="Training progress" large />
          <dl className="stats">
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
              <dd>{isJobLive(job.status) ? `about ${formatDuration(p.etaSeconds)}` : seconds !== null ? formatDuration(seconds) : "—"}</dd>
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
        <p className="muted">It ended before training started{seconds !== null ? `, after ${formatDuration(seconds)}` : ""}.</p>
      )}
    </section>
  );
}

function Outcome({ job }: { job: TrainingJobDetail }) {
  const cand = job.candidate_version;
  const candLink =
    cand && cand.id !== null ? (
      <Link href={`/models/${cand.id}`} data-testid="candidate-link">
        {job.decision?.promote ? `See version ${cand.version}` : `Compare version ${cand.version} with the active one`}
      </Link>
    ) : null;
  if (job.status === "SUCCEEDED") {
    const promoted = job.decision?.promote ?? cand?.status === "ACTIVE";
    return (
      <div className={promoted ? "notice notice-success" : "notice"} data-testid="job-outcome" data-promoted={promoted}>
        <h2>{promoted ? `Promoted: version ${cand?.version ?? "?"} is now active` : `Kept as a candidate: version ${cand?.version ?? "?"}`}</h2>
        {job.decision ? <p>{job.decision.reason}</p> : null}
        {!promoted ? <p className="muted small">The active model is unchanged. An admin can still promote the candidate from its page.</p> : null}
        {candLink ? <p>{candLink} →</p> : null}
      </div>
    );
  }
  if (job.status === "FAILED") {
    return (
      <div className="notice notice-error" data-testid="job-outcome">
        <h2>The job failed</h2>
        <p>{job.error ?? "No reason was recorded."}</p>
        <p className="small">The active model is unchanged.</p>
      </div>
    );
  }
  return (
    <div className="notice" data-testid="job-outcome">
      <h2>Cancelled</h2>
      <p>Nothing from this run was kept; the active model is unchanged.</p>
    </div>
  );
}

function CancelJob({ job, onChanged }: { job: TrainingJobDetail; onChanged: (j: TrainingJobRow) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cancelButton = useRef<HTMLButtonElement>(null);

  if (job.cancel_requested_at) return null;

  async function cancel() {
    setBusy(true);
    setError(null);
    try {
      const data = await apiFetchBody<{ job: TrainingJobRow }>(`/api/training-jobs/${job.id}/cancel`, { method: "POST" });
      onChanged(data.job);
      setConfirming(false);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="head-actions">
      {confirming ? (
        <span className="confirm" role="group" aria-label="Confirm cancelling">
          <span className="small">Stop this job? Nothing it learned is kept.</span>
          <button type="button" className="btn btn-danger btn-small" onClick={() => void cancel()} disabled={busy} autoFocus>
            {busy ? "Stopping…" : "Stop job"}
          </button>
          <button
            type="button"
            className="btn btn-ghost btn-small"
            onClick={() => {
              setConfirming(false);
              requestAnimationFrame(() => cancelButton.current?.focus());
            }}
            disabled={busy}
          >
            Keep running
          </button>
        </span>
      ) : (
        <button ref={cancelButton} type="button" className="btn btn-danger-outline" onClick={() => setConfirming(true)}>
          Cancel job…
        </button>
      )}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function Curves({ job, plannedEpochs }: { job: TrainingJobDetail; plannedEpochs: number }) {
  const curves = job.curves ?? [];
  const hasVal = curves.some((c) => c.valLoss !== null);
  return (
    <section className="card chart-container" aria-labelledby="curves-heading" data-testid="job-curves" data-epochs={curves.length}>
      <h2 id="curves-heading">Loss and accuracy</h2>
      {curves.length === 0 ? (
        <p className="empty-inline">
          {isJobLive(job.status) ? "The curves appear when the first epoch ends." : "No epoch finished, so there are no curves."}
        </p>
      ) : (
        <>
          <p className="muted small">
            One point per finished epoch
            {hasVal ? "; validation is a slice of the replayed training data." : "; no validation split (no replay data for this model)."}
          </p>
          <EpochCharts epochs={curves} xMax={plannedEpochs} />
        </>
      )}
    </section>
  );
}

const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });

/** "2026-11-23T01:40:00.000Z started on …" → local time and message. */
function splitLogLine(line: string): { time: string | null; iso: string | null; text: string } {
  const m = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) (.*)$/.exec(line);
  if (!m || !m[1]) return { time: null, iso: null, text: line };
  const at = new Date(m[1]);
  return Number.isNaN(at.getTime()) ? { time: null, iso: null, text: line } : { time: timeOfDay.format(at), iso: m[1], text: m[2] ?? "" };
}

function JobLog({ log, live }: { log: string; live: boolean }) {
  const ref = useRef<HTMLPreElement>(null);
  // Follow new lines only while the reader is at the bottom; scrolling up to read stops it.
  const follow = useRef(true);
  const lines = log.split("\n").filter(Boolean);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  }, [log]);

  return (
    <section className="card" aria-labelledby="log-heading">
      <div className="section-head">
        <h2 id="log-heading">Log</h2>
        {live ? <span className="muted small">Follows new lines while scrolled to the bottom</span> : null}
      </div>
      <pre
        ref={ref}
        className="log"
        // Focusable so the keyboard can scroll it; a named region, not a live one (the
        // announcement above already reports progress without reading every line).
        tabIndex={0}
        role="region"
        aria-labelledby="log-heading"
        data-testid="job-log"
        onScroll={(e) => {
          const el = e.currentTarget;
          follow.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 16;
        }}
      >
        {lines.map((line, i) => {
          const l = splitLogLine(line);
          return (
            <span key={i} className="log-line">
              {l.time ? (
                <time className="log-time" dateTime={l.iso ?? undefined} title={l.iso ?? undefined}>
                  {l.time}
                </time>
              ) : null}
              <span className={/^(failed|gate)/.test(l.text) ? "log-text is-key" : "log-text"}>{l.text}</span>
              {"\n"}
            </span>
          );
        })}
      </pre>
    </section>
  );
}
