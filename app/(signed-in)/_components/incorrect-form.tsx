"use client";

import { useEffect, useId, useRef, type KeyboardEvent } from "react";
import { useForm } from "react-hook-form";
import type { z } from "zod";
import { zodResolver } from "@hookform/resolvers/zod";
import { EMOTION_LABELS } from "@/lib/model/labels";
import { reviewInputSchema, type ReviewInput } from "@/lib/review/schemas";
import { errorMessage } from "./api-client";
import { NoteField } from "./note-field";
import { matchShortcut, type Shortcut } from "./shortcuts";
import styles from "./incorrect-form.module.css";

const reviewResolver = zodResolver(reviewInputSchema);

/** The form's own keys (it keeps every key from the page's shortcuts while it has focus). */
export const incorrectFormShortcuts = [
  { id: "pick", keys: ["1", "–", "7"], action: "Pick the true emotion (not in the note)" },
  { id: "save", keys: ["Enter"], action: "Save as incorrect" },
  { id: "cancel", keys: ["Esc"], action: "Cancel" },
] as const satisfies readonly Shortcut[];

interface Props {
  predictionId: number;
  predictedLabel: string;
  /** Rejecting shows the error inside the form and keeps it open. */
  onSubmit: (input: ReviewInput) => Promise<void>;
  onCancel: () => void;
}

/**
 * "Incorrect": pick the true emotion (keys 1–7), add an optional note, Enter submits, Esc cancels.
 * The predicted emotion is disabled: the server refuses an "incorrect" verdict that names it.
 */
export function IncorrectForm({ predictionId, predictedLabel, onSubmit, onCancel }: Props) {
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const {
    register,
    handleSubmit,
    setValue,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<z.input<typeof reviewInputSchema>, unknown, ReviewInput>({
    // react-hook-form reports a radio group with nothing checked as null; the shared schema reads
    // "not given" as undefined and then asks for the emotion in its own words.
    resolver: (values, context, options) =>
      reviewResolver({ ...values, corrected_label: values.corrected_label ?? undefined }, context, options),
    defaultValues: { prediction_id: predictionId, verdict: "incorrect", corrected_label: undefined, note: "" },
  });

  // Land on the choices so the digit keys and arrows work at once.
  useEffect(() => {
    formRef.current?.querySelector<HTMLInputElement>('input[type="radio"]:not(:disabled)')?.focus();
  }, []);

  const submit = handleSubmit(async (input) => {
    try {
      await onSubmit(input);
    } catch (err) {
      setError("root.server", { message: errorMessage(err) });
    }
  });

  function onKeyDown(e: KeyboardEvent<HTMLFormElement>) {
    const target = e.target;
    const inNote = target instanceof HTMLInputElement && target.type === "text";
    // The page's own shortcuts must not see keys meant for this form.
    e.stopPropagation();
    const shortcut = matchShortcut(incorrectFormShortcuts, e);
    if (shortcut?.id === "cancel") {
      e.preventDefault();
      onCancel();
    } else if (shortcut?.id === "save" && !(target instanceof HTMLButtonElement)) {
      e.preventDefault();
      formRef.current?.requestSubmit();
    } else if (shortcut?.id === "pick" && !inNote) {
      const label = EMOTION_LABELS[Number(e.key) - 1];
      if (!label) return;
      e.preventDefault();
      if (label === predictedLabel) return;
      setValue("corrected_label", label, { shouldValidate: true });
      formRef.current?.querySelector<HTMLInputElement>(`input[value="${label}"]`)?.focus();
    }
  }

  const labelError = errors.corrected_label?.message;
  const noteError = errors.note?.message;

  return (
    <form ref={formRef} className={styles.incorrectForm} onSubmit={submit} onKeyDown={onKeyDown} noValidate>
      <fieldset className={styles.emotionPicker} aria-describedby={labelError ? `${id}-label-error` : undefined}>
        <legend>What is the true emotion?</legend>
        <div className={styles.emotionOptions}>
          {EMOTION_LABELS.map((label, i) => {
            const isPredicted = label === predictedLabel;
            return (
              <label
                key={label}
                className={isPredicted ? `${styles.emotionOption} ${styles.isDisabled}` : styles.emotionOption}
                title={isPredicted ? "The model's prediction — use Correct for this one" : undefined}
              >
                <input type="radio" value={label} disabled={isPredicted} {...register("corrected_label")} />
                <kbd aria-hidden="true">{i + 1}</kbd>
                <span>{label}</span>
                {isPredicted ? <span className="sr-only"> (the model’s prediction)</span> : null}
              </label>
            );
          })}
        </div>
        <p className="muted small">
          The prediction, <strong>{predictedLabel}</strong>, is greyed out: if it is right, use Correct instead.
        </p>
        {labelError ? (
          <p id={`${id}-label-error`} className="field-error" role="alert">
            {labelError}
          </p>
        ) : null}
      </fieldset>

      <NoteField id={`${id}-note`} error={noteError} {...register("note")} />

      {errors.root?.server?.message ? (
        <p className="form-error" role="alert">
          {errors.root.server.message}
        </p>
      ) : null}

      <div className="form-actions">
        <button type="submit" className="btn btn-danger" disabled={isSubmitting}>
          {isSubmitting ? "Saving…" : "Save as incorrect"} <kbd aria-hidden="true">Enter</kbd>
        </button>
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          Cancel <kbd aria-hidden="true">Esc</kbd>
        </button>
      </div>
    </form>
  );
}
