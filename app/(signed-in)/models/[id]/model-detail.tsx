"use client";

import { useCallback, useEffect, useState } from "react";
import { EMOTION_LABELS } from "@/lib/model/labels";
import { ApiError, apiFetchBody, errorMessage } from "../../_components/api-client";
import type { ModelDetail, ModelVersionRow } from "../../_components/api-types";
import { BackLink } from "../../_components/back-link";
import { formatDateTime } from "../../_components/format";
import { ModelStatusBadge } from "../../_components/status-badge";
import { ActivateDialog, activationKind, activationLabel, canActivate } from "../activate-dialog";
import { compareVersions } from "../compare";
import { readMetrics } from "../metrics";
import { pickCounterpart } from "./counterpart";
import { Evaluation } from "./evaluation";
import { HistoryList } from "./history-list";
import { Lineage } from "./lineage";
import { TrainingCurves } from "./training-curves";

interface Props {
  id: number;
  canManage: boolean;
  canSeeJobs: boolean;
  /** The version to compare with, from the address (`?with=<id>`); null: the page chooses. */
  compareWith: number | null;
}

/** One version beside another: scores, per-class F1, confusion matrices, curves, lineage, history. */
export function ModelDetailView({ id, canManage, canSeeJobs, compareWith }: Props) {
  const [detail, setDetail] = useState<ModelDetail | null>(null);
  /** Every version: the ones it can be compared with. */
  const [all, setAll] = useState<ModelVersionRow[]>([]);
  /** The version chosen to compare with; kept in the address so a link shows the same comparison. */
  const [withId, setWithId] = useState(compareWith);
  const [loadError, setLoadError] = useState<{ message: string; notFound: boolean } | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [status, setStatus] = useState("");

  const refresh = useCallback(async () => {
    try {
      const [one, list] = await Promise.all([
        apiFetchBody<ModelDetail>(`/api/models/${id}`),
        apiFetchBody<{ models: ModelVersionRow[] }>("/api/models"),
      ]);
      setDetail(one);
      setAll(list.models);
      setLoadError(null);
    } catch (err) {
      setLoadError({ message: errorMessage(err), notFound: err instanceof ApiError && err.status === 404 });
    }
  }, [id]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  if (loadError && !detail) {
    return (
      <>
        <BackLink href="/models">← All versions</BackLink>
        <div className={loadError.notFound ? "notice" : "notice notice-error"} role="alert">
          <h1>{loadError.notFound ? `No model version ${id}` : "Couldn’t load this version"}</h1>
          <p>{loadError.message}</p>
          {loadError.notFound ? null : (
            <button type="button" className="btn btn-primary" onClick={() => void refresh()}>
              Try again
            </button>
          )}
        </div>
      </>
    );
  }
  if (!detail) {
    return (
      <>
        <BackLink href="/models">← All versions</BackLink>
        <p className="muted status-line" aria-busy="true">
          <span className="spinner" aria-hidden="true" /> Loading version…
        </p>
      </>
    );
  }

  const { model, active, history } = detail;
  const metrics = readMetrics(model.metrics);
  const isActive = active?.id === model.id;
  const counterpart = pickCounterpart(model, all, withId);
  const comparison = compareVersions(model, counterpart?.version ?? null);
  const otherHeading = counterpart ? `v${counterpart.version.version} (${counterpart.short})` : "";
  const choose = (other: number) => {
    setWithId(other);
    window.history.replaceState(null, "", `/models/${model.id}?with=${other}`);
  };
  const labels = model.labels.length ? model.labels : EMOTION_LABELS;
  const kind = activationKind(model, active);

  return (
    <>
      <BackLink href="/models">← All versions</BackLink>
      <div className="page-head detail-head">
        <div>
          <h1>
            Version {model.version} <ModelStatusBadge status={model.status} />
          </h1>
          <p className="muted">
            {model.name} · created {formatDateTime(model.created_at)}
            {model.activated_at ? (
              <>
                {" "}
                · {isActive ? "active since" : "last active"} {formatDateTime(model.activated_at)}
                {model.activated_by ? ` by ${model.activated_by.email}` : " (automatically)"}
              </>
            ) : null}
          </p>
        </div>
        {canManage && canActivate(model) ? (
          <button type="button" className="btn btn-primary" onClick={() => setConfirming(true)}>
            {activationLabel(kind, model.version)}…
          </button>
        ) : null}
      </div>

      <p className="form-success" aria-live="polite" data-testid="detail-status">
        {status}
      </p>
      {loadError ? (
        <p className="form-error" role="alert">
          {loadError.message}
        </p>
      ) : null}
      <div className="stack-lg detail-body">
        {model.status_reason ? (
          <div className={model.status === "FAILED" ? "notice notice-error" : "notice notice-warning"}>
            <p>
              <strong>
                {model.status === "FAILED" ? "Failed: " : model.status === "CANDIDATE" ? "Kept as a candidate: " : ""}
              </strong>
              {model.status_reason}
            </p>
          </div>
        ) : null}

        <Evaluation
          model={model}
          versions={all}
          onChoose={choose}
          comparison={comparison}
          counterpart={counterpart}
          labels={labels}
          targetHeading={`v${model.version} (this)`}
          otherHeading={otherHeading}
        />

        {metrics.kind === "trained" && metrics.data.training && metrics.data.training.epochs.length > 0 ? (
          <TrainingCurves training={metrics.data.training} />
        ) : null}

        <div className="detail-grid">
          <Lineage model={model} metrics={metrics.kind === "trained" ? metrics.data : null} canSeeJobs={canSeeJobs} />
          <HistoryList history={history} />
        </div>
      </div>

      {confirming ? (
        <ActivateDialog
          target={model}
          active={active}
          onDismiss={() => setConfirming(false)}
          onActivated={async (m) => {
            await refresh();
            setConfirming(false);
            setStatus(`Version ${m.version} is now active.`);
          }}
        />
      ) : null}
    </>
  );
}
