import Link from "next/link";
import type { TrainingJobDetail } from "../../_components/api-types";

export function JobOutcome({ job }: { job: TrainingJobDetail }) {
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
        <h2>
          {promoted
            ? `Promoted: version ${cand?.version ?? "?"} is now active`
            : `Kept as a candidate: version ${cand?.version ?? "?"}`}
        </h2>
        {job.decision ? <p>{job.decision.reason}</p> : null}
        {!promoted ? (
          <p className="muted small">
            The active model is unchanged. An admin can still promote the candidate from its page.
          </p>
        ) : null}
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
