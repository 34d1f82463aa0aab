"use client";

import { useRef, useState } from "react";
import { apiFetchBody, errorMessage } from "../../_components/api-client";
import type { TrainingJobDetail, TrainingJobRow } from "../../_components/api-types";
import styles from "./cancel-job.module.css";

export function CancelJob({ job, onChanged }: { job: TrainingJobDetail; onChanged: (j: TrainingJobRow) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cancelButton = useRef<HTMLButtonElement>(null);

  if (job.cancel_requested_at) return null;

  async function cancel() {
    setBusy(true);
    setError(null);
    try {
      const data = await apiFetchBody<{ job: TrainingJobRow }>(`/api/training-jobs/${job.id}/cancel`, {
        method: "POST",
      });
      onChanged(data.job);
      setConfirming(false);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className={styles.headActions}>
      {confirming ? (
        <span className="confirm" role="group" aria-label="Confirm cancelling">
          <span className="small">Stop this job? Nothing it learned is kept.</span>
          <button
            type="button"
            className="btn btn-danger btn-small"
            onClick={() => void cancel()}
            disabled={busy}
            autoFocus
          >
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
