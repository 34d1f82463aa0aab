"use client";

import { useEffect, useId, useRef, useState, type Ref } from "react";
import { EMOTION_LABELS } from "@/lib/model/labels";
import type { FaceSort } from "@/lib/dataset/schemas";
import type { ModelVersionRow, UserRow } from "../_components/api-types";
import { labelTitle } from "../_components/verdict-names";
import { FILTER_KEYS, type FilterKey, type Filters } from "./dataset-query";
import styles from "./dataset.module.css";

export const sortText: Record<FaceSort, string> = {
  newest: "Newest first",
  oldest: "Oldest first",
  confidence: "Least confident first",
  "-confidence": "Most confident first",
  margin: "Smallest margin first",
  "-margin": "Largest margin first",
};

/** The filters behind "More filters"; the bar opens on them when one is in use. */
const MORE: readonly FilterKey[] = [
  "model_version",
  "confidence_min",
  "confidence_max",
  "margin_min",
  "margin_max",
  "reviewer",
  "upload",
  "from",
  "to",
];

interface Props {
  filters: Filters;
  admin: boolean;
  models: readonly ModelVersionRow[];
  users: readonly UserRow[];
  onChange: (changes: Partial<Record<FilterKey, string | null>>) => void;
  onClear: () => void;
  /** The first control: `/` focuses it. */
  firstRef: Ref<HTMLSelectElement>;
}

/**
 * The dataset browser's filters. Every change goes to the address at once (selects and
 * dates) or when typing pauses (figures); the admin-only filters are shown to admins only.
 */
export function FilterBar({ filters, admin, models, users, onChange, onClear, firstRef }: Props) {
  const id = useId();
  const usedMore = MORE.filter((k) => filters[k] !== undefined).length;
  const [showMore, setShowMore] = useState(usedMore > 0);
  // A reviewer's shared address may hold an admin filter the bar does not show: it is counted too.
  const active = FILTER_KEYS.filter((k) => filters[k] !== undefined);

  const select = (key: FilterKey, label: string, options: [string, string][], anyText = "Any") => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <select
        id={`${id}-${key}`}
        ref={key === "predicted" ? firstRef : undefined}
        className={key === "reviewer" ? styles.reviewerSelect : undefined}
        value={filters[key] ?? ""}
        onChange={(e) => onChange({ [key]: e.currentTarget.value || null })}
        data-filter={key}
      >
        <option value="">{anyText}</option>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
        {/* A value from a shared address that the list does not offer stays visible. */}
        {filters[key] !== undefined && !options.some(([v]) => v === filters[key]) ? (
          <option value={filters[key]}>{filters[key]}</option>
        ) : null}
      </select>
    </div>
  );

  const emotions: [string, string][] = EMOTION_LABELS.map((l) => [l, labelTitle(l)]);

  return (
    <section className={`card ${styles.filterBar}`} aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`} className="sr-only">
        Filters
      </h2>
      <div className={styles.filterRow}>
        {select("predicted", "Predicted", emotions)}
        {select(
          "verdict",
          admin ? "Verdict" : "Your verdict",
          [
            ["correct", "Correct"],
            ["incorrect", "Incorrect"],
            ["not_a_face", "Not a face"],
            ["unsure", "Can’t tell"],
            ["none", "Not reviewed yet"],
          ],
          "Any",
        )}
        {admin ? (
          <>
            {select("state", "Review state", [
              ["open", "Open"],
              ["agreed", "Agreed"],
              ["conflict", "Conflict"],
              ["adjudicated", "Adjudicated"],
            ])}
            {select("label", "Consensus", [...emotions, ["not_a_face", "Not a face"], ["unsure", "Can’t tell"]])}
            {select("golden", "Golden set", [
              ["true", "In the golden set"],
              ["false", "Not golden"],
            ])}
            {select("flag", "Flag", [
              ["suspect", "Suspect"],
              ["disputed", "Disputed"],
            ])}
          </>
        ) : null}
      </div>

      <div className={styles.filterActions}>
        <button
          type="button"
          className="btn btn-ghost btn-small"
          aria-expanded={showMore}
          aria-controls={`${id}-more`}
          onClick={() => setShowMore(!showMore)}
        >
          {showMore ? "Fewer filters" : "More filters"}
          {usedMore > 0 ? ` (${usedMore} in use)` : ""}
        </button>
        <button type="button" className="btn btn-ghost btn-small" onClick={onClear} disabled={active.length === 0}>
          Clear filters
        </button>
        <span className="muted small" data-testid="active-filters">
          {active.length ? `${active.length} ${active.length === 1 ? "filter" : "filters"} in use` : "No filters"}
        </span>
      </div>

      <div id={`${id}-more`} className={styles.filterMore} hidden={!showMore}>
        {select(
          "model_version",
          "Model version",
          models.map((m) => [String(m.version), `v${m.version} · ${m.name}`]),
        )}
        <RangeField
          id={`${id}-confidence`}
          label="Confidence"
          min={filters.confidence_min}
          max={filters.confidence_max}
          onChange={(min, max) => onChange({ confidence_min: min, confidence_max: max })}
        />
        <RangeField
          id={`${id}-margin`}
          label="Margin (top two)"
          min={filters.margin_min}
          max={filters.margin_max}
          onChange={(min, max) => onChange({ margin_min: min, margin_max: max })}
        />
        {admin
          ? select(
              "reviewer",
              "Reviewer",
              users.map((u) => [String(u.id), u.email]),
              "Anyone",
            )
          : null}
        <div className="field">
          <label htmlFor={`${id}-upload`}>Upload no.</label>
          <TypedInput
            id={`${id}-upload`}
            value={filters.upload ?? ""}
            inputMode="numeric"
            pattern="[0-9]*"
            placeholder="Any"
            className={styles.uploadInput}
            onCommit={(v) => onChange({ upload: v })}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-from`}>Predicted from</label>
          <input
            id={`${id}-from`}
            type="date"
            value={filters.from ?? ""}
            max={filters.to}
            onChange={(e) => onChange({ from: e.currentTarget.value || null })}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-to`}>Predicted to</label>
          <input
            id={`${id}-to`}
            type="date"
            value={filters.to ?? ""}
            min={filters.from}
            onChange={(e) => onChange({ to: e.currentTarget.value || null })}
          />
        </div>
      </div>
    </section>
  );
}

/** "from – to" of a 0–1 figure (confidence, margin), as two number fields under one label. */
function RangeField({
  id,
  label,
  min,
  max,
  onChange,
}: {
  id: string;
  label: string;
  min: string | undefined;
  max: string | undefined;
  onChange: (min: string | null, max: string | null) => void;
}) {
  return (
    <fieldset className={styles.rangeField}>
      <legend>
        {label} <span className="optional">(0–1)</span>
      </legend>
      <div className={styles.rangeInputs}>
        <TypedInput
          id={`${id}-min`}
          aria-label={`${label} at least`}
          value={min ?? ""}
          inputMode="decimal"
          pattern="(0(\.\d+)?|1(\.0+)?|\.\d+)"
          placeholder="0"
          onCommit={(v) => onChange(v, max ?? null)}
        />
        <span aria-hidden="true">–</span>
        <TypedInput
          id={`${id}-max`}
          aria-label={`${label} at most`}
          value={max ?? ""}
          inputMode="decimal"
          pattern="(0(\.\d+)?|1(\.0+)?|\.\d+)"
          placeholder="1"
          onCommit={(v) => onChange(min ?? null, v)}
        />
      </div>
    </fieldset>
  );
}

/**
 * A text field whose value reaches the address when typing pauses, on Enter or on leaving it, and
 * only when it matches its pattern (a half-typed "0." is not sent). Follows the address otherwise.
 */
function TypedInput({
  value,
  onCommit,
  pattern,
  ...rest
}: {
  id: string;
  value: string;
  onCommit: (value: string | null) => void;
  pattern: string;
  inputMode: "numeric" | "decimal";
  placeholder?: string;
  className?: string;
  "aria-label"?: string;
}) {
  const [draft, setDraft] = useState(value);
  const [shown, setShown] = useState(value);
  // The address changed (back button, Clear filters): show what it says.
  if (shown !== value) {
    setShown(value);
    setDraft(value);
  }
  const valid = draft.trim() === "" || new RegExp(`^(?:${pattern})$`).test(draft.trim());
  const commitRef = useRef<() => void>(() => {});
  useEffect(() => {
    commitRef.current = () => {
      const v = draft.trim();
      if (valid && v !== value) onCommit(v === "" ? null : v);
    };
  });
  useEffect(() => {
    if (draft === value) return;
    const t = setTimeout(() => commitRef.current(), 600);
    return () => clearTimeout(t);
  }, [draft, value]);
  return (
    <input
      type="text"
      autoComplete="off"
      {...rest}
      pattern={pattern}
      value={draft}
      aria-invalid={valid ? undefined : true}
      onChange={(e) => setDraft(e.currentTarget.value)}
      onBlur={() => commitRef.current()}
      onKeyDown={(e) => {
        if (e.key === "Enter") commitRef.current();
      }}
    />
  );
}
