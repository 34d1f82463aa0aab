"use client";

import { useState } from "react";
import Link from "next/link";
import { actionsHeader, DataTable, type Column } from "../_components/data-table";
import { useApiData } from "../_components/use-api-data";
import type { ModelVersionRow } from "../_components/api-types";
import { formatAccuracy, formatDate, formatDateTime, formatScore, formatTime } from "../_components/format";
import { ModelStatusBadge } from "../_components/status-badge";
import { ActivateDialog, activationKind, canActivate } from "./activate-dialog";
import { readMetrics, type EvalMetrics } from "./metrics";
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
          Held-out and golden figures are each version’s own, measured when it was trained. Open a version to compare it
          with the active one on the same faces.
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
      header: "Held-out",
      cell: (m) => {
        const metrics = readMetrics(m.metrics);
        return metrics.kind === "trained" ? (
          <Score metrics={metrics.data.holdout} />
        ) : metrics.kind === "summary" ? (
          <span className={styles.score}>
            {metrics.data.accuracy !== undefined ? (
              <span className={styles.scoreMain}>{formatAccuracy(metrics.data.accuracy)}</span>
            ) : null}
            {metrics.data.macro_f1 !== undefined ? (
              <span className={styles.scoreSub}>F1 {formatScore(metrics.data.macro_f1)}</span>
            ) : null}
            <span className={styles.scoreSub}>{metrics.data.dataset ?? "from its metadata"}</span>
          </span>
        ) : (
          <span className="muted">—</span>
        );
      },
    },
    {
      header: "Golden set",
      cell: (m) => {
        const metrics = readMetrics(m.metrics);
        return metrics.kind === "trained" && metrics.data.golden ? (
          <Score metrics={metrics.data.golden} />
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

function Score({ metrics }: { metrics: EvalMetrics }) {
  return (
    <span className={styles.score}>
      <span className={styles.scoreMain}>{formatAccuracy(metrics.accuracy)}</span>
      <span className={styles.scoreSub}>
        F1 {formatScore(metrics.macro_f1)} · n={metrics.n}
      </span>
    </span>
  );
}
