"use client";

import { useId, useState } from "react";
import Link from "next/link";
import { useForm, useWatch, type Resolver } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import type { z } from "zod";
import { reviewSettingsSchema, type ReviewSettingsInput } from "@/lib/review/schemas";
import { apiFetchBody, errorMessage } from "../../_components/api-client";
import type { ReviewSettings, ReviewSettingsAnswer } from "../../_components/api-types";
import { formatDateTime, plural } from "../../_components/format";
import { ListStatus } from "../../_components/list-status";
import { useApiData } from "../../_components/use-api-data";
import styles from "./review-settings-form.module.css";

type SchemaValues = z.input<typeof reviewSettingsSchema>;
/** The schema's fields, and the box that turns the accuracy minimum on (off sends null). */
type FormValues = SchemaValues & { flag_low_accuracy: boolean };
type FieldName = keyof SchemaValues;

/** The threshold offered when flagging is turned on for the first time. */
const SUGGESTED_MIN_ACCURACY = 0.8;

/** Messages for the bounds the shared schema states without words of its own. */
const baseResolver = zodResolver(reviewSettingsSchema, {
  error: (iss) => {
    if (iss.code === "invalid_type") return "enter a number";
    if (iss.code === "too_small" && "minimum" in iss) return `must be at least ${String(iss.minimum)}`;
    if (iss.code === "too_big" && "maximum" in iss) return `must be at most ${String(iss.maximum)}`;
    return undefined;
  },
});

/** 0.1 → "10%", 0.05 → "5%", 0.125 → "12.5%". */
function asPercent(x: number | null | undefined): string | null {
  if (typeof x !== "number" || !Number.isFinite(x)) return null;
  return `${Number((x * 100).toFixed(1))}%`;
}

export function ReviewSettingsForm() {
  const { data, error, refresh, setData } = useApiData<ReviewSettingsAnswer>("/api/settings/review");
  if (!data) {
    return (
      <section className="card">
        <ListStatus items={null} error={error} onRetry={() => void refresh()} loading="Loading settings…" empty="" />
      </section>
    );
  }
  return <SettingsForm settings={data.settings} onSaved={(answer) => setData(answer)} />;
}

function SettingsForm({
  settings,
  onSaved,
}: {
  settings: ReviewSettings;
  onSaved: (answer: ReviewSettingsAnswer) => void;
}) {
  const id = useId();
  const [saved, setSaved] = useState<string | null>(null);

  const defaults = (s: ReviewSettings): FormValues => ({
    verdicts_per_face: s.verdicts_per_face,
    extra_review_share: s.extra_review_share,
    control_share: s.control_share,
    control_min_accuracy: s.control_min_accuracy ?? SUGGESTED_MIN_ACCURACY,
    control_min_answers: s.control_min_answers,
    flag_low_accuracy: s.control_min_accuracy !== null,
  });

  const {
    register,
    handleSubmit,
    reset,
    control,
    setError,
    formState: { errors, isSubmitting, isDirty },
  } = useForm<FormValues, unknown, ReviewSettingsInput>({ resolver, defaultValues: defaults(settings) });

  const submit = handleSubmit(async (input) => {
    setSaved(null);
    try {
      const answer = await apiFetchBody<ReviewSettingsAnswer>("/api/settings/review", { method: "PUT", json: input });
      reset(defaults(answer.settings));
      onSaved(answer);
      setSaved(`Saved; applied to ${plural(answer.faces_affected ?? 0, "open face")}.`);
    } catch (err) {
      setError("root.server", { message: errorMessage(err) });
    }
  });

  const describedBy = (name: FieldName) => `${id}-${name}-hint${errors[name] ? ` ${id}-${name}-error` : ""}`;
  const numberField = (name: FieldName, opts: { step: string; min: number; max: number; disabled?: boolean }) => ({
    id: `${id}-${name}`,
    type: "number" as const,
    inputMode: opts.step === "1" ? ("numeric" as const) : ("decimal" as const),
    step: opts.step,
    min: opts.min,
    max: opts.max,
    autoComplete: "off",
    "aria-invalid": errors[name] ? true : undefined,
    "aria-describedby": describedBy(name),
    ...register(name, { valueAsNumber: true, disabled: opts.disabled }),
  });
  const fieldError = (name: FieldName) =>
    errors[name]?.message ? (
      <p id={`${id}-${name}-error`} className="field-error">
        {capitalizeFirst(errors[name]?.message ?? "")}
      </p>
    ) : null;

  const [extraValue, controlValue, accuracyValue, flagOn] = useWatch({
    control,
    name: ["extra_review_share", "control_share", "control_min_accuracy", "flag_low_accuracy"],
  });
  const extraShare = asPercent(extraValue);
  const controlShare = asPercent(controlValue);
  const minAccuracy = asPercent(accuracyValue);

  return (
    <form onSubmit={submit} noValidate className="stack-lg" data-testid="review-settings-form">
      <section className="card" aria-labelledby={`${id}-overlap`}>
        <h2 id={`${id}-overlap`}>Overlap</h2>
        <div className={styles.fields}>
          <div className="field">
            <label htmlFor={`${id}-verdicts_per_face`}>Verdicts per face</label>
            <input {...numberField("verdicts_per_face", { step: "1", min: 1, max: 5 })} />
            <p id={`${id}-verdicts_per_face-hint`} className={styles.hint}>
              How many reviewers answer each face before it counts, from 1 to 5. With 2 or more, faces whose answers tie
              wait for an admin in <Link href="/adjudication">Adjudication</Link>.
            </p>
            {fieldError("verdicts_per_face")}
          </div>
          <div className="field">
            <label htmlFor={`${id}-extra_review_share`}>Extra-review share</label>
            <input {...numberField("extra_review_share", { step: "0.01", min: 0, max: 1 })} />
            <p id={`${id}-extra_review_share-hint`} className={styles.hint}>
              This share of faces asks for one verdict more, so agreement keeps being measured; from 0 to 1
              {extraShare ? <> (now {extraShare} of faces)</> : null}. The same faces stay picked, by a fixed hash of
              each face.
            </p>
            {fieldError("extra_review_share")}
          </div>
        </div>
      </section>

      <section className="card" aria-labelledby={`${id}-controls`}>
        <h2 id={`${id}-controls`}>Controls</h2>
        <div className={styles.fields}>
          <div className="field">
            <label htmlFor={`${id}-control_share`}>Control share</label>
            <input {...numberField("control_share", { step: "0.01", min: 0, max: 0.2 })} />
            <p id={`${id}-control_share-hint`} className={styles.hint}>
              This share of each reviewer’s faces are <Link href="/golden">golden-set</Link> faces, served blind to
              score the reviewer; from 0 to 0.2{controlShare ? <> (now {controlShare})</> : null}. Control answers never
              change a face’s label.
            </p>
            {fieldError("control_share")}
          </div>
        </div>
        <div className={styles.flag}>
          <label className="checkbox">
            <input type="checkbox" aria-describedby={`${id}-flag-hint`} {...register("flag_low_accuracy")} />
            <span>Flag reviewers whose control accuracy is low</span>
          </label>
          <p id={`${id}-flag-hint`} className={styles.hint}>
            A flagged reviewer is marked on the <Link href="/reviewers">Reviewers</Link> page; their verdicts still
            count.
          </p>
        </div>
        <div className={styles.fields}>
          <div className="field">
            <label htmlFor={`${id}-control_min_accuracy`}>Minimum control accuracy</label>
            <input {...numberField("control_min_accuracy", { step: "0.05", min: 0, max: 1, disabled: !flagOn })} />
            <p id={`${id}-control_min_accuracy-hint`} className={styles.hint}>
              {flagOn
                ? `From 0 to 1: a reviewer whose share of correct control answers falls below it is flagged${minAccuracy ? ` (now ${minAccuracy})` : ""}.`
                : "Off: nobody is flagged. Tick the box above to set a minimum."}
            </p>
            {flagOn ? fieldError("control_min_accuracy") : null}
          </div>
          <div className="field">
            <label htmlFor={`${id}-control_min_answers`}>Control answers before flagging</label>
            <input {...numberField("control_min_answers", { step: "1", min: 1, max: 1000 })} />
            <p id={`${id}-control_min_answers-hint`} className={styles.hint}>
              The minimum applies once a reviewer has answered this many controls, from 1 to 1000.
            </p>
            {fieldError("control_min_answers")}
          </div>
        </div>
      </section>

      <div className={`card ${styles.footer}`}>
        <p className="muted small">
          A change of overlap applies at once to faces still open; faces already agreed or decided keep their verdicts.
          {settings.updated_at ? <> Last changed {formatDateTime(settings.updated_at)}.</> : " These are the defaults."}
        </p>
        {errors.root?.server?.message ? (
          <p className="form-error" role="alert">
            {errors.root.server.message}
          </p>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={isSubmitting || !isDirty}>
            {isSubmitting ? "Saving…" : "Save settings"}
          </button>
          <p className={`form-success ${styles.saved}`} aria-live="polite" data-testid="settings-saved">
            {saved}
          </p>
        </div>
      </div>
    </form>
  );
}

/** The form's values as the schema takes them: without the box, and null for an accuracy minimum turned off. */
const resolver: Resolver<FormValues, unknown, ReviewSettingsInput> = (values, context, options) => {
  const { flag_low_accuracy: flagged, ...settings } = values;
  const result = baseResolver(
    { ...settings, control_min_accuracy: flagged ? settings.control_min_accuracy : null },
    context,
    { ...options, names: options.names?.filter((n): n is FieldName => n !== "flag_low_accuracy") },
  );
  return result;
};

function capitalizeFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
