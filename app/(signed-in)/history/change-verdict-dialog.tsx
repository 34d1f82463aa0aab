"use client";

import { useId, useRef, useState, type KeyboardEvent } from "react";
import { EMOTION_LABELS } from "@/lib/model/labels";
import { reviewInputSchema, type ReviewInput } from "@/lib/review/schemas";
import { errorMessage } from "../_components/api-client";
import type { HistoryRow, StoredReview } from "../_components/api-types";
import { formatPercent } from "../_components/format";
import { ModalDialog } from "../_components/modal-dialog";
import { NoteField } from "../_components/note-field";
import { saveReview } from "../_components/reviews-api";
import { ShortcutHelp } from "../_components/shortcut-help";
import { matchShortcut, type Shortcut } from "../_components/shortcuts";
import styles from "./change-verdict-dialog.module.css";

/** "correct", another emotion (an "incorrect" verdict naming it), "not_a_face" or "unsure". */
type Choice = string;

function choiceOf(row: HistoryRow): Choice {
  if (row.verdict === "incorrect") return row.corrected_label ?? "";
  return row.verdict;
}

function inputFor(row: HistoryRow, choice: Choice, note: string): ReviewInput {
  const base = { prediction_id: row.prediction.id, note: note.trim() === "" ? undefined : note };
  if (choice === "correct" || choice === row.prediction.label) return { ...base, verdict: "correct" };
  if (choice === "not_a_face" || choice === "unsure") return { ...base, verdict: choice };
  return { ...base, verdict: "incorrect", corrected_label: choice };
}

/** The dialog's keys: its handler matches these, and `?` lists them. */
const changeVerdictShortcuts = [
  { id: "correct", keys: ["C"], action: "Correct" },
  { id: "emotion", keys: ["1", "–", "7"], action: "This emotion (Correct if it is the prediction)" },
  { id: "not-a-face", keys: ["N"], action: "Not a face" },
  { id: "unsure", keys: ["U"], action: "Can’t tell" },
  { id: "save", keys: ["Enter"], action: "Save" },
  { id: "cancel", keys: ["Esc"], action: "Cancel" },
] as const satisfies readonly Shortcut[];

const changeVerdictGroups = [{ title: "Change your verdict", shortcuts: changeVerdictShortcuts }];

interface Props {
  row: HistoryRow;
  onSaved: (review: StoredReview) => void;
  onDismiss: () => void;
}

/**
 * A reviewer changes their own verdict: the same answers as on the Review page, with the same keys
 * (C, 1–7, N, U; Enter saves, Esc cancels). The server keeps one verdict per reviewer and face, so
 * saving replaces the earlier one.
 */
export function ChangeVerdictDialog({ row, onSaved, onDismiss }: Props) {
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [choice, setChoice] = useState<Choice>(choiceOf(row));
  const [note, setNote] = useState(row.note ?? "");
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const predicted = row.prediction.label;
  const others = EMOTION_LABELS.filter((l) => l !== predicted);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const parsed = reviewInputSchema.safeParse(inputFor(row, choice, note));
    if (!choice || !parsed.success) {
      setError(parsed.success ? "Choose an answer." : (parsed.error.issues[0]?.message ?? "Check the answer."));
      return;
    }
    setSaving(true);
    setError(null);
    try {
      onSaved(await saveReview(parsed.data));
    } catch (err) {
      setError(errorMessage(err));
      setSaving(false);
    }
  }

  function pick(value: Choice) {
    setChoice(value);
    formRef.current?.querySelector<HTMLInputElement>(`input[value="${value}"]`)?.focus();
  }

  function onKeyDown(e: KeyboardEvent<HTMLFormElement>) {
    const target = e.target;
    const inNote = target instanceof HTMLInputElement && target.type === "text";
    const shortcut = matchShortcut(changeVerdictShortcuts, e);
    // Esc is the dialog's own.
    if (!shortcut || shortcut.id === "cancel") return;
    if (shortcut.id === "save") {
      if (target instanceof HTMLButtonElement) return;
      e.preventDefault();
      formRef.current?.requestSubmit();
      return;
    }
    if (inNote) return;
    const digit = shortcut.id === "emotion" ? EMOTION_LABELS[Number(e.key) - 1] : undefined;
    const value =
      shortcut.id === "correct"
        ? "correct"
        : shortcut.id === "not-a-face"
          ? "not_a_face"
          : shortcut.id === "unsure"
            ? "unsure"
            : digit === predicted
              ? "correct"
              : digit;
    if (!value) return;
    e.preventDefault();
    pick(value);
  }

  const option = (value: Choice, text: React.ReactNode, keyHint: string, extra?: string) => (
    <label key={value} className={extra ? `${styles.option} ${extra}` : styles.option}>
      <input
        type="radio"
        name={`${id}-choice`}
        value={value}
        checked={choice === value}
        onChange={() => setChoice(value)}
      />
      <kbd aria-hidden="true">{keyHint}</kbd>
      <span>{text}</span>
    </label>
  );

  return (
    <ModalDialog labelledBy={`${id}-title`} describedBy={`${id}-what`} onDismiss={onDismiss} dismissible={!saving}>
      <form ref={formRef} onSubmit={(e) => void submit(e)} onKeyDown={onKeyDown} noValidate data-testid="change-dialog">
        <h2 id={`${id}-title`}>Change your verdict</h2>
        <div className={styles.face} id={`${id}-what`}>
          <img src={row.face.crop_url} alt={`Face ${row.face.id}`} width={96} height={96} className="crop" />
          <p>
            The model said <strong className={styles.capitalize}>{predicted}</strong> (
            {formatPercent(row.prediction.confidence)} confidence). Your answer replaces the one you gave.
          </p>
        </div>
        <fieldset className={styles.choices}>
          <legend>What does the face show?</legend>
          {option(
            "correct",
            <>
              Correct: <span className={styles.capitalize}>{predicted}</span>
            </>,
            "C",
            styles.isCorrect,
          )}
          <p className={styles.groupLabel}>Incorrect, the true emotion is</p>
          <div className={styles.emotions}>
            {others.map((l) =>
              option(l, <span className={styles.capitalize}>{l}</span>, String(EMOTION_LABELS.indexOf(l) + 1)),
            )}
          </div>
          <div className={styles.emotions}>
            {option("not_a_face", "Not a face", "N")}
            {option("unsure", "Can’t tell", "U")}
          </div>
        </fieldset>
        <NoteField id={`${id}-note`} value={note} onChange={(e) => setNote(e.currentTarget.value)} />
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className={`form-actions ${styles.actions}`}>
          <button type="submit" className="btn btn-primary" disabled={saving}>
            {saving ? "Saving…" : "Save"} <kbd aria-hidden="true">Enter</kbd>
          </button>
          <button type="button" className="btn btn-ghost" onClick={onDismiss} disabled={saving}>
            Cancel <kbd aria-hidden="true">Esc</kbd>
          </button>
          <ShortcutHelp groups={changeVerdictGroups} />
        </div>
      </form>
    </ModalDialog>
  );
}
