"use client";

import { useState } from "react";
import Link from "next/link";
import { ListStatus } from "../_components/list-status";
import { useApiData } from "../_components/use-api-data";
import type { ModelVersionRow } from "../_components/api-types";
import { formatAccuracy, formatDate, formatDateTime, formatScore, formatTime } from "../_components/format";
import { ModelStatusBadge } from "../_components/status-badge";
import { ActivateDialog, activationKind, canActivate } from "./activate-dialog";
import { readMetrics, type EvalMetrics } from "./metrics";

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
      <ListStatus items={models} error={listError} onRetry={() => void refresh()} loading="Loading versions…" empty="No model is installed yet." flush />
      {models && models.length > 0 ? (
        <div className="table-wrap">
          <table className="table versions-table" data-testid="versions-table">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Status</th>
                <th scope="col">Lineage</th>
                <th scope="col">Held-out</th>
                <th scope="col">Golden set</th>
                <th scope="col">Created</th>
                <th scope="col">Activated</th>
                {canManage ? (
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {models.map((m) => (
                <VersionRow
                  key={m.id}
                  model={m}
                  active={active}
                  canManage={canManage}
                  canSeeJobs={canSeeJobs}
                  onActivate={() => {
                    setStatus("");
                    setConfirming(m);
                  }}
                />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {models && models.length > 0 ? (
        <p className="muted small card-foot">
          Held-out and golden figures are each version’s own, measured when it was trained. Open a version to compare it with
          the active one on the same faces.
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

function VersionRow({
  model: m,
  active,
  canManage,
  canSeeJobs,
  onActivate,
}: {
  model: ModelVersionRow;
  active: ModelVersionRow | null;
  canManage: boolean;
  canSeeJobs: boolean;
  onActivate: () => void;
}) {
  const metrics = readMetrics(m.metrics);
  const isActive = m.status === "ACTIVE";
  return (
    <tr
      className={isActive ? "is-current" : m.status === "FAILED" ? "is-muted" : undefined}
      data-testid="model-row"
      data-version={m.version}
      data-status={m.status}
    >
      <td>
        <Link href={`/models/${m.id}`} className="version-link">
          Version {m.version}
        </Link>
        <span className="block muted small">{m.name}</span>
      </td>
      <td>
        <ModelStatusBadge status={m.status} />
        {m.status_reason ? <span className="status-reason">{m.status_reason}</span> : null}
      </td>
      <td className="cell-lineage small">
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
      </td>
      <td>
        {metrics.kind === "trained" ? (
          <Score metrics={metrics.data.holdout} />
        ) : metrics.kind === "summary" ? (
          <span className="score">
            {metrics.data.accuracy !== undefined ? <span className="score-main">{formatAccuracy(metrics.data.accuracy)}</span> : null}
            {metrics.data.macro_f1 !== undefined ? <span className="score-sub">F1 {formatScore(metrics.data.macro_f1)}</span> : null}
            <span className="score-sub">{metrics.data.dataset ?? "from its metadata"}</span>
          </span>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td>{metrics.kind === "trained" && metrics.data.golden ? <Score metrics={metrics.data.golden} /> : <span className="muted">—</span>}</td>
      <td className="cell-time">
        <StackedTime iso={m.created_at} />
      </td>
      <td className="cell-time">
        {m.activated_at ? (
          <>
            <StackedTime iso={m.activated_at} />
            <span className="block small">{m.activated_by ? `by ${m.activated_by.email}` : "automatically"}</span>
          </>
        ) : (
          <span className="muted">never</span>
        )}
      </td>
      {canManage ? (
        <td className="cell-actions">
          {canActivate(m) ? (
            <button type="button" className="btn btn-ghost btn-small" onClick={onActivate}>
              {activationButtonText(m, active)}
              <span className="sr-only"> (version {m.version})</span>
            </button>
          ) : null}
        </td>
      ) : null}
    </tr>
  );
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
    <span className="score">
      <span className="score-main">{formatAccuracy(metrics.accuracy)}</span>
      <span className="score-sub">
        F1 {formatScore(metrics.macro_f1)} · n={metrics.n}
      </span>
    </span>
  );
}
