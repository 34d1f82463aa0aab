"use client";

import { useState } from "react";
import Link from "next/link";
import { actionsHeader, DataTable, type Column } from "../_components/data-table";
import { useApiData } from "../_components/use-api-data";
import type { ModelVersionRow } from "../_components/api-types";
import { formatAccuracy, formatDate, formatDateTime, formatScore, formatTime } from "../_components/format";
import { ModelStatusBadge } from "../_components/status-badge";
import { ActivateDialog, activationKind, canActivate } from "./activate-dialog";
import { fromEval, uncertaintyOf, type Figures } from "./compare";
import { intervalText, smallSampleText } from "./figure-text";
import { readMetrics } from "./metrics";
import styles from "./model-versions.module.css";

interface Props {
  canManage: boolean;
  /** Training jobs are an admin page: others see the job number without a link. */
  canSeeJobs: boolean;
}

export function ModelVersions({ canManage, canSeeJobs }: Props) {
  const { data: list, error: listError, refresh } = useApiData<{ models: ModelVersionRow[] }>("/api/models");
  const models = list?.models ?? null;
  const [confirming, setConfirming] = useState<ModelVersionRow | null>(null);
  const [status, setStatus] = useState("");

  const active = models?.find((m) => m.status === "ACTIVE") ?? null;

  return (
    <section className="card flush" aria-labelledby="versions-heading" aria-busy={models === null && !listError}>
      <div className="card-head">
        <h2 id="versions-heading">Versions</h2>
        {active ? (
          <p className="muted small" data-testid="active-summary">
            Active: <strong>version {active.version}</strong> · {active.name}
          </p>
        ) : models ? (
          <p className="muted small">No version is active: uploads are refused until one is.</p>
        ) : null}
      </div>
      <p className="form-success card-status" aria-live="polite" data-testid="models-status">
        {status}
      </p>
      <DataTable
        rows={models}
        testId="versions-table"
        className={styles.versionsTable}
        rowKey={(m) => m.id}
        rowAttributes={(m) => ({
          className: m.status === "ACTIVE" ? styles.isCurrent : m.status === "FAILED" ? "is-muted" : undefined,
          "data-testid": "model-row",
          "data-version": m.version,
          "data-status": m.status,
        })}
        status={{
          error: listError,
          onRetry: () => void refresh(),
          loading: "Loading versions…",
          empty: "No model is installed yet.",
          flush: true,
        }}
        columns={[
          ...columns(canSeeJobs),
          ...(canManage
            ? [
                {
                  header: actionsHeader,
                  className: "cell-actions",
                  cell: (m: ModelVersionRow) =>
                    canActivate(m) ? (
                      <button
                        type="button"
                        className="btn btn-ghost btn-small"
                        onClick={() => {
                          setStatus("");
                          setConfirming(m);
                        }}
                      >
                        {activationButtonText(m, active)}
                        <span className="sr-only"> (version {m.version})</span>
                      </button>
                    ) : null,
                },
              ]
            : []),
        ]}
      />
      {models && models.length > 0 ? (
        <p className="muted small card-foot">
          Each figure is the version’s own, on the faces named under it (a training run’s held-out slice and the golden
          set as it was then, or the test set an installed model came with), so figures in one column are not on the
          same faces and are not a ranking. Open a version to compare it with another on the same faces.
        </p>
      ) : null}

      {confirming ? (
        <ActivateDialog
          target={confirming}
          active={active}
          onDismiss={() => setConfirming(null)}
          onActivated={async (model) => {
            await refresh();
            setConfirming(null);
            setStatus(`Version ${model.version} is now active.`);
          }}
        />
      ) : null}
    </section>
  );
}

/** Every column but the actions, which need the page's state. */
function columns(canSeeJobs: boolean): Column<ModelVersionRow>[] {
  return [
    {
      header: "Version",
      cell: (m) => (
        <>
          <Link href={`/models/${m.id}`} className="version-link">
            Version {m.version}
          </Link>
          <span className="block muted small">{m.name}</span>
        </>
      ),
    },
    {
      header: "Status",
      cell: (m) => (
        <>
          <ModelStatusBadge status={m.status} />
          {m.status_reason ? <span className={styles.statusReason}>{m.status_reason}</span> : null}
        </>
      ),
    },
    {
      header: "Lineage",
      className: `${styles.cellLineage} small`,
      cell: (m) => (
        <>
          {m.parent_version !== null && m.parent_id !== null ? (
            <span className="block">
              from <Link href={`/models/${m.parent_id}`}>v{m.parent_version}</Link>
            </span>
          ) : (
            <span className="block muted">no parent</span>
          )}
          {m.job ? (
            <span className="block">
              {canSeeJobs ? <Link href={`/training/${m.job.id}`}>job #{m.job.id}</Link> : <>job #{m.job.id}</>}
              {m.job.snapshot_size !== null ? <span className="muted"> · {m.job.snapshot_size} faces</span> : null}
            </span>
          ) : null}
        </>
      ),
    },
    {
      // Each version's figures are on faces of their own (a training run's held-out slice, or the
      // test set an installed model came with): every cell names them, and nothing here is a ranking.
      header: "Own evaluation",
      cell: (m) => {
        const metrics = readMetrics(m.metrics);
        return metrics.kind === "trained" ? (
          <Score figures={fromEval(metrics.data.holdout, "held-out slice")} />
        ) : metrics.kind === "summary" ? (
          <Score
            figures={{
              n: metrics.data.n ?? null,
              accuracy: metrics.data.accuracy ?? null,
              macroF1: metrics.data.macro_f1 ?? null,
              full: null,
              set: metrics.data.dataset ?? "its own test set",
            }}
          />
        ) : (
          <span className="muted">—</span>
        );
      },
    },
    {
      header: "Golden set at training",
      cell: (m) => {
        const metrics = readMetrics(m.metrics);
        return metrics.kind === "trained" && metrics.data.golden ? (
          <Score figures={fromEval(metrics.data.golden, "golden set at training")} />
        ) : (
          <span className="muted">—</span>
        );
      },
    },
    { header: "Created", className: "cell-time", cell: (m) => <StackedTime iso={m.created_at} /> },
    {
      header: "Activated",
      className: "cell-time",
      cell: (m) =>
        m.activated_at ? (
          <>
            <StackedTime iso={m.activated_at} />
            <span className="block small">{m.activated_by ? `by ${m.activated_by.email}` : "automatically"}</span>
          </>
        ) : (
          <span className="muted">never</span>
        ),
    },
  ];
}

function activationButtonText(m: ModelVersionRow, active: ModelVersionRow | null): string {
  const kind = activationKind(m, active);
  if (kind === "rollback") return "Roll back to this…";
  return kind === "promote" ? "Promote…" : "Activate…";
}

function StackedTime({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      <span className="block">{formatDate(iso)}</span>
      <span className="block small">{formatTime(iso)}</span>
    </time>
  );
}

/**
 * One version's own figure with the faces it is on; under 100 faces, with its Wilson interval and
 * the warning that it means little.
 */
function Score({ figures }: { figures: Figures }) {
  const u = uncertaintyOf(figures);
  return (
    <span className={styles.score} data-testid="own-score" data-set={figures.set} data-n={figures.n ?? ""}>
      {figures.accuracy !== null ? <span className={styles.scoreMain}>{formatAccuracy(figures.accuracy)}</span> : null}
      {u?.small && u.accuracy ? (
        <span className={styles.scoreSub}>{intervalText(u.accuracy, "percent")} (Wilson)</span>
      ) : null}
      {figures.macroF1 !== null ? <span className={styles.scoreSub}>F1 {formatScore(figures.macroF1)}</span> : null}
      <span className={styles.scoreSub}>
        {figures.set}
        {figures.n !== null ? `, n = ${figures.n.toLocaleString("en")}` : ""}
      </span>
      {u?.small ? <span className={styles.scoreWarn}>{smallSampleText(u.n)}</span> : null}
    </span>
  );
}
