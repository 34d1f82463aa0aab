"use client";

import { useCallback, useEffect, useEffectEvent, useId, useRef, useState } from "react";
import { adjudicationInputSchema } from "@/lib/review/schemas";
import { ApiError, apiFetch, apiFetchBody, errorMessage } from "../_components/api-client";
import type { Adjudication, AdjudicationItem, FaceVerdict } from "../_components/api-types";
import { formatDateTime, formatPercent, plural } from "../_components/format";
import { activatesOnEnter, isTextEntry } from "../_components/keyboard";
import { KeyLegend } from "../_components/key-legend";
import { NoteField } from "../_components/note-field";
import { ShortcutHelp } from "../_components/shortcut-help";
import { matchShortcut, type Shortcut, type ShortcutGroup } from "../_components/shortcuts";
import { PhotoWithBoxes } from "../_components/photo-with-boxes";
import { ProbabilityBars } from "../_components/probability-bars";
import { Toast } from "../_components/toast";
import { useToast } from "../_components/use-toast";
import { labelText, labelTitle } from "../_components/verdict-names";
import { QueueEmpty, QueueError } from "../_components/queue-status";
import styles from "./adjudication.module.css";

const NOT_A_FACE = "not_a_face";
/** The server accepts at most 200 excluded faces; the oldest skips are the first to be forgotten. */
const MAX_EXCLUDE = 200;

/** The keys the page answers to: its handler matches these, the legend and the `?` list show them. */
const adjudicationShortcuts = [
  { id: "label", keys: ["1", "–", "7"], action: "Choose the model’s label in that place" },
  { id: "not-a-face", keys: ["0"], action: "Not a face" },
  { id: "decide", keys: ["Enter"], action: "Decide with the chosen label" },
  { id: "skip", keys: ["S"], action: "Skip (offered again after Check again)" },
  { id: "leave-note", keys: ["Esc"], action: "Leave the note field" },
] as const satisfies readonly Shortcut[];

const adjudicationShortcutGroups: ShortcutGroup[] = [{ title: "Adjudication", shortcuts: adjudicationShortcuts }];

type Status = "loading" | "ready" | "empty" | "error";

/** What a verdict said, beside the label it gives: "confirmed the model", "corrected it"… */
const verdictHow: Record<string, string> = {
  correct: "agreed with the model",
  incorrect: "corrected the model",
  not_a_face: "no face in the crop",
  unsure: "could not tell",
};

/**
 * Faces whose verdicts tie, one at a time, for an admin to give the final label. Keyboard first, like
 * Review: 1–7 choose the model's labels in order, 0 "not a face", Enter decides, S skips.
 */
export function AdjudicationQueue() {
  const id = useId();
  const { toast, show } = useToast();
  const [item, setItem] = useState<AdjudicationItem | null>(null);
  const [status, setStatus] = useState<Status>("loading");
  const [loadError, setLoadError] = useState<string | null>(null);
  const [remaining, setRemaining] = useState<number | null>(null);
  const [choice, setChoice] = useState<string | null>(null);
  const [note, setNote] = useState("");
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const busyRef = useRef(false);
  /** Faces skipped this visit: not offered again until the admin asks to check again. */
  const skipped = useRef<number[]>([]);
  const [skippedCount, setSkippedCount] = useState(0);
  const stageRef = useRef<HTMLElement>(null);
  const formRef = useRef<HTMLFormElement>(null);

  const load = useCallback(async () => {
    setStatus((s) => (s === "ready" ? s : "loading"));
    const qs = new URLSearchParams();
    if (skipped.current.length) qs.set("exclude", skipped.current.slice(0, MAX_EXCLUDE).join(","));
    try {
      const next = await apiFetch<AdjudicationItem>(`/api/adjudication/next${qs.size ? `?${qs}` : ""}`);
      setChoice(null);
      setNote("");
      setFormError(null);
      setItem(next);
      if (next) {
        setRemaining(next.queue.remaining);
        setStatus("ready");
      } else {
        setStatus("empty");
      }
      setLoadError(null);
    } catch (err) {
      setItem(null);
      setLoadError(errorMessage(err));
      setStatus("error");
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  // Each new face starts the admin on its card (arriving from the nav leaves focus on a link, and a
  // decision removes the button that was pressed), unless they are working elsewhere on the page.
  const faceId = item?.face.id ?? null;
  useEffect(() => {
    if (faceId === null) return;
    const active = document.activeElement;
    if (
      !active ||
      active === document.body ||
      active.closest(".site-header") ||
      stageRef.current?.contains(active) ||
      active.closest("[data-adjudication-stage]")
    ) {
      stageRef.current?.focus({ preventScroll: true });
    }
  }, [faceId]);

  const decide = useCallback(async () => {
    if (!item || busyRef.current) return;
    const parsed = adjudicationInputSchema.safeParse({
      face_id: item.face.id,
      label: choice ?? "",
      note: note.trim() === "" ? undefined : note,
    });
    if (!parsed.success) {
      setFormError(
        choice ? (parsed.error.issues[0]?.message ?? "Check the decision.") : "Choose the final label first (1–7, 0).",
      );
      return;
    }
    busyRef.current = true;
    setBusy(true);
    setFormError(null);
    try {
      const data = await apiFetchBody<{ adjudication: Adjudication }>("/api/adjudications", {
        method: "POST",
        json: parsed.data,
      });
      show(`Decided: ${labelText(data.adjudication.label)}`);
      await load();
    } catch (err) {
      if (err instanceof ApiError && (err.status === 409 || err.status === 404)) {
        // Someone else decided it (or it is gone): nothing left to do here but move on.
        show(err.message, "error");
        await load();
      } else {
        setFormError(errorMessage(err));
      }
    } finally {
      busyRef.current = false;
      setBusy(false);
    }
  }, [item, choice, note, load, show]);

  const skip = useCallback(async () => {
    if (!item || busyRef.current) return;
    // Until the next face is here, keys must not act on the one skipped.
    busyRef.current = true;
    setBusy(true);
    skipped.current = [item.face.id, ...skipped.current.filter((f) => f !== item.face.id)];
    setSkippedCount(skipped.current.length);
    show("Skipped", "info");
    // Hand the face back so another admin can take it now; a lease already gone is fine.
    void apiFetch("/api/adjudication/release", { method: "POST", json: { face_id: item.face.id } }).catch(() => {});
    try {
      await load();
    } finally {
      busyRef.current = false;
      setBusy(false);
    }
  }, [item, load, show]);

  const recheck = useCallback(() => {
    skipped.current = [];
    setSkippedCount(0);
    setStatus("loading");
    void load();
  }, [load]);

  const onKeyDown = useEffectEvent((e: KeyboardEvent) => {
    if (e.defaultPrevented || !item) return;
    const shortcut = matchShortcut(adjudicationShortcuts, e);
    if (!shortcut) return;
    const target = e.target;
    const inForm = target instanceof Node && formRef.current?.contains(target);
    if (shortcut.id === "decide") {
      // In the note, on a label or anywhere that Enter does not already press something: decide.
      if ((inForm && !activatesOnEnter(target)) || (!isTextEntry(target) && !activatesOnEnter(target))) {
        e.preventDefault();
        void decide();
      }
      return;
    }
    if (isTextEntry(target)) {
      if (shortcut.id === "leave-note") stageRef.current?.focus({ preventScroll: true });
      return;
    }
    if (e.repeat) return;
    if (shortcut.id === "skip") {
      e.preventDefault();
      void skip();
    } else if (shortcut.id === "not-a-face") {
      e.preventDefault();
      setChoice(NOT_A_FACE);
    } else if (shortcut.id === "label") {
      const label = item.prediction.labels[Number(e.key) - 1];
      if (!label) return;
      e.preventDefault();
      setChoice(label);
    }
  });

  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKeyDown(e);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);

  const remainingText =
    status === "empty"
      ? "No conflicts waiting"
      : remaining === null
        ? "\u00a0"
        : `${plural(remaining, "conflict")} waiting`;

  return (
    <>
      <div className="page-head">
        <h1>Adjudication</h1>
        <p className="muted" data-testid="conflicts-remaining">
          {remainingText}
        </p>
        <p className="muted small">Faces whose reviewers split evenly. Your label is final: training uses it.</p>
      </div>

      <p className="sr-only" aria-live="polite">
        {item
          ? `Conflict on face ${item.face.id}: ${describeSplit(item.verdicts)}.${choice ? ` Final label: ${labelText(choice)}.` : ""}`
          : status === "empty"
            ? "No conflicts are waiting."
            : ""}
      </p>

      <div className={styles.layout}>
        <div>
          {item ? (
            <section
              ref={stageRef}
              tabIndex={-1}
              data-adjudication-stage
              className={`card ${styles.stage}`}
              aria-label={`Conflict on face ${item.face.id}`}
              data-testid="adjudication-item"
              data-face-id={item.face.id}
            >
              <div className={styles.face}>
                <img
                  src={item.face.crop_url}
                  alt="The face in conflict, as the model sees it (48 × 48 pixels)"
                  width={192}
                  height={192}
                  className="crop crop-xl"
                />
                <div className={styles.model}>
                  <p className="eyebrow">The model says</p>
                  <p className="prediction">
                    <span className="prediction-label">{item.prediction.label}</span>
                    <span className="prediction-confidence">
                      {formatPercent(item.prediction.confidence)} confidence
                    </span>
                  </p>
                  <ProbabilityBars probabilities={item.prediction.probabilities} predicted={item.prediction.label} />
                </div>
              </div>

              <VerdictList verdicts={item.verdicts} />

              <form
                key={item.face.id}
                ref={formRef}
                className={styles.decision}
                noValidate
                onSubmit={(e) => {
                  e.preventDefault();
                  void decide();
                }}
              >
                <fieldset className={styles.labels}>
                  <legend>Final label</legend>
                  <div className={styles.labelOptions}>
                    {[...item.prediction.labels, NOT_A_FACE].map((label, i) => {
                      const votes = item.verdicts.filter((v) => v.label === label).length;
                      const key = label === NOT_A_FACE ? "0" : String(i + 1);
                      return (
                        <label
                          key={label}
                          className={votes ? `${styles.labelOption} ${styles.hasVotes}` : styles.labelOption}
                          data-testid={`label-${label}`}
                        >
                          <input
                            type="radio"
                            name={`${id}-label`}
                            value={label}
                            checked={choice === label}
                            onChange={() => setChoice(label)}
                          />
                          <kbd aria-hidden="true">{key}</kbd>
                          <span>{labelTitle(label)}</span>
                          {votes ? (
                            <span className={styles.votes}>
                              {votes}
                              <span className="sr-only"> {votes === 1 ? "verdict" : "verdicts"}</span>
                            </span>
                          ) : null}
                        </label>
                      );
                    })}
                  </div>
                </fieldset>
                <NoteField
                  id={`${id}-note`}
                  hint="optional, kept with the decision"
                  value={note}
                  onChange={(e) => setNote(e.currentTarget.value)}
                />
                {formError ? (
                  <p className="form-error" role="alert">
                    {formError}
                  </p>
                ) : null}
                <div className={styles.actions}>
                  <button type="submit" className="btn btn-primary btn-large" disabled={busy}>
                    {busy ? "Saving…" : choice ? `Decide: ${labelTitle(choice)}` : "Decide"}{" "}
                    <kbd aria-hidden="true">Enter</kbd>
                  </button>
                  <button type="button" className="btn btn-ghost btn-large" onClick={() => void skip()} disabled={busy}>
                    Skip <kbd aria-hidden="true">S</kbd>
                  </button>
                </div>
              </form>
            </section>
          ) : (
            <QueueState status={status} error={loadError} skipped={skippedCount} onRecheck={recheck} />
          )}
          <Toast toast={toast} placement="column" />
        </div>

        <aside className={styles.side}>
          {item ? (
            <figure className={`card ${styles.context}`}>
              <PhotoWithBoxes
                src={item.face.upload.image_url}
                alt="The uploaded photo this face comes from, with the face outlined"
                width={item.face.upload.width}
                height={item.face.upload.height}
                boxes={item.face.upload.is_face_crop ? [] : [{ key: item.face.id, box: item.face.box, active: true }]}
              />
              <figcaption className="muted small">
                {item.face.upload.is_face_crop ? "Uploaded as a face crop" : "Original photo"} · face {item.face.id} ·
                model v{item.prediction.model_version.version}
              </figcaption>
            </figure>
          ) : null}
          <KeyLegend keys={adjudicationShortcuts} />
          <ShortcutHelp groups={adjudicationShortcutGroups} />
        </aside>
      </div>
    </>
  );
}

/** "happy 1, sad 1": each label the reviewers gave, with how many gave it. */
function describeSplit(verdicts: readonly FaceVerdict[]): string {
  const counts = new Map<string, number>();
  for (const v of verdicts) counts.set(v.label, (counts.get(v.label) ?? 0) + 1);
  return [...counts].map(([label, n]) => `${labelText(label)} ${n}`).join(", ");
}

function VerdictList({ verdicts }: { verdicts: readonly FaceVerdict[] }) {
  return (
    <section className={styles.verdicts} aria-labelledby="verdicts-heading">
      <h2 id="verdicts-heading" className="small-heading">
        {plural(verdicts.length, "verdict")} · {describeSplit(verdicts)}
      </h2>
      <ul data-testid="adjudication-verdicts">
        {verdicts.map((v) => (
          <li key={v.id} className={styles.verdict}>
            <span className="label-chip">{labelTitle(v.label)}</span>
            <span className={styles.verdictWho}>
              <span className="cell-email">{v.reviewer.email}</span>
              <span className="muted small">
                {" "}
                {verdictHow[v.verdict] ?? v.verdict} · <time dateTime={v.at}>{formatDateTime(v.at)}</time>
              </span>
            </span>
            {v.note ? <q className={styles.verdictNote}>{v.note}</q> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

function QueueState({
  status,
  error,
  skipped,
  onRecheck,
}: {
  status: Status;
  error: string | null;
  skipped: number;
  onRecheck: () => void;
}) {
  if (status === "empty") {
    return (
      <QueueEmpty
        title="No conflicts waiting"
        testId="adjudication-empty"
        actions={
          <button type="button" className="btn btn-ghost" onClick={onRecheck}>
            Check again
          </button>
        }
      >
        {skipped
          ? `Every other conflict has a decision. You skipped ${plural(skipped, "face")}; check again to see ${skipped === 1 ? "it" : "them"}.`
          : "Every face whose verdicts split has a final label."}
      </QueueEmpty>
    );
  }
  if (status === "error")
    return <QueueError title="Couldn’t load the next conflict" error={error} onRetry={onRecheck} />;
  return (
    <div className={`card ${styles.stage}`} aria-busy="true">
      <p className="muted status-line">
        <span className="spinner" aria-hidden="true" /> Loading the next conflict…
      </p>
    </div>
  );
}
