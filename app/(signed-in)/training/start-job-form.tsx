"use client";

import { useEffect, useId, useState } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useForm, useWatch } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { z } from "zod";
import { preflightQuerySchema, trainingParamsSchema } from "@/worker/params";
import { ApiError, apiFetchBody, errorMessage } from "../_components/api-client";
import type { ModelVersionRow, TrainingPreflight } from "../_components/api-types";
import { blockedReason, PreflightPanel, type PreflightState } from "./preflight-panel";
import styles from "./start-job-form.module.css";

/** How long typing must pause before the pre-flight is asked again. */
const PREFLIGHT_DEBOUNCE_MS = 400;

type ParamsInput = z.input<typeof trainingParamsSchema>;
type ParamsOutput = z.output<typeof trainingParamsSchema>;
type NumberField = "epochs" | "learning_rate" | "min_samples" | "batch_size" | "distill_weight" | "distill_temperature";

/** The server's defaults, read from the shared schema rather than copied. */
const defaults = trainingParamsSchema.parse({});

/** "a whole number from 1 to 200", from the bounds in the shared schema. */
function rangeText(field: NumberField): string {
  const shape = trainingParamsSchema.shape[field];
  const inner = shape.unwrap();
  const min = inner.minValue ?? 0;
  const max = inner.maxValue;
  if (inner.isInt) return `a whole number from ${min} to ${max}`;
  // A bound the schema itself refuses (positive()) is exclusive.
  return inner.safeParse(min).success ? `a number from ${min} to ${max}` : `a number above ${min}, at most ${max}`;
}

const fields: { name: NumberField; label: string; hint: string; inputMode: "numeric" | "decimal" }[] = [
  { name: "epochs", label: "Epochs", hint: "Passes over the training faces.", inputMode: "numeric" },
  {
    name: "learning_rate",
    label: "Learning rate",
    hint: "Small steps keep what the model already knows.",
    inputMode: "decimal",
  },
  {
    name: "min_samples",
    label: "Minimum faces",
    hint: "Refuse to train on fewer reviewed faces than this.",
    inputMode: "numeric",
  },
  { name: "batch_size", label: "Batch size", hint: "Faces per update step.", inputMode: "numeric" },
  {
    name: "distill_weight",
    label: "Keep the base’s outputs",
    hint: "Share of the loss that keeps answers near the base version’s, so it forgets less (0 = off).",
    inputMode: "decimal",
  },
  {
    name: "distill_temperature",
    label: "Softening temperature",
    hint: "Higher compares the base’s second and third choices too.",
    inputMode: "decimal",
  },
];

type ChoiceField = "strategy" | "label_aggregation" | "class_weights";
/** One radio choice of `field`: a value the shared schema accepts, with its words. */
type Choice<F extends ChoiceField> = { value: ParamsOutput[F]; label: string; hint: string };

/** The form's radio groups, each a field of the shared schema with its choices. */
const choiceGroups: { name: ChoiceField; legend: string; choices: { value: string; label: string; hint: string }[] }[] =
  [
    {
      name: "strategy",
      legend: "What learns",
      choices: [
        { value: "full", label: "Every layer", hint: "Adapts furthest; needs more faces." },
        { value: "head", label: "Last layer only", hint: "Faster and safer with few faces." },
      ] satisfies Choice<"strategy">[],
    },
    {
      name: "label_aggregation",
      legend: "Labels from verdicts",
      choices: [
        { value: "majority", label: "Majority", hint: "A face takes the label most reviewers gave it; ties wait." },
        {
          value: "dawid-skene",
          label: "Weighed by reviewer",
          hint: "Each reviewer’s reliability is estimated from all verdicts (Dawid–Skene).",
        },
      ] satisfies Choice<"label_aggregation">[],
    },
    {
      name: "class_weights",
      legend: "Class weights",
      choices: [
        { value: "none", label: "None", hint: "Every face counts the same; learns the most from the corrections." },
        { value: "sqrt", label: "Mild", hint: "Rare emotions count a little more." },
        {
          value: "balanced",
          label: "Balanced",
          hint: "Every emotion counts the same; more rare-class recall, lower accuracy.",
        },
      ] satisfies Choice<"class_weights">[],
    },
  ];

/**
 * The select gives text; the API takes a version as a JSON number. Empty means "not given": the
 * select's "active version" choice.
 */
const versionOrUndefined = (v: unknown) => (v === "" || v === null || v === undefined ? undefined : Number(v));

export function StartJobForm({ models, onStarted }: { models: ModelVersionRow[] | null; onStarted: () => void }) {
  const id = useId();
  const router = useRouter();
  /** The job a 409 named: one runs at a time. */
  const [running, setRunning] = useState<{ jobId: number } | null>(null);
  /** Started: the button stays disabled while the browser moves to the job's page. */
  const [leaving, setLeaving] = useState(false);
  const {
    register,
    handleSubmit,
    setError,
    control,
    formState: { errors, isSubmitting },
  } = useForm<ParamsInput, unknown, ParamsOutput>({
    resolver: zodResolver(trainingParamsSchema),
    defaultValues: {
      base_version: undefined,
      epochs: String(defaults.epochs),
      learning_rate: String(defaults.learning_rate),
      strategy: defaults.strategy,
      class_weights: defaults.class_weights,
      min_samples: String(defaults.min_samples),
      batch_size: String(defaults.batch_size),
      distill_weight: String(defaults.distill_weight),
      distill_temperature: String(defaults.distill_temperature),
      label_aggregation: defaults.label_aggregation,
    },
  });

  // The pre-flight follows the parameters it depends on, once typing pauses.
  const [minSamples, aggregation] = useWatch({ control, name: ["min_samples", "label_aggregation"] });
  const [preflight, setPreflight] = useState<PreflightState>({ status: "idle" });
  useEffect(() => {
    const query = preflightQuerySchema.safeParse({ min_samples: minSamples, label_aggregation: aggregation });
    if (!query.success) {
      setPreflight({ status: "invalid" });
      return;
    }
    setPreflight((prev) => ({ status: "loading", last: prev.status === "ready" ? prev.data : null }));
    const controller = new AbortController();
    const timer = setTimeout(() => {
      const qs = new URLSearchParams({
        min_samples: String(query.data.min_samples),
        label_aggregation: query.data.label_aggregation,
      });
      apiFetchBody<TrainingPreflight>(`/api/training-jobs/preflight?${qs}`, { signal: controller.signal }).then(
        (data) => setPreflight({ status: "ready", data }),
        (err: unknown) => {
          if (!controller.signal.aborted) setPreflight({ status: "error", message: errorMessage(err) });
        },
      );
    }, PREFLIGHT_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [minSamples, aggregation]);
  const blocked = preflight.status === "ready" ? blockedReason(preflight.data) : null;

  const onSubmit = handleSubmit(async (params) => {
    setRunning(null);
    try {
      const data = await apiFetchBody<{ job_id: number }>("/api/training-jobs", { method: "POST", json: params });
      setLeaving(true);
      onStarted();
      router.push(`/training/${data.job_id}`);
    } catch (err) {
      const jobId = err instanceof ApiError && err.status === 409 ? err.details?.job_id : undefined;
      const refused = err instanceof ApiError && err.status === 422 ? err.details?.preflight : undefined;
      if (typeof jobId === "number") setRunning({ jobId });
      else setError("root.server", { message: errorMessage(err) });
      // The server counted again and refused: show its counts (the faces may have changed meanwhile).
      if (isPreflight(refused)) setPreflight({ status: "ready", data: refused });
    }
  });

  const active = models?.find((m) => m.status === "ACTIVE");
  const bases = models?.filter((m) => m.status !== "FAILED" && m.status !== "ACTIVE") ?? [];
  const describedBy = (name: string, hasError: boolean) =>
    `${id}-${name}-hint${hasError ? ` ${id}-${name}-error` : ""}`;

  return (
    <section className="card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Start a training job</h2>
      <p className="muted small">
        The job freezes the reviewed faces as they are now, holds a slice of them out, trains, and scores the result
        beside the active version on the held-out slice and the golden set.
      </p>
      <form onSubmit={onSubmit} noValidate className={styles.startForm} data-testid="start-job-form">
        <div className="form-grid">
          <div className="field">
            <label htmlFor={`${id}-base`}>Start from</label>
            <select
              id={`${id}-base`}
              aria-describedby={`${id}-base-hint`}
              {...register("base_version", { setValueAs: versionOrUndefined })}
            >
              <option value="">{active ? `Active version (v${active.version})` : "The active version"}</option>
              {bases.map((m) => (
                <option key={m.id} value={m.version}>
                  Version {m.version} · {m.name} ({m.status.toLowerCase()})
                </option>
              ))}
            </select>
            <p id={`${id}-base-hint`} className={styles.fieldHint}>
              The version whose weights are fine-tuned.
            </p>
            {errors.base_version ? <p className="field-error">Choose a version from the list.</p> : null}
          </div>
          {fields.map((f) => {
            const error = errors[f.name];
            return (
              <div className="field" key={f.name}>
                <label htmlFor={`${id}-${f.name}`}>{f.label}</label>
                <input
                  id={`${id}-${f.name}`}
                  type="text"
                  inputMode={f.inputMode}
                  autoComplete="off"
                  spellCheck={false}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={describedBy(f.name, Boolean(error))}
                  {...register(f.name)}
                />
                <p id={`${id}-${f.name}-hint`} className={styles.fieldHint}>
                  {f.hint}
                </p>
                {error ? (
                  <p id={`${id}-${f.name}-error`} className="field-error">
                    Enter {rangeText(f.name)}.
                  </p>
                ) : null}
              </div>
            );
          })}
        </div>

        {choiceGroups.map((g) => (
          <fieldset className={styles.choiceGroup} key={g.name}>
            <legend>{g.legend}</legend>
            <div className={styles.choiceOptions}>
              {g.choices.map((c) => (
                <label className={styles.choice} key={c.value}>
                  <input type="radio" value={c.value} {...register(g.name)} />
                  <span>
                    <strong>{c.label}</strong>
                    <span className="block muted small">{c.hint}</span>
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
        ))}

        <PreflightPanel state={preflight} headingId={`${id}-preflight`} />

        {running ? (
          <div className="notice notice-warning" role="alert" data-testid="job-conflict">
            <p>
              <strong>A job is already running.</strong> Only one runs at a time:{" "}
              <Link href={`/training/${running.jobId}`}>open job #{running.jobId}</Link> to follow or cancel it.
            </p>
          </div>
        ) : null}
        {errors.root?.server?.message ? (
          <p className="form-error" role="alert">
            {errors.root.server.message}
          </p>
        ) : null}

        <div className="form-actions">
          <button
            type="submit"
            className="btn btn-primary"
            disabled={isSubmitting || leaving || blocked !== null}
            aria-describedby={blocked ? `${id}-blocked` : undefined}
          >
            {isSubmitting || leaving ? "Starting…" : "Start training"}
          </button>
          {blocked ? (
            <p id={`${id}-blocked`} className="muted small" data-testid="start-blocked">
              This job cannot succeed: {blocked}
            </p>
          ) : null}
        </div>
      </form>
    </section>
  );
}

/** The counts a 422 carries in `error.details.preflight`. */
function isPreflight(x: unknown): x is TrainingPreflight {
  return typeof x === "object" && x !== null && "ready" in x && "classes" in x && "train" in x && "holdout" in x;
}
