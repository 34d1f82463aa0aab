"use client";

import { useEffect, useRef, useState } from "react";
import type { ReviewInput } from "@/lib/review/schemas";
import { errorMessage } from "../_components/api-client";
import type { StoredReview, UploadedFace } from "../_components/api-types";
import { formatPercent } from "../_components/format";
import { IncorrectForm } from "../_components/incorrect-form";
import { ProbabilityBars } from "../_components/probability-bars";
import { describeVerdict, saveReview, undoReview } from "../_components/reviews-api";
import { verdictBadgeClass } from "../_components/verdict-badge";
import styles from "./face-card.module.css";

type Step = { kind: "ask" } | { kind: "incorrect-form" } | { kind: "saving" } | { kind: "saved"; review: StoredReview };

/** One detected face: its crop, the prediction, and the reviewer's verdict on it. */
export function FaceCard({ face, number }: { face: UploadedFace; number: number }) {
  const [step, setStep] = useState<Step>({ kind: "ask" });
  const [error, setError] = useState<string | null>(null);
  const headingId = `face-${face.id}-heading`;
  const cardRef = useRef<HTMLElement>(null);

  // The button that was pressed is gone once the verdict shows; keep keyboard focus in this card.
  const saved = step.kind === "saved";
  useEffect(() => {
    const active = document.activeElement;
    if (!active || active === document.body) cardRef.current?.focus();
  }, [saved]);

  async function record(input: ReviewInput) {
    setError(null);
    setStep({ kind: "saving" });
    try {
      setStep({ kind: "saved", review: await saveReview(input) });
    } catch (err) {
      setStep({ kind: "ask" });
      setError(errorMessage(err));
    }
  }

  async function undo(review: StoredReview) {
    setError(null);
    try {
      await undoReview(review.id);
      setStep({ kind: "ask" });
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  return (
    <article
      ref={cardRef}
      tabIndex={-1}
      className={`card ${styles.faceCard}`}
      aria-labelledby={headingId}
      data-testid="face-card"
    >
      <header className={styles.faceCardHead}>
        <h3 id={headingId}>
          <span className={styles.faceNumber} aria-hidden="true">
            {number}
          </span>
          Face {number}
        </h3>
        <span className="muted small" title={face.model_version.name}>
          model v{face.model_version.version}
        </span>
      </header>
      <div className={styles.faceCardBody}>
        {/* The model's 48×48 grayscale input, scaled up without smoothing so what it saw is visible. */}
        <img
          src={face.crop_url}
          alt={`Face ${number} as the model sees it`}
          width={144}
          height={144}
          className="crop"
        />
        <div className={styles.faceCardPrediction}>
          <p className="prediction">
            <span className="prediction-label">{face.label}</span>
            <span className="prediction-confidence">{formatPercent(face.confidence)} confidence</span>
          </p>
          <ProbabilityBars probabilities={face.probabilities} predicted={face.label} />
        </div>
      </div>
      <footer className={styles.faceCardFoot}>
        <p className="sr-only" aria-live="polite">
          {step.kind === "saved" ? `Face ${number} saved: ${describeVerdict(step.review)}` : ""}
        </p>
        {step.kind === "ask" || step.kind === "saving" ? (
          <div className={styles.verdictButtons}>
            <button
              type="button"
              className="btn btn-success"
              disabled={step.kind === "saving"}
              onClick={() => void record({ prediction_id: face.prediction_id, verdict: "correct" })}
            >
              Correct
            </button>
            <button
              type="button"
              className="btn btn-danger-outline"
              disabled={step.kind === "saving"}
              onClick={() => setStep({ kind: "incorrect-form" })}
            >
              Incorrect…
            </button>
            {step.kind === "saving" ? <span className="muted small">Saving…</span> : null}
          </div>
        ) : null}
        {step.kind === "incorrect-form" ? (
          <IncorrectForm
            predictionId={face.prediction_id}
            predictedLabel={face.label}
            onSubmit={async (input) => {
              setStep({ kind: "saved", review: await saveReview(input) });
            }}
            onCancel={() => setStep({ kind: "ask" })}
          />
        ) : null}
        {step.kind === "saved" ? (
          <div className={styles.verdictSaved}>
            <p className={verdictBadgeClass(step.review.verdict)}>Saved: {describeVerdict(step.review)}</p>
            {step.review.note ? <p className="muted small">“{step.review.note}”</p> : null}
            <button type="button" className="btn btn-ghost btn-small" onClick={() => void undo(step.review)}>
              Undo
            </button>
          </div>
        ) : null}
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
      </footer>
    </article>
  );
}
