"use client";

import { useCallback, useEffect, useId, useState } from "react";
import { EMOTION_LABELS } from "@/lib/model/labels";
import { apiFetchBody, errorMessage } from "../_components/api-client";
import type { GoldenSet, HistoryPage, HistoryRow } from "../_components/api-types";
import { formatDate, formatDateTime, plural } from "../_components/format";
import styles from "./golden-set.module.css";

/** The page size GET /api/golden answers with by default (lib/dataset/golden.ts). */
const LISTED_MAX = 200;
const PAGE_SIZE = 100;

/** The emotion a verdict says the face shows: the correction, or the prediction it confirmed. */
function judgedLabel(r: HistoryRow): string {
  return r.corrected_label ?? r.prediction.label;
}

export function GoldenSetManager({ canManage }: { canManage: boolean }) {
  const [golden, setGolden] = useState<GoldenSet | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [status, setStatus] = useState<{ text: string; error: boolean } | null>(null);
  const [removing, setRemoving] = useState<number | null>(null);

  const refresh = useCallback(async () => {
    try {
      setGolden(await apiFetchBody<GoldenSet>("/api/golden"));
      setLoadError(null);
    } catch (err) {
      setLoadError(errorMessage(err));
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  async function change(faceIds: number[], add: boolean): Promise<boolean> {
    setStatus(null);
    try {
      const res = await apiFetchBody<{ changed: number; size: number }>("/api/golden", {
        method: "POST",
        json: { face_ids: faceIds, golden: add },
      });
      await refresh();
      setStatus({
        text: `${add ? "Added" : "Removed"} ${plural(res.changed, "face")}. The golden set now has ${plural(res.size, "face")}.`,
        error: false,
      });
      return true;
    } catch (err) {
      setStatus({ text: errorMessage(err), error: true });
      return false;
    }
  }

  const goldenIds = new Set(golden?.faces.map((f) => f.id) ?? []);

  return (
    <div className="stack-lg">
      <section className={`card ${styles.goldenSummary}`} aria-labelledby="golden-size-heading">
        <div className={styles.bigStat}>
          <h2 id="golden-size-heading" className="sr-only">
            Size
          </h2>
          <span className={styles.bigNumber} data-testid="golden-size">
            {golden ? golden.size : "…"}
          </span>
          <span className={styles.bigNumberLabel}>
            {golden?.size === 1 ? "face in the golden set" : "faces in the golden set"}
          </span>
        </div>
        <p className={`muted small ${styles.goldenExplain}`}>
          Every training job scores its candidate and the active version on these faces. A candidate that does clearly
          worse here is kept as a candidate, however good it looks elsewhere. A few faces of every emotion make the
          comparison meaningful.
        </p>
      </section>

      <div aria-live="polite">
        {status ? (
          <p
            className={status.error ? "form-error" : "form-success"}
            role={status.error ? "alert" : undefined}
            data-testid="golden-status"
          >
            {status.text}
          </p>
        ) : null}
      </div>

      <section className="card" aria-labelledby="golden-faces-heading">
        <h2 id="golden-faces-heading">In the golden set</h2>
        {loadError ? (
          <p className="form-error" role="alert">
            {loadError}{" "}
            <button type="button" className="btn btn-ghost btn-small" onClick={() => void refresh()}>
              Try again
            </button>
          </p>
        ) : null}
        {golden === null && !loadError ? (
          <p className="muted status-line">
            <span className="spinner" aria-hidden="true" /> Loading…
          </p>
        ) : null}
        {golden && golden.faces.length === 0 ? (
          <p className="empty-inline">
            The golden set is empty.
            {canManage ? " Pick reviewed faces below to start it." : " An admin can add reviewed faces."}
          </p>
        ) : null}
        {golden && golden.faces.length > 0 ? (
          <>
            {golden.size > golden.faces.length ? (
              <p className="muted small">
                Showing the {Math.min(golden.faces.length, LISTED_MAX)} most recently added.
              </p>
            ) : null}
            <ul className={styles.faceGrid} data-testid="golden-faces">
              {golden.faces.map((f) => (
                <li key={f.id} className={styles.faceTile} data-face-id={f.id}>
                  <img
                    src={f.crop_url}
                    alt={`Face ${f.id}`}
                    width={96}
                    height={96}
                    className={`crop ${styles.cropTile}`}
                    loading="lazy"
                  />
                  <span className={styles.faceTileMeta}>
                    <span>
                      Face #{f.id}
                      {f.label ? <strong className="golden-label"> · {f.label}</strong> : null}
                    </span>
                    {f.added_at ? (
                      <time className="muted" dateTime={f.added_at} title={formatDateTime(f.added_at)}>
                        added {formatDate(f.added_at)}
                      </time>
                    ) : null}
                  </span>
                  {canManage ? (
                    <button
                      type="button"
                      className="btn btn-ghost btn-small"
                      disabled={removing === f.id}
                      onClick={async () => {
                        setRemoving(f.id);
                        await change([f.id], false);
                        setRemoving(null);
                      }}
                    >
                      {removing === f.id ? "Removing…" : "Remove"}
                      <span className="sr-only"> face {f.id} from the golden set</span>
                    </button>
                  ) : null}
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </section>

      {canManage ? <AddFaces goldenIds={goldenIds} onAdd={(ids) => change(ids, true)} /> : null}
    </div>
  );
}

function AddFaces({
  goldenIds,
  onAdd,
}: {
  goldenIds: ReadonlySet<number>;
  onAdd: (faceIds: number[]) => Promise<boolean>;
}) {
  const id = useId();
  const [label, setLabel] = useState("");
  const [rows, setRows] = useState<HistoryRow[]>([]);
  const [nextBefore, setNextBefore] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [adding, setAdding] = useState(false);

  const load = useCallback(
    async (before: number | null) => {
      setLoading(true);
      setError(null);
      const qs = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (label) qs.set("label", label);
      if (before !== null) qs.set("before", String(before));
      try {
        const page = await apiFetchBody<HistoryPage>(`/api/reviews?${qs}`);
        setRows((prev) => (before === null ? page.reviews : [...prev, ...page.reviews]));
        setNextBefore(page.next_before);
      } catch (err) {
        setError(errorMessage(err));
      } finally {
        setLoading(false);
      }
    },
    [label],
  );

  useEffect(() => {
    setSelected(new Set());
    void load(null);
  }, [load]);

  // A face reviewed more than once (or by several reviewers) appears once, with its newest verdict.
  const seen = new Set<number>();
  const faces = rows.filter((r) => {
    if (seen.has(r.face.id) || r.face.golden || goldenIds.has(r.face.id)) return false;
    seen.add(r.face.id);
    return true;
  });
  const chosen = faces.filter((r) => selected.has(r.face.id)).map((r) => r.face.id);

  function toggle(faceId: number, on: boolean) {
    setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(faceId);
      else next.delete(faceId);
      return next;
    });
  }

  async function add() {
    setAdding(true);
    if (await onAdd(chosen)) setSelected(new Set());
    setAdding(false);
  }

  return (
    <section className="card" aria-labelledby={`${id}-heading`}>
      <div className="section-head">
        <div>
          <h2 id={`${id}-heading`}>Add reviewed faces</h2>
          <p className="muted small">Recently reviewed faces that are not in the golden set yet, newest first.</p>
        </div>
        <div className={`field ${styles.fieldInline}`}>
          <label htmlFor={`${id}-label`}>Emotion</label>
          <select id={`${id}-label`} value={label} onChange={(e) => setLabel(e.currentTarget.value)}>
            <option value="">Any</option>
            {EMOTION_LABELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </div>
      </div>

      <div className={styles.selectionBar}>
        <span aria-live="polite" className="small" data-testid="golden-selected">
          {chosen.length ? `${plural(chosen.length, "face")} selected` : "None selected"}
        </span>
        <button
          type="button"
          className="btn btn-ghost btn-small"
          onClick={() => setSelected(new Set(faces.map((r) => r.face.id)))}
          disabled={faces.length === 0}
        >
          Select all shown
        </button>
        <button
          type="button"
          className="btn btn-ghost btn-small"
          onClick={() => setSelected(new Set())}
          disabled={chosen.length === 0}
        >
          Clear
        </button>
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => void add()}
          disabled={chosen.length === 0 || adding}
        >
          {adding
            ? "Adding…"
            : chosen.length
              ? `Add ${plural(chosen.length, "face")} to the golden set`
              : "Add to the golden set"}
        </button>
      </div>

      {error ? (
        <p className="form-error" role="alert">
          {error}{" "}
          <button
            type="button"
            className="btn btn-ghost btn-small"
            onClick={() => void load(rows.length ? nextBefore : null)}
          >
            Try again
          </button>
        </p>
      ) : null}
      {!loading && faces.length === 0 && !error ? (
        <p className="empty-inline">
          {label
            ? `No reviewed ${label} faces outside the golden set in this list.`
            : "No reviewed faces outside the golden set in this list."}
        </p>
      ) : null}
      {faces.length > 0 ? (
        <fieldset className={styles.facePicker}>
          <legend className="sr-only">Faces to add</legend>
          <ul className={styles.faceGrid} data-testid="golden-candidates">
            {faces.map((r) => {
              const checked = selected.has(r.face.id);
              return (
                <li key={r.face.id}>
                  <label
                    className={
                      checked
                        ? `${styles.faceTile} ${styles.isSelectable} ${styles.isSelected}`
                        : `${styles.faceTile} ${styles.isSelectable}`
                    }
                    data-face-id={r.face.id}
                  >
                    <input
                      type="checkbox"
                      checked={checked}
                      onChange={(e) => toggle(r.face.id, e.currentTarget.checked)}
                    />
                    <img
                      src={r.face.crop_url}
                      alt=""
                      width={96}
                      height={96}
                      className={`crop ${styles.cropTile}`}
                      loading="lazy"
                    />
                    <span className={styles.faceTileMeta}>
                      <span className="label-chip" aria-hidden="true">
                        {judgedLabel(r)}
                      </span>
                      <span className="muted">
                        Face #{r.face.id}
                        <span className="sr-only">, judged {judgedLabel(r)}</span>
                      </span>
                    </span>
                  </label>
                </li>
              );
            })}
          </ul>
        </fieldset>
      ) : null}
      {loading ? (
        <p className="muted status-line">
          <span className="spinner" aria-hidden="true" /> Loading reviewed faces…
        </p>
      ) : null}
      {!loading && nextBefore !== null ? (
        <div className="load-more">
          <button type="button" className="btn btn-ghost" onClick={() => void load(nextBefore)}>
            Load older reviews
          </button>
        </div>
      ) : null}
    </section>
  );
}
