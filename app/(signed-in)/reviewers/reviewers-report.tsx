"use client";

import { useState } from "react";
import Link from "next/link";
import type { AgreementSummary, ReviewerAgreement } from "../_components/api-types";
import { ConfusionMatrix } from "../_components/confusion-matrix";
import { DataTable, type Column } from "../_components/data-table";
import { formatAccuracy, formatDateTime, plural } from "../_components/format";
import { ListStatus } from "../_components/list-status";
import { useApiData } from "../_components/use-api-data";
import { labelText } from "../_components/verdict-names";
import styles from "./reviewers.module.css";

const DASH = "—";

/** A figure's column: right-aligned, sorted largest first on the first click. */
const NUMERIC = { className: "num", headerClassName: "num", firstSort: "desc" } as const;

/** κ and α: two decimals, a real minus sign; "—" when undefined (too few faces, or one label only). */
function formatCoefficient(x: number | null): string {
  if (x === null) return DASH;
  const text = Math.abs(x).toFixed(2);
  return x < 0 && text !== "0.00" ? `−${text}` : text;
}

function formatShare(x: number | null): string {
  return x === null ? DASH : formatAccuracy(x);
}

/** Matrix column headings: three letters for the emotions, as on the model pages. */
function shortLabel(label: string): string {
  if (label === "not_a_face") return "n/f";
  if (label === "unsure") return "c/t";
  return label.slice(0, 3);
}

export function ReviewersReport({ canManageSettings }: { canManageSettings: boolean }) {
  const { data, error, refresh } = useApiData<AgreementSummary>("/api/agreement");
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const selected = data?.reviewers.find((r) => r.id === selectedId) ?? null;

  if (!data) {
    return (
      <section className="card">
        <ListStatus items={null} error={error} onRetry={() => void refresh()} loading="Loading agreement…" empty="" />
      </section>
    );
  }

  const { overall, faces } = data;
  const columns: Column<ReviewerAgreement>[] = [
    {
      header: "Reviewer",
      className: styles.reviewerCell,
      sortValue: (r) => r.email,
      cell: (r) => (
        <span className={styles.reviewer}>
          <button
            type="button"
            className={styles.reviewerButton}
            aria-pressed={r.id === selectedId}
            aria-controls="reviewer-matrix"
            onClick={() => setSelectedId(r.id === selectedId ? null : r.id)}
          >
            {r.email}
          </button>
          {r.name ? <span className="muted small">{r.name}</span> : null}
          {r.flagged ? (
            <span
              className={`status-chip is-failed ${styles.flag}`}
              title="Control accuracy under the minimum set in Review settings"
              data-testid="flagged"
            >
              Flagged
            </span>
          ) : null}
          {r.last_verdict_at ? (
            <span className={`muted ${styles.last}`}>
              last verdict <time dateTime={r.last_verdict_at}>{formatDateTime(r.last_verdict_at)}</time>
            </span>
          ) : null}
        </span>
      ),
    },
    {
      header: "Verdicts",
      ...NUMERIC,
      sortValue: (r) => r.verdicts,
      cell: (r) => r.verdicts,
    },
    {
      header: "Agreement",
      ...NUMERIC,
      sortValue: (r) => r.agreement,
      testId: "reviewer-agreement",
      cell: (r) => (
        <>
          {formatShare(r.agreement)}
          {r.compared ? <span className={styles.sub}>of {r.compared}</span> : null}
        </>
      ),
    },
    {
      header: (
        <>
          Cohen’s <span className={styles.greek}>κ</span>
        </>
      ),
      ...NUMERIC,
      sortValue: (r) => r.kappa,
      testId: "reviewer-kappa",
      cell: (r) => formatCoefficient(r.kappa),
    },
    {
      header: "Controls",
      ...NUMERIC,
      sortValue: (r) => r.controls,
      cell: (r) => r.controls,
    },
    {
      header: "Control accuracy",
      ...NUMERIC,
      sortValue: (r) => r.control_accuracy,
      cell: (r) => formatShare(r.control_accuracy),
    },
    {
      header: "Median time",
      className: "num",
      headerClassName: "num",
      sortValue: (r) => r.median_seconds,
      cell: (r) => (r.median_seconds === null ? DASH : `${r.median_seconds.toFixed(1)} s`),
    },
    {
      header: "Not a face",
      ...NUMERIC,
      sortValue: (r) => r.not_a_face,
      cell: (r) => r.not_a_face,
    },
    {
      header: "Can’t tell",
      ...NUMERIC,
      sortValue: (r) => r.unsure,
      cell: (r) => r.unsure,
    },
  ];

  return (
    <div className="stack-lg">
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className={styles.summary}>
        <section className="card" aria-labelledby="overall-heading" data-testid="overall-agreement">
          <h2 id="overall-heading">Agreement</h2>
          <dl className={styles.figures}>
            <div>
              <dt>Percent agreement</dt>
              <dd data-testid="percent-agreement">{formatShare(overall.percent_agreement)}</dd>
            </div>
            <div>
              <dt>Fleiss’ κ</dt>
              <dd data-testid="fleiss-kappa">{formatCoefficient(overall.fleiss_kappa)}</dd>
            </div>
            <div>
              <dt>Krippendorff’s α</dt>
              <dd data-testid="krippendorff-alpha">{formatCoefficient(overall.krippendorff_alpha)}</dd>
            </div>
          </dl>
          <p className="muted small" data-testid="overall-faces">
            Over {plural(overall.faces, "face")} with ≥ 2 verdicts (control answers left out).
          </p>
          <p className={`small ${styles.explain}`}>
            Percent agreement is the share of pairs of verdicts on a face that match. κ (kappa) and α (alpha) correct it
            for chance: 1 is perfect agreement, 0 is what answering at random would reach, below 0 is worse than chance.
            Above 0.6 is usually read as substantial, above 0.8 as almost perfect.
          </p>
        </section>

        <section className="card" aria-labelledby="faces-heading" data-testid="face-states">
          <h2 id="faces-heading">Faces</h2>
          <dl className={styles.states}>
            <div>
              <dt>Open</dt>
              <dd data-testid="faces-open">{faces.open}</dd>
            </div>
            <div>
              <dt>Agreed</dt>
              <dd data-testid="faces-agreed">{faces.agreed}</dd>
            </div>
            <div>
              <dt>Conflict</dt>
              <dd data-testid="faces-conflict">
                {faces.conflict}
                {faces.conflict > 0 ? (
                  <Link href="/adjudication" className={styles.decideLink}>
                    Decide
                  </Link>
                ) : null}
              </dd>
            </div>
            <div>
              <dt>Adjudicated</dt>
              <dd data-testid="faces-adjudicated">{faces.adjudicated}</dd>
            </div>
            <div>
              <dt>Not a face</dt>
              <dd data-testid="faces-not-a-face">{faces.not_a_face}</dd>
            </div>
            <div>
              <dt>Can’t tell</dt>
              <dd data-testid="faces-unsure">{faces.unsure}</dd>
            </div>
          </dl>
          <p className="muted small">
            Open faces still need verdicts; a conflict is a tie that waits for an admin. “Not a face” and “Can’t tell”
            count the agreed or decided faces with that answer.
          </p>
        </section>
      </div>

      <section className="card flush" aria-labelledby="reviewers-heading">
        <div className="card-head">
          <h2 id="reviewers-heading">Each reviewer against the others</h2>
          <p className="muted small" data-testid="control-threshold">
            {data.control_threshold ? (
              <>
                Flagged: control accuracy under {formatAccuracy(data.control_threshold.min_accuracy)} after at least{" "}
                {plural(data.control_threshold.min_answers, "control answer")}.
              </>
            ) : (
              <>
                Flagging is off.
                {canManageSettings ? (
                  <>
                    {" "}
                    Set a minimum control accuracy in <Link href="/admin/review-settings">Review settings</Link>.
                  </>
                ) : null}
              </>
            )}
          </p>
        </div>
        <p className={`muted small ${styles.tableNote}`}>
          Agreement and κ compare each verdict with the label most of the <em>other</em> reviewers of the face gave.
          Sort by a column with its heading; choose a reviewer to see their confusion matrix.
        </p>
        <DataTable
          rows={data.reviewers}
          columns={columns}
          rowKey={(r) => r.id}
          rowAttributes={(r) => ({
            "data-testid": "reviewer-row",
            "data-reviewer": r.email,
            className: r.id === selectedId ? styles.isSelected : undefined,
          })}
          testId="reviewers-table"
          className={`table-compact ${styles.reviewersTable}`}
          defaultSort={{ column: 1, direction: "desc" }}
          status={{ error: null, loading: "", empty: "No verdicts yet.", flush: true }}
        />
      </section>

      <p className="sr-only" aria-live="polite">
        {selected ? `Showing the confusion matrix of ${selected.email} below the table.` : ""}
      </p>
      <section id="reviewer-matrix" className="card" aria-labelledby="matrix-heading" data-testid="reviewer-matrix">
        {selected ? (
          <ReviewerMatrix reviewer={selected} labels={data.labels} />
        ) : (
          <>
            <h2 id="matrix-heading">Confusion matrix</h2>
            <p className="muted">Choose a reviewer in the table to compare their labels with the others’ consensus.</p>
          </>
        )}
      </section>
    </div>
  );
}

function ReviewerMatrix({ reviewer, labels }: { reviewer: ReviewerAgreement; labels: readonly string[] }) {
  const name = reviewer.name ?? reviewer.email;
  return (
    <>
      <h2 id="matrix-heading">{name} against the others</h2>
      <p className="muted small">
        {reviewer.compared
          ? `${plural(reviewer.compared, "face")} compared: agreement ${formatShare(reviewer.agreement)}, κ ${formatCoefficient(reviewer.kappa)}. Rows are the other reviewers’ consensus, columns ${name}’s label; the diagonal is agreement.`
          : `No face of ${name}’s has verdicts from others with a clear majority yet.`}
      </p>
      {reviewer.compared ? (
        <ConfusionMatrix
          labels={labels}
          matrix={reviewer.confusion}
          mode="counts"
          caption={`Confusion matrix of ${name}`}
          axes={{ rows: "others", columns: "theirs" }}
          labelName={labelText}
          shortLabel={shortLabel}
        />
      ) : null}
    </>
  );
}
