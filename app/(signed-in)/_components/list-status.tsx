"use client";

/**
 * What a fetched list shows instead of (or above) its table: the fetch error with "Try again", a
 * loading line until the first answer, or the empty message. Renders nothing once rows are there.
 * `flush` is for lists in a card whose table runs to the card's edges (the lines get its padding).
 */
export function ListStatus({
  items,
  error,
  onRetry,
  loading,
  empty,
  flush = false,
}: {
  items: readonly unknown[] | null;
  error: string | null;
  onRetry?: () => void;
  /** e.g. "Loading tokens…" */
  loading: string;
  /** e.g. "You have no API tokens." */
  empty: string;
  flush?: boolean;
}) {
  const pad = flush ? " card-status" : "";
  return (
    <>
      {error ? (
        <p className={`form-error${pad}`} role="alert">
          {error}
          {onRetry ? (
            <>
              {" "}
              <button type="button" className="btn btn-ghost btn-small" onClick={onRetry}>
                Try again
              </button>
            </>
          ) : null}
        </p>
      ) : null}
      {items === null && !error ? (
        <p className={`muted status-line${pad}`}>
          <span className="spinner" aria-hidden="true" /> {loading}
        </p>
      ) : null}
      {items && items.length === 0 ? <p className={`empty-inline${pad}`}>{empty}</p> : null}
    </>
  );
}
