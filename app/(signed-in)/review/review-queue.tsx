"use client";

import { useEffect, useEffectEvent, useRef, useState } from "react";
import Link from "next/link";
import { EMOTION_LABELS } from "@/lib/model/labels";
import { queueOrders, type QueueOrder, type ReviewInput } from "@/lib/review/schemas";
import type { QueueItem } from "../_components/api-types";
import { formatPercent } from "../_components/format";
import { IncorrectForm, incorrectFormShortcuts } from "../_components/incorrect-form";
import { activatesOnEnter, isTextEntry } from "../_components/keyboard";
import { KeyLegend } from "../_components/key-legend";
import { ShortcutHelp } from "../_components/shortcut-help";
import { matchShortcut, type Shortcut, type ShortcutGroup } from "../_components/shortcuts";
import { PhotoWithBoxes } from "../_components/photo-with-boxes";
import { ProbabilityBars } from "../_components/probability-bars";
import { Toast } from "../_components/toast";
import { useToast } from "../_components/use-toast";
import { useReviewQueue } from "./use-review-queue";
import { QueueEmpty, QueueError } from "../_components/queue-status";
import styles from "./review-queue.module.css";

const ORDER_KEY = "emotion-loop.review-order";

const orderLabels: Record<QueueOrder, string> = {
  uncertain: "Most uncertain first",
  newest: "Newest",
  random: "Random",
  second_look: "Second look (suspect first)",
};

/** The keys the page answers to: its handler matches these, the legend and the `?` list show them. */
const reviewShortcuts = [
  { id: "correct", keys: ["C", "Enter"], action: "Correct" },
  { id: "incorrect", keys: ["X"], action: "Incorrect… (pick the emotion)" },
  { id: "emotion", keys: ["1", "–", "7"], action: "This emotion (Correct if it is the prediction)" },
  { id: "not-a-face", keys: ["N"], action: "Not a face (no face in the crop)" },
  { id: "unsure", keys: ["U"], action: "Can’t tell (the emotion is unclear)" },
  { id: "skip", keys: ["S"], action: "Skip" },
  { id: "undo", keys: ["Z", "Ctrl Z"], action: "Undo last verdict" },
] as const satisfies readonly Shortcut[];

const reviewShortcutGroups: ShortcutGroup[] = [
  { title: "Review", shortcuts: reviewShortcuts },
  { title: "In the Incorrect form", shortcuts: incorrectFormShortcuts },
];

function readStoredOrder(): QueueOrder {
  try {
    const stored = window.localStorage.getItem(ORDER_KEY);
    return queueOrders.find((o) => o === stored) ?? "uncertain";
  } catch {
    // Storage can be disabled (private modes, policies): fall back to the default order.
    return "uncertain";
  }
}

export function ReviewQueue({ reviewerId }: { reviewerId: number }) {
  // Read after mount: the server render cannot know what this browser stored.
  const [order, setOrder] = useState<QueueOrder | null>(null);
  useEffect(() => setOrder(readStoredOrder()), []);

  const { toast, show } = useToast();
  const queue = useReviewQueue(order, show, reviewerId);
  const { current } = queue;
  /** The prediction the Incorrect form is open for; it closes by itself when another face is shown. */
  const [formFor, setFormFor] = useState<number | null>(null);
  const formOpen = current !== null && formFor === current.prediction_id;
  const stageRef = useRef<HTMLElement>(null);

  // Arriving from the nav leaves focus on its link, where Enter would follow the link again instead
  // of answering. Once, when the first face shows, start the reviewer on the card, unless they
  // have already moved on to something else on the page.
  const hasCurrent = current !== null;
  const focusedOnce = useRef(false);
  useEffect(() => {
    if (!hasCurrent || focusedOnce.current) return;
    focusedOnce.current = true;
    const active = document.activeElement;
    if (!active || active === document.body || active.closest(".site-header")) {
      stageRef.current?.focus({ preventScroll: true });
    }
  }, [hasCurrent]);

  function chooseOrder(o: QueueOrder) {
    setOrder(o);
    try {
      window.localStorage.setItem(ORDER_KEY, o);
    } catch {
      // Not remembered; still applied for this visit.
    }
  }

  function answerCorrect(item: QueueItem) {
    queue.answer({ prediction_id: item.prediction_id, verdict: "correct" });
  }

  /** "Not a face" and "Can't tell": answers that give no emotion. */
  function answerWithout(item: QueueItem, verdict: "not_a_face" | "unsure") {
    queue.answer({ prediction_id: item.prediction_id, verdict });
  }

  function answerWithLabel(item: QueueItem, label: string) {
    if (label === item.prediction.label) answerCorrect(item);
    else queue.answer({ prediction_id: item.prediction_id, verdict: "incorrect", corrected_label: label });
  }

  function closeForm() {
    setFormFor(null);
    stageRef.current?.focus({ preventScroll: true });
  }

  const onKeyDown = useEffectEvent((e: KeyboardEvent) => {
    if (e.defaultPrevented || isTextEntry(e.target)) return;
    if (formOpen) {
      // Keys inside the form never get here; this is Esc with focus elsewhere on the page.
      if (e.key === "Escape") closeForm();
      return;
    }
    const shortcut = matchShortcut(reviewShortcuts, e);
    // Holding a key down must not answer a string of faces.
    if (!shortcut || e.repeat) return;
    // Enter already means "press this" on a button or link.
    if (shortcut.id === "correct" && e.key === "Enter" && activatesOnEnter(e.target)) return;
    if (shortcut.id === "undo") {
      e.preventDefault();
      void queue.undo();
      return;
    }
    if (!current) return;
    e.preventDefault();
    switch (shortcut.id) {
      case "correct":
        return answerCorrect(current);
      case "incorrect":
        return setFormFor(current.prediction_id);
      case "not-a-face":
        return answerWithout(current, "not_a_face");
      case "unsure":
        return answerWithout(current, "unsure");
      case "skip":
        return queue.skip();
      case "emotion": {
        const label = EMOTION_LABELS[Number(e.key) - 1];
        if (label) answerWithLabel(current, label);
        return;
      }
    }
  });

  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKeyDown(e);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);

  return (
    <>
      <div className={`page-head ${styles.reviewHead}`}>
        <div>
          <h1>Review</h1>
          <p className="muted" data-testid="queue-remaining">
            {queue.status === "empty"
              ? "Nothing waiting for you"
              : queue.remaining === null
                ? "\u00a0"
                : queue.remaining === 1
                  ? "1 face waiting"
                  : `${queue.remaining} faces waiting`}
          </p>
        </div>
        <div className={styles.reviewToolbar}>
          <div className="segmented" role="radiogroup" aria-labelledby="order-label">
            <span id="order-label" className="segmented-label">
              Order
            </span>
            {queueOrders.map((o) => (
              <label key={o} className="segmented-option">
                <input
                  type="radio"
                  name="review-order"
                  value={o}
                  checked={order === o}
                  disabled={order === null}
                  onChange={() => chooseOrder(o)}
                />
                <span>{orderLabels[o]}</span>
              </label>
            ))}
          </div>
          <button type="button" className="btn btn-ghost" onClick={() => void queue.undo()} disabled={!queue.canUndo}>
            Undo <kbd aria-hidden="true">Z</kbd>
          </button>
        </div>
      </div>

      <p className="sr-only" aria-live="polite">
        {current
          ? `Now reviewing a face. The model says ${current.prediction.label}, ${formatPercent(current.prediction.confidence)} confidence.`
          : queue.status === "empty"
            ? "The queue is empty."
            : ""}
      </p>

      <div className={styles.reviewLayout}>
        <div className="review-main">
          {current ? (
            <section
              ref={stageRef}
              tabIndex={-1}
              className={`card ${styles.reviewCard}`}
              aria-label="Face to review"
              data-testid="review-item"
              data-prediction-id={current.prediction_id}
            >
              <div className={styles.reviewFace}>
                <img
                  src={current.face.crop_url}
                  alt="The face to review, as the model sees it (48 × 48 pixels)"
                  width={192}
                  height={192}
                  className="crop crop-xl"
                />
                <div className={styles.reviewPrediction}>
                  <p className="eyebrow">The model says</p>
                  <p className="prediction prediction-big">
                    <span className="prediction-label" data-testid="predicted-label">
                      {current.prediction.label}
                    </span>
                    <span className="prediction-confidence">
                      {formatPercent(current.prediction.confidence)} confidence
                    </span>
                  </p>
                  <ProbabilityBars
                    probabilities={current.prediction.probabilities}
                    predicted={current.prediction.label}
                    showKeys
                  />
                </div>
              </div>
              {formOpen ? (
                <IncorrectForm
                  key={current.prediction_id}
                  predictionId={current.prediction_id}
                  predictedLabel={current.prediction.label}
                  onSubmit={async (input: ReviewInput) => {
                    closeForm();
                    queue.answer(input);
                  }}
                  onCancel={closeForm}
                />
              ) : (
                <div className={styles.reviewActions}>
                  <div className={styles.actionRow}>
                    <button type="button" className="btn btn-success btn-large" onClick={() => answerCorrect(current)}>
                      Correct <kbd aria-hidden="true">C</kbd>
                    </button>
                    <button
                      type="button"
                      className="btn btn-danger-outline btn-large"
                      onClick={() => setFormFor(current.prediction_id)}
                    >
                      Incorrect… <kbd aria-hidden="true">X</kbd>
                    </button>
                    <button type="button" className="btn btn-ghost btn-large" onClick={queue.skip}>
                      Skip <kbd aria-hidden="true">S</kbd>
                    </button>
                  </div>
                  {/* Answers that give no emotion: kept apart, so they are not pressed for "incorrect". */}
                  <div className={styles.actionRow}>
                    <button
                      type="button"
                      className="btn"
                      onClick={() => answerWithout(current, "not_a_face")}
                      data-testid="answer-not-a-face"
                    >
                      Not a face <kbd aria-hidden="true">N</kbd>
                    </button>
                    <button
                      type="button"
                      className="btn"
                      onClick={() => answerWithout(current, "unsure")}
                      data-testid="answer-unsure"
                    >
                      Can’t tell <kbd aria-hidden="true">U</kbd>
                    </button>
                  </div>
                </div>
              )}
            </section>
          ) : (
            <QueueState status={queue.status} error={queue.loadError} onRecheck={queue.recheck} />
          )}
          <Toast toast={toast} placement="column" />
        </div>

        <aside className={styles.reviewSide}>
          {current ? (
            <figure className={`card ${styles.reviewContext}`}>
              <PhotoWithBoxes
                src={current.face.upload.image_url}
                alt="The uploaded photo this face comes from, with the face outlined"
                width={current.face.upload.width}
                height={current.face.upload.height}
                boxes={
                  current.face.upload.is_face_crop
                    ? []
                    : [{ key: current.face.id, box: current.face.box, active: true }]
                }
              />
              <figcaption className="muted small">
                {current.face.upload.is_face_crop ? "Uploaded as a face crop" : "Original photo"} · upload{" "}
                {current.face.upload.id} · model v{current.prediction.model_version.version}
              </figcaption>
            </figure>
          ) : null}
          <KeyLegend keys={reviewShortcuts} note="In the Incorrect form: 1–7 picks, Enter saves, Esc cancels." />
          <ShortcutHelp groups={reviewShortcutGroups} />
        </aside>
      </div>
    </>
  );
}

function QueueState({
  status,
  error,
  onRecheck,
}: {
  status: "loading" | "ready" | "empty" | "error";
  error: string | null;
  onRecheck: () => void;
}) {
  if (status === "empty") {
    return (
      <QueueEmpty
        title="Queue is empty"
        testId="queue-empty"
        actions={
          <>
            <Link href="/upload" className="btn btn-primary">
              Upload photos
            </Link>
            <button type="button" className="btn btn-ghost" onClick={onRecheck}>
              Check again
            </button>
          </>
        }
      >
        Every face has your verdict or the verdicts it needs — nice work. A face another reviewer is answering right now
        may come back; check again, or upload more photos to keep the loop going.
      </QueueEmpty>
    );
  }
  if (status === "error") return <QueueError title="Couldn’t load the next face" error={error} onRetry={onRecheck} />;
  return (
    <div className={`card ${styles.reviewCard} is-loading`} aria-busy="true">
      <div className={styles.reviewFace}>
        <div className={`crop crop-xl ${styles.skeleton}`} />
        <div className={styles.reviewPrediction}>
          <p className="muted">Loading the next face…</p>
        </div>
      </div>
    </div>
  );
}
