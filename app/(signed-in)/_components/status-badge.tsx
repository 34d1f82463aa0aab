import type { JobStatus, ModelStatus } from "./api-types";
import styles from "./status-badge.module.css";

const modelText: Record<ModelStatus, string> = {
  ACTIVE: "Active",
  CANDIDATE: "Candidate",
  ARCHIVED: "Archived",
  FAILED: "Failed",
};

const jobText: Record<JobStatus, string> = {
  QUEUED: "Queued",
  RUNNING: "Running",
  SUCCEEDED: "Succeeded",
  FAILED: "Failed",
  CANCELLED: "Cancelled",
};

/** A model version's status; the raw status is kept in data-status for tests and styles. */
export function ModelStatusBadge({ status }: { status: ModelStatus }) {
  return (
    <span className={`status-chip is-${status.toLowerCase()}`} data-status={status}>
      {modelText[status]}
    </span>
  );
}

export function JobStatusBadge({ status, stopping = false }: { status: JobStatus; stopping?: boolean }) {
  const text = status === "RUNNING" && stopping ? "Stopping" : jobText[status];
  return (
    <span className={`status-chip is-${status.toLowerCase()}`} data-status={status}>
      {status === "RUNNING" || status === "QUEUED" ? <span className={styles.statusDot} aria-hidden="true" /> : null}
      {text}
    </span>
  );
}

export function isJobLive(status: JobStatus): boolean {
  return status === "QUEUED" || status === "RUNNING";
}
