"use client";

import { useState } from "react";
import Link from "next/link";
import type { ModelVersionRow } from "../../_components/api-types";
import type { Comparison, SetComparison } from "../compare";
import { MetricComparisonTable, ScoreTiles } from "../metric-comparison";
import { scoredTogether, type Counterpart } from "./counterpart";
import { Matrices } from "./matrices";
import styles from "./evaluation.module.css";

export function Evaluation({
  model,
  versions,
  onChoose,
  comparison,
  counterpart,
  labels,
  targetHeading,
  otherHeading,
}: {
  model: ModelVersionRow;
  /** Every version; the others are offered to compare with. */
  versions: ModelVersionRow[];
  onChoose: (id: number) => void;
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
          <h2 id="evaluation-heading" data-testid="comparison-heading">
            {counterpart ? (
              <>
                Version {model.version} compared with{" "}
                <Link href={`/models/${counterpart.version.id}`}>version {counterpart.version.version}</Link>,{" "}
                {counterpart.role}
              </>
            ) : (
              "Evaluation"
            )}
          </h2>
          {comparison.sets.length > 0 ? (
            <p className="muted small" data-testid="comparison-basis">
              {comparison.basis}
            </p>
          ) : null}
        </div>
        <div className={styles.controls}>
          {versions.length > 1 ? (
            <div className={`field ${styles.compareWith}`}>
              <label htmlFor="compare-with">Compare with</label>
              <select
                id="compare-with"
                value={counterpart?.version.id ?? ""}
                onChange={(e) => onChoose(Number(e.target.value))}
              >
                {versions
                  .filter((v) => v.id !== model.id)
                  .map((v) => (
                    <option key={v.id} value={v.id}>
                      Version {v.version} · {v.name} ({v.status.toLowerCase()})
                      {scoredTogether(model, v) ? " · same faces" : ""}
                    </option>
                  ))}
              </select>
            </div>
          ) : null}
          {full.length > 1 ? (
            <div className="segmented" role="radiogroup" aria-labelledby="set-label">
              <span id="set-label" className="segmented-label">
                Faces
              </span>
              {full.map((s) => (
                <label key={s.key} className="segmented-option">
                  <input
                    type="radio"
                    name="evaluation-set"
                    value={s.key}
                    checked={set?.key === s.key}
                    onChange={() => setChosen(s.key)}
                  />
                  <span>{s.key === "golden" ? "Golden set" : "Held-out slice"}</span>
                </label>
              ))}
            </div>
          ) : null}
        </div>
      </div>

      {comparison.sets.length === 0 ? (
        <div className="card">
          <p className="empty-inline">
            No evaluation figures yet. A version installed rather than trained here is scored for the first time beside
            the first candidate trained while it is active; its figures then appear here.
          </p>
        </div>
      ) : (
        <>
          <section className="card" aria-labelledby="scores-heading">
            <h3 id="scores-heading">Scores</h3>
            <div className={styles.scoresLayout}>
              <ScoreTiles comparison={comparison} otherHeading={otherHeading} />
              <div>
                <h4 className="small-heading">
                  F1 per class · {set?.key === "golden" ? "golden set" : "held-out slice"}
                </h4>
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
              <Matrices
                set={set}
                labels={labels}
                targetHeading={targetHeading}
                otherHeading={otherHeading}
                sameData={comparison.sameData}
              />
            ) : (
              <p className="empty-inline">No confusion matrix was stored for these figures.</p>
            )}
          </section>
        </>
      )}
    </section>
  );
}
