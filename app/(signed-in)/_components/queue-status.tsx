import type { ReactNode } from "react";
import styles from "./queue-status.module.css";

/** A queue with nothing for you now (review, adjudication): what that means, and what to do. */
export function QueueEmpty({
  title,
  children,
  actions,
  testId,
}: {
  title: string;
  children: ReactNode;
  actions: ReactNode;
  testId: string;
}) {
  return (
    <div className={`card ${styles.empty}`} data-testid={testId}>
      <div className={styles.emptyMark} aria-hidden="true" />
      <h2>{title}</h2>
      <p className="muted">{children}</p>
      <div className="form-actions center">{actions}</div>
    </div>
  );
}

/** A queue that could not load its next item, with a retry. */
export function QueueError({ title, error, onRetry }: { title: string; error: string | null; onRetry: () => void }) {
  return (
    <div className="notice notice-error">
      <h2>{title}</h2>
      <p>{error}</p>
      <button type="button" className="btn btn-primary" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}
