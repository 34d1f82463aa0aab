"use client";

import { useEffect, useState } from "react";
import { storedTrainingParams } from "@/worker/params";
import { ApiError, apiFetchBody, errorMessage } from "../../_components/api-client";
import type { TrainingJobDetail } from "../../_components/api-types";
import { BackLink } from "../../_components/back-link";
import { formatDateTime } from "../../_components/format";
import { isJobLive, JobStatusBadge } from "../../_components/status-badge";
import { CancelJob } from "./cancel-job";
import { JobCurves } from "./job-curves";
import { JobLog } from "./job-log";
import { JobOutcome } from "./job-outcome";
import { JobSettings } from "./job-settings";
import { ProgressCard } from "./progress-card";

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
        const data = await apiFetchBody<{ job: TrainingJobDetail }>(`/api/training-jobs/${id}`, {
          signal: controller.signal,
        });
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
        <BackLink href="/training">← Training jobs</BackLink>
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
  const parsed = storedTrainingParams(job.params);
  const params = parsed.success ? parsed.data : null;
  const p = job.progress;
  // Announced when the status or the epoch changes, not on every batch.
  const announcement = `Job ${job.status.toLowerCase()}${job.status === "RUNNING" && p ? `, epoch ${p.epoch} of ${p.epochs}` : ""}.`;

  return (
    <>
      <BackLink href="/training">← Training jobs</BackLink>
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
        {!live ? <JobOutcome job={job} /> : null}

        <div className="detail-grid">
          <ProgressCard job={job} />
          <JobSettings job={job} params={params} />
        </div>

        <JobCurves
          job={job}
          plannedEpochs={params?.epochs ?? p?.epochs ?? 1}
          distilled={(params?.distill_weight ?? 0) > 0}
        />
        <JobLog log={job.log} live={live} />
      </div>
    </>
  );
}
