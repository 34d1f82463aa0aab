"use client";

import { useCallback, useEffect, useState } from "react";
import type { VerdictName } from "@/lib/review/schemas";
import { apiFetchBody, errorMessage } from "../_components/api-client";
import type { HistoryPage, HistoryRow, StoredReview } from "../_components/api-types";
import { actionsHeader, DataTable, type Column } from "../_components/data-table";
import { formatDateTime, formatPercent } from "../_components/format";
import { describeVerdict } from "../_components/reviews-api";
import { VerdictBadge } from "../_components/verdict-badge";
import { ChangeVerdictDialog } from "./change-verdict-dialog";
import styles from "./history-table.module.css";

export interface HistoryFilters {
  reviewer?: string;
  label?: string;
  verdict?: VerdictName;
}

const PAGE_SIZE = 50;

const columns: Column<HistoryRow>[] = [
  {
    header: "Face",
    cell: (r) => (
      <img
        src={r.face.crop_url}
        alt={`Face ${r.face.id}`}
        width={48}
        height={48}
        className="crop crop-thumb"
        loading="lazy"
      />
    ),
  },
  {
    header: "Prediction",
    cell: (r) => (
      <>
        <span className="label-chip">{r.prediction.label}</span>{" "}
        <span className="muted small">{formatPercent(r.prediction.confidence)}</span>
      </>
    ),
  },
  {
    header: "Verdict",
    cell: (r) => <VerdictBadge verdict={r.verdict} />,
  },
  {
    header: "True emotion",
    testId: "history-corrected",
    cell: (r) =>
      r.corrected_label ? <span className="label-chip">{r.corrected_label}</span> : <span className="muted">—</span>,
  },
  { header: "Note", className: "cell-note", cell: (r) => r.note ?? <span className="muted">—</span> },
  { header: "Reviewer", className: "cell-email", cell: (r) => r.reviewer.email },
  {
    header: "When",
    className: "cell-time",
    cell: (r) => <time dateTime={r.created_at}>{formatDateTime(r.created_at)}</time>,
  },
];

/** The verdicts matching the filters; the signed-in reviewer (`selfId`) may change their own. */
export function HistoryTable({ filters, selfId }: { filters: HistoryFilters; selfId: number }) {
  const [rows, setRows] = useState<HistoryRow[]>([]);
  const [nextBefore, setNextBefore] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /** The row whose verdict is being changed. */
  const [changing, setChanging] = useState<HistoryRow | null>(null);
  const [changed, setChanged] = useState<string | null>(null);

  const load = useCallback(
    async (before: number | null) => {
      setLoading(true);
      setError(null);
      const qs = new URLSearchParams({ ...filters, limit: String(PAGE_SIZE) });
      if (before !== null) qs.set("before", String(before));
      try {
        const page = await apiFetchBody<HistoryPage>(`/api/reviews?${qs}`);
        setRows((prev) => (before === null ? page.reviews : [...prev, ...page.reviews]));
        setNextBefore(page.next_before);
        setLoaded(true);
      } catch (err) {
        setError(errorMessage(err));
      } finally {
        setLoading(false);
      }
    },
    [filters],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  const filtered = Object.keys(filters).length > 0;

  function saved(review: StoredReview) {
    setRows((prev) =>
      prev.map((r) =>
        r.id === review.id
          ? { ...r, verdict: review.verdict, corrected_label: review.corrected_label, note: review.note }
          : r,
      ),
    );
    setChanged(`Changed your verdict on face ${review.face_id} to ${describeVerdict(review)}.`);
    setChanging(null);
  }

  const withActions: Column<HistoryRow>[] = [
    ...columns,
    {
      header: actionsHeader,
      className: "cell-actions",
      cell: (r) =>
        r.reviewer.id === selfId ? (
          <button
            type="button"
            className="btn btn-ghost btn-small"
            onClick={() => {
              setChanged(null);
              setChanging(r);
            }}
          >
            Change<span className="sr-only"> your verdict on face {r.face.id}</span>
          </button>
        ) : null,
    },
  ];

  return (
    <section className={`card ${styles.history}`} aria-labelledby="history-results" aria-busy={loading}>
      <h2 id="history-results" className="sr-only">
        Results
      </h2>
      <p className="sr-only" aria-live="polite">
        {loaded ? `${rows.length} ${rows.length === 1 ? "verdict" : "verdicts"} shown.` : ""}
      </p>
      <div aria-live="polite" data-testid="history-status">
        {changed ? <p className={`form-success ${styles.changed}`}>{changed}</p> : null}
      </div>
      {loaded && rows.length === 0 ? (
        <p className="empty-inline">
          {filtered
            ? "No verdicts match these filters."
            : "No verdicts yet. They appear here as soon as someone reviews a face."}
        </p>
      ) : null}
      <DataTable
        rows={rows}
        testId="history-table"
        label="Verdicts"
        rowKey={(r) => r.id}
        rowAttributes={(r) => ({
          "data-testid": "history-row",
          "data-verdict": r.verdict,
          "data-prediction-id": r.prediction.id,
        })}
        columns={withActions}
      />
      {changing ? <ChangeVerdictDialog row={changing} onSaved={saved} onDismiss={() => setChanging(null)} /> : null}
      {error ? (
        <div className="form-error" role="alert">
          {error}{" "}
          <button
            type="button"
            className="btn btn-ghost btn-small"
            onClick={() => void load(rows.length ? nextBefore : null)}
          >
            Try again
          </button>
        </div>
      ) : null}
      {loading ? (
        <p className="muted status-line">
          <span className="spinner" aria-hidden="true" /> Loading…
        </p>
      ) : null}
      {!loading && nextBefore !== null ? (
        <div className="load-more">
          <button type="button" className="btn btn-ghost" onClick={() => void load(nextBefore)}>
            Load more
          </button>
        </div>
      ) : null}
    </section>
  );
}
