"use client";

import { useEffect, useState } from "react";
import Link from "next/link";
import { apiFetchBody, errorMessage } from "../_components/api-client";
import type { ImportState } from "../_components/api-types";
import styles from "./import-progress.module.css";

const POLL_MS = 1000;

/** An import's progress, read from GET /api/imports/:id every second until it is done or failed. */
export function ImportProgress({ importId, fileLabel }: { importId: number; fileLabel: string | null }) {
  const [state, setState] = useState<ImportState | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const next = await apiFetchBody<ImportState>(`/api/imports/${importId}`);
        if (stopped) return;
        setState(next);
        setError(null);
        if (next.status === "done" || next.status === "failed") return;
      } catch (err) {
        if (stopped) return;
        setError(errorMessage(err));
      }
      timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [importId]);

  const finished = state?.status === "done" || state?.status === "failed";
  const rows = state?.kind === "feedback";
  return (
    <section className={`card ${styles.importProgress}`} aria-busy={!finished} data-testid="import-progress">
      <h2 className={styles.heading}>
        Import {importId}
        {fileLabel ? <span className="muted small"> · {fileLabel}</span> : null}
        <span className={styles.status} data-testid="import-status">
          {state ? statusText(state) : "Waiting…"}
        </span>
      </h2>
      <progress
        className={styles.bar}
        max={state?.total || 1}
        value={state ? (state.total ? state.processed : finished ? 1 : 0) : 0}
        aria-label={`Import ${importId} progress`}
      />
      {state ? (
        <dl className={styles.counts}>
          <div>
            <dt>{rows ? "Rows" : "Files"}</dt>
            <dd data-testid="import-processed">
              {state.processed} of {state.total || "…"}
            </dd>
          </div>
          <div>
            <dt>{rows ? "Verdicts imported" : "Faces found"}</dt>
            <dd data-testid="import-faces">{state.faces}</dd>
          </div>
          <div>
            <dt>{rows ? "Imported before" : "Uploaded before"}</dt>
            <dd data-testid="import-duplicates">{state.duplicates}</dd>
          </div>
          <div>
            <dt>Not imported</dt>
            <dd data-testid="import-error-count">{state.errors.length}</dd>
          </div>
        </dl>
      ) : null}
      {state?.error ? <p className="notice notice-error">{state.error}</p> : null}
      {error ? <p className="notice notice-warning">{error}</p> : null}
      {state && state.errors.length > 0 ? (
        <details className={styles.errors} open={state.errors.length <= 10}>
          <summary>
            {state.errors.length} {state.errors.length === 1 ? "file" : "files"} not imported
          </summary>
          <ul>
            {state.errors.map((e, i) => (
              <li key={i}>
                <strong>{e.file}</strong>: {e.message}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {state?.status === "done" && state.faces > 0 ? (
        <p className="muted">
          The faces wait for you in <Link href="/review">Review</Link>.
        </p>
      ) : null}
    </section>
  );
}

function statusText(s: ImportState): string {
  switch (s.status) {
    case "queued":
      return "Queued";
    case "running":
      return "Importing…";
    case "done":
      return "Done";
    case "failed":
      return "Failed";
  }
}
