"use client";

import { useCallback, useEffect, useState } from "react";
import Link from "next/link";
import { z } from "zod";
import { EMOTION_LABELS } from "@/lib/model/labels";
import { describeTestTimeAugmentation } from "@/lib/model/test-time-augmentation";
import { ApiError, apiFetchBody, errorMessage } from "../../_components/api-client";
import type { ModelDetail, ModelHistoryEntry, ModelVersionRow } from "../../_components/api-types";
import { formatAccuracy, formatDateTime, formatDuration, plural } from "../../_components/format";
import { EpochCharts } from "../../_components/epoch-charts";
import { ModelStatusBadge } from "../../_components/status-badge";
import { ActivateDialog, activationKind, activationLabel, canActivate } from "../activate-dialog";
import { compareVersions, confusionDifference, type Comparison, type SetComparison } from "../compare";
import { ConfusionMatrix } from "../confusion-matrix";
import { MetricComparisonTable, ScoreTiles } from "../metric-comparison";
import { readMetrics, type TrainedMetrics } from "../metrics";

interface Props {
  id: number;
  canManage: boolean;
  canSeeJobs: boolean;
}

/** One version beside the active one: scores, per-class F1, confusion matrices, curves, lineage, history. */
export function ModelDetailView({ id, canManage, canSeeJobs }: Props) {
  const [detail, setDetail] = useState<ModelDetail | null>(null);
  /** Every version, to find the one this is best compared with when it is the active one. */
  const [all, setAll] = useState<ModelVersionRow[]>([]);
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
        <BackLink />
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
        <BackLink />
        <p className="muted status-line" aria-busy="true">
          <span className="spinner" aria-hidden="true" /> Loading version…
        </p>
      </>
    );
  }

  const { model, active, history } = detail;
  const metrics = readMetrics(model.metrics);
  const isActive = active?.id === model.id;
  const counterpart = pickCounterpart(model, active, all);
  const comparison = compareVersions(model, counterpart?.version ?? null);
  const otherHeading = counterpart ? `v${counterpart.version.version} (${counterpart.short})` : "";
  const labels = model.labels.length ? model.labels : EMOTION_LABELS;
  const kind = activationKind(model, active);

  return (
    <>
      <BackLink />
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
              <strong>{model.status === "FAILED" ? "Failed: " : model.status === "CANDIDATE" ? "Kept as a candidate: " : ""}</strong>
              {model.status_reason}
            </p>
          </div>
        ) : null}

        <Evaluation
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

interface Counterpart {
  version: Pick<ModelVersionRow, "version" | "metrics"> & { id: number | null };
  /** Why this one: for the heading and the column. */
  role: string;
  short: string;
}

/**
 * The version to read this one beside: the active one; for the active version itself, the one it
 * replaced (scored on the same faces when it was trained); failing that, the newest version that
 * was judged against it, which is where a baseline's only figures live.
 */
function pickCounterpart(model: ModelVersionRow, active: ModelVersionRow | null, all: ModelVersionRow[]): Counterpart | null {
  if (active && active.id !== model.id) return { version: active, role: "the active one", short: "active" };
  const m = readMetrics(model.metrics);
  const previous = m.kind === "trained" ? m.data.active_version : null;
  if (previous !== null && previous !== model.version) {
    const row = all.find((v) => v.version === previous);
    return { version: row ?? { id: null, version: previous, metrics: null }, role: "which it replaced", short: "before" };
  }
  const later = all.find((v) => {
    const vm = readMetrics(v.metrics);
    return v.id !== model.id && vm.kind === "trained" && vm.data.active_version === model.version;
  });
  return later ? { version: later, role: "which was judged against it", short: "later" } : null;
}

function BackLink() {
  return (
    <p className="back-link">
      <Link href="/models">← All versions</Link>
    </p>
  );
}

function Evaluation({
  comparison,
  counterpart,
  labels,
  targetHeading,
  otherHeading,
}: {
  comparison: Comparison;
  counterpart: Counterpart | null;
  labels: readonly string[];
  targetHeading: string;
  otherHeading: string;
}) {
  const full = comparison.sets.filter((s) => s.target?.full || s.other?.full);
  const [chosen, setChosen] = useState<SetComparison["key"]>("holdout");
  const set = full.find((s) => s.key === chosen) ?? full[0];

  return (
    <section className="stack" aria-labelledby="evaluation-heading">
      <div className="section-head">
        <div>
          <h2 id="evaluation-heading">
            {counterpart ? (
              <>
                Compared with{" "}
                {counterpart.version.id !== null ? (
                  <Link href={`/models/${counterpart.version.id}`}>version {counterpart.version.version}</Link>
                ) : (
                  `version ${counterpart.version.version}`
                )}
                , {counterpart.role}
              </>
            ) : (
              "Evaluation"
            )}
          </h2>
          {comparison.sets.length > 0 ? <p className="muted small">{comparison.basis}</p> : null}
        </div>
        {full.length > 1 ? (
          <div className="segmented" role="radiogroup" aria-labelledby="set-label">
            <span id="set-label" className="segmented-label">
              Faces
            </span>
            {full.map((s) => (
              <label key={s.key} className="segmented-option">
                <input type="radio" name="evaluation-set" value={s.key} checked={set?.key === s.key} onChange={() => setChosen(s.key)} />
                <span>{s.key === "golden" ? "Golden set" : "Held-out slice"}</span>
              </label>
            ))}
          </div>
        ) : null}
      </div>

      {comparison.sets.length === 0 ? (
        <div className="card">
          <p className="empty-inline">
            No evaluation figures yet. A version installed rather than trained here is scored for the first time beside the
            first candidate trained while it is active; its figures then appear here.
          </p>
        </div>
      ) : (
        <>
          <section className="card" aria-labelledby="scores-heading">
            <h3 id="scores-heading">Scores</h3>
            <div className="scores-layout">
              <ScoreTiles comparison={comparison} otherHeading={otherHeading} />
              <div>
                <h4 className="small-heading">F1 per class · {set?.key === "golden" ? "golden set" : "held-out slice"}</h4>
                <MetricComparisonTable
                  comparison={comparison}
                  labels={labels}
                  targetHeading={targetHeading}
                  otherHeading={otherHeading}
                  caption="F1 per class"
                  perClassFrom={set?.key ?? null}
                  include="per-class"
                />
              </div>
            </div>
          </section>
          <section className="card" aria-labelledby="matrices-heading">
            <h3 id="matrices-heading">Confusion matrices</h3>
            {set ? (
              <Matrices set={set} labels={labels} targetHeading={targetHeading} otherHeading={otherHeading} sameData={comparison.sameData} />
            ) : (
              <p className="empty-inline">No confusion matrix was stored for these figures.</p>
            )}
          </section>
        </>
      )}
    </section>
  );
}

function Matrices({
  set,
  labels,
  targetHeading,
  otherHeading,
  sameData,
}: {
  set: SetComparison;
  labels: readonly string[];
  targetHeading: string;
  otherHeading: string;
  sameData: boolean;
}) {
  const mine = set.target?.full?.confusion;
  const theirs = set.other?.full?.confusion;
  const difference = sameData ? confusionDifference(mine, theirs) : null;
  const where = set.key === "golden" ? "golden set" : "held-out slice";
  return (
    <div className="matrices">
      <p className="muted small">Rows are the true emotion, columns the prediction; the diagonal is right.</p>
      <div className="matrices-grid">
        {mine ? <ConfusionMatrix labels={labels} matrix={mine} mode="counts" caption={`${targetHeading}, ${where}`} /> : null}
        {theirs ? <ConfusionMatrix labels={labels} matrix={theirs} mode="counts" caption={`${otherHeading}, ${where}`} /> : null}
        {difference ? (
          <ConfusionMatrix labels={labels} matrix={difference} mode="difference" caption={`Difference: ${targetHeading} − ${otherHeading}`} />
        ) : null}
      </div>
      {difference ? (
        <>
          <p className="matrix-legend small">
            <span className="legend-swatch is-better" aria-hidden="true" /> better (more right, or fewer of that mistake)
            <span className="legend-swatch is-worse" aria-hidden="true" /> worse
          </p>
        </>
      ) : mine && theirs ? (
        <p className="muted small">No difference matrix: the two were measured on different faces.</p>
      ) : null}
    </div>
  );
}

function TrainingCurves({ training }: { training: NonNullable<TrainedMetrics["training"]> }) {
  const epochs = training.epochs;
  const hasVal = epochs.some((e) => e.valLoss !== null);
  return (
    <section className="card chart-container" aria-labelledby="curves-heading">
      <h2 id="curves-heading">Training curves</h2>
      <p className="muted small">
        {plural(epochs.length, "epoch")}
        {training.durationSeconds !== null ? ` in ${formatDuration(training.durationSeconds)}` : ""}
        {training.backend ? ` on ${training.backend}` : ""}
        {hasVal ? "" : " · no validation split (no replay data)"}
      </p>
      <EpochCharts epochs={epochs} xMax={epochs.length} />
    </section>
  );
}

function Lineage({ model, metrics, canSeeJobs }: { model: ModelVersionRow; metrics: TrainedMetrics | null; canSeeJobs: boolean }) {
  const snap = metrics?.snapshot ?? null;
  return (
    <section className="card" aria-labelledby="lineage-heading">
      <h2 id="lineage-heading">Lineage</h2>
      <dl className="facts">
        <div>
          <dt>Parent</dt>
          <dd>
            {model.parent_id !== null && model.parent_version !== null ? (
              <Link href={`/models/${model.parent_id}`}>Version {model.parent_version}</Link>
            ) : (
              <span className="muted">None — installed, not trained here</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Training job</dt>
          <dd>
            {model.job ? (
              canSeeJobs ? (
                <Link href={`/training/${model.job.id}`}>Job #{model.job.id}</Link>
              ) : (
                `Job #${model.job.id}`
              )
            ) : (
              <span className="muted">—</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Snapshot</dt>
          <dd>
            {snap || model.job?.snapshot_hash ? (
              <>
                <code title={snap?.hash ?? model.job?.snapshot_hash ?? undefined}>{(snap?.hash ?? model.job?.snapshot_hash ?? "").slice(0, 12)}</code>
                {snap ? (
                  <span className="block small muted">
                    {snap.train} trained on · {snap.holdout} held out · {snap.golden} golden · {snap.replay} replayed
                  </span>
                ) : model.job?.snapshot_size != null ? (
                  <span className="block small muted">{plural(model.job.snapshot_size, "face")}</span>
                ) : null}
              </>
            ) : (
              <span className="muted">—</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Checksum</dt>
          <dd>
            <code title={model.checksum}>{model.checksum.slice(0, 12)}</code>
          </dd>
        </div>
        <div>
          <dt>Classes</dt>
          <dd className="small">{model.labels.join(", ")}</dd>
        </div>
        <div>
          <dt>Prediction</dt>
          <dd className="small">{describeTestTimeAugmentation(model.test_time_augmentation)}</dd>
        </div>
        {metrics?.holdout ? (
          <div>
            <dt>Calibration</dt>
            <dd>
              ECE {formatAccuracy(metrics.holdout.ece)} <span className="muted small">on the held-out slice (lower is better)</span>
            </dd>
          </div>
        ) : null}
      </dl>
    </section>
  );
}

const auditDetailsSchema = z.object({
  reason: z.string().optional(),
  from: z.object({ version: z.number() }).nullable().optional(),
  to: z.object({ version: z.number() }).optional(),
  status: z.string().optional(),
});

const actionText: Record<string, string> = {
  "model.register": "Registered",
  "model.activate": "Activated",
  "model.rollback": "Rolled back to this version",
  "model.auto-promote": "Promoted automatically by the training gate",
};

function HistoryList({ history }: { history: ModelHistoryEntry[] }) {
  return (
    <section className="card" aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      {history.length === 0 ? (
        <p className="empty-inline">Nothing recorded for this version yet.</p>
      ) : (
        <ol className="timeline" data-testid="model-history">
          {history.map((h, i) => {
            const parsed = auditDetailsSchema.safeParse(h.details);
            const d = parsed.success ? parsed.data : {};
            return (
              <li key={`${h.at}-${i}`}>
                <time dateTime={h.at} className="cell-time">
                  {formatDateTime(h.at)}
                </time>
                <div>
                  <strong>{actionText[h.action] ?? h.action}</strong>
                  {d.from ? <span className="muted"> (from version {d.from.version})</span> : null}
                  {h.action === "model.register" && d.status ? <span className="muted"> as {d.status.toLowerCase()}</span> : null}
                  <span className="muted"> · {h.actor ?? "system"}</span>
                  {d.reason ? <p className="small timeline-note">“{d.reason}”</p> : null}
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
