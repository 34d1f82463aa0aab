"use client";

import { useEffect, useState } from "react";
import Link from "next/link";
import { apiFetchBody } from "../_components/api-client";
import { DataTable, type Column } from "../_components/data-table";
import { useApiData } from "../_components/use-api-data";
import type { ModelVersionRow, TrainingJobRow } from "../_components/api-types";
import { formatDateTime, plural } from "../_components/format";
import { isJobLive, JobStatusBadge, ModelStatusBadge } from "../_components/status-badge";
import { ProgressBar, progressFraction, runTime } from "./job-progress";
import { StartJobForm } from "./start-job-form";
import styles from "./training-workspace.module.css";

/** How often the list refreshes while a job is queued or running. */
const LIST_POLL_MS = 2_000;

export function TrainingWorkspace() {
  const [models, setModels] = useState<ModelVersionRow[] | null>(null);
  const {
    data: list,
    error: listError,
    refresh: loadJobs,
  } = useApiData<{ jobs: TrainingJobRow[] }>("/api/training-jobs");
  const jobs = list?.jobs ?? null;

  useEffect(() => {
    // The form works without the list of versions (the active one is the default), so a failure
    // here only leaves the select with its default.
    apiFetchBody<{ models: ModelVersionRow[] }>("/api/models").then(
      (data) => setModels(data.models),
      () => setModels([]),
    );
  }, []);

  const anyLive = jobs?.some((j) => isJobLive(j.status)) ?? false;
  useEffect(() => {
    if (!anyLive) return;
    const t = setInterval(() => void loadJobs(), LIST_POLL_MS);
    return () => clearInterval(t);
  }, [anyLive, loadJobs]);

  return (
    <div className="stack-lg">
      <StartJobForm models={models} onStarted={() => void loadJobs()} />

      <section className="card flush" aria-labelledby="jobs-heading">
        <div className="card-head">
          <h2 id="jobs-heading">Recent jobs</h2>
        </div>
        <DataTable
          rows={jobs}
          testId="jobs-table"
          rowKey={(j) => j.id}
          rowAttributes={(j) => ({ "data-testid": "job-row", "data-job-id": j.id, "data-status": j.status })}
          status={{
            error: listError,
            onRetry: () => void loadJobs(),
            loading: "Loading jobs…",
            empty: "No training jobs yet.",
            flush: true,
          }}
          columns={columns}
        />
      </section>
    </div>
  );
}

const columns: Column<TrainingJobRow>[] = [
  {
    header: "Job",
    cell: (j) => (
      <Link href={`/training/${j.id}`} className="version-link">
        Job #{j.id}
      </Link>
    ),
  },
  { header: "Status", cell: (j) => <JobStatusBadge status={j.status} stopping={Boolean(j.cancel_requested_at)} /> },
  {
    header: "Progress",
    className: styles.cellProgress,
    cell: (j) =>
      j.status === "RUNNING" && j.progress ? (
        <>
          <span className="small">
            Epoch {j.progress.epoch}/{j.progress.epochs} · batch {j.progress.batch}/{j.progress.batches}
          </span>
          <ProgressBar fraction={progressFraction(j.progress)} label={`Job ${j.id} progress`} />
        </>
      ) : isJobLive(j.status) ? (
        <span className="small muted">{j.status === "QUEUED" ? "Waiting for a worker" : "Preparing…"}</span>
      ) : j.curves && j.curves.length > 0 ? (
        <span className="small muted">{plural(j.curves.length, "epoch")}</span>
      ) : (
        <span className="muted">—</span>
      ),
  },
  {
    header: "Model",
    className: "small",
    cell: (j) => (
      <>
        {j.base_version !== null ? <>v{j.base_version}</> : <span className="muted">active</span>}
        {j.candidate_version ? (
          <>
            {" → "}
            {j.candidate_version.id !== null ? (
              <Link href={`/models/${j.candidate_version.id}`}>v{j.candidate_version.version}</Link>
            ) : (
              <>v{j.candidate_version.version}</>
            )}{" "}
            <ModelStatusBadge status={j.candidate_version.status} />
          </>
        ) : null}
      </>
    ),
  },
  { header: "Faces", className: "num", cell: (j) => j.snapshot_size ?? <span className="muted">—</span> },
  {
    header: "Requested",
    className: "cell-time",
    cell: (j) => <time dateTime={j.created_at}>{formatDateTime(j.created_at)}</time>,
  },
  { header: "Ran for", className: "cell-time", cell: (j) => runTime(j) },
  { header: "Outcome", className: "cell-note small", cell: (j) => <Outcome job={j} /> },
];

function Outcome({ job }: { job: TrainingJobRow }) {
  if (job.status === "FAILED") return <span className={styles.textBad}>{job.error ?? "Failed"}</span>;
  if (job.status === "CANCELLED") return <span className="muted">Cancelled; the active model is unchanged.</span>;
  if (job.decision)
    return (
      <>
        {job.decision.promote ? "Promoted." : "Kept as a candidate."}{" "}
        <span className="muted">{job.decision.reason}</span>
      </>
    );
  return <span className="muted">—</span>;
}
