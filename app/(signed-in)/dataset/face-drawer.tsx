"use client";

import { useEffect, useEffectEvent, useId, useState } from "react";
import { apiFetchBody, errorMessage } from "../_components/api-client";
import { auditActionSentence } from "../_components/audit-text";
import type { FaceAuditEntry, FaceDetail, Verdict } from "../_components/api-types";
import { formatDateTime, formatPercent, plural } from "../_components/format";
import { isTextEntry } from "../_components/keyboard";
import { ModalDialog } from "../_components/modal-dialog";
import { matchShortcut, type Shortcut } from "../_components/shortcuts";
import { PhotoWithBoxes } from "../_components/photo-with-boxes";
import { ProbabilityBars } from "../_components/probability-bars";
import { VerdictBadge } from "../_components/verdict-badge";
import { labelText, labelTitle, verdictNames } from "../_components/verdict-names";
import { ConsensusBadge, ExcludedMark, FlagChips, flagHelp, flagText, GoldenMark } from "./face-badges";
import styles from "./dataset.module.css";

interface Props {
  faceId: number;
  /** Its place in the list shown ("3 of 60"), when it is in it. */
  position: { index: number; count: number; more: boolean } | null;
  admin: boolean;
  /** Bumped after a change to faces (a bulk action): the open face is fetched again. */
  version: number;
  onPrevious: (() => void) | null;
  onNext: (() => void) | null;
  onClose: () => void;
  /** Where focus goes when the drawer closes: the face now shown, in the list. */
  returnFocus: () => HTMLElement | null;
}

/** The drawer's keys; Esc is the dialog's own. */
export const faceDrawerShortcuts = [
  { id: "previous", keys: ["←"], action: "Previous face" },
  { id: "next", keys: ["→"], action: "Next face" },
  { id: "close", keys: ["Esc"], action: "Close the face" },
] as const satisfies readonly Shortcut[];

function isVerdict(v: string): v is Verdict {
  return v in verdictNames;
}

/**
 * One face of the dataset browser in a drawer (a modal dialog: focus stays in it, Esc closes it):
 * the photo with the face's box, the crop, every prediction with its probabilities, every verdict,
 * the consensus and, for admins, the audit trail. ← and → move to the previous and next face.
 */
export function FaceDrawer({ faceId, position, admin, version, onPrevious, onNext, onClose, returnFocus }: Props) {
  const headingId = useId();
  const [loaded, setLoaded] = useState<{ key: string; detail: FaceDetail | null; error: string | null } | null>(null);
  const key = `${faceId}:${version}`;
  const current = loaded?.key === key ? loaded : null;
  const detail = current?.detail ?? null;
  const error = current?.error ?? null;

  useEffect(() => {
    const ctrl = new AbortController();
    apiFetchBody<FaceDetail>(`/api/faces/${faceId}`, { signal: ctrl.signal }).then(
      (d) => setLoaded({ key, detail: d, error: null }),
      (err: unknown) => {
        if (!ctrl.signal.aborted) setLoaded({ key, detail: null, error: errorMessage(err) });
      },
    );
    return () => ctrl.abort();
  }, [faceId, key]);

  const onKeyDown = useEffectEvent((e: KeyboardEvent) => {
    if (e.defaultPrevented || isTextEntry(e.target)) return;
    const shortcut = matchShortcut(faceDrawerShortcuts, e);
    if (shortcut?.id === "previous" && onPrevious) {
      e.preventDefault();
      onPrevious();
    } else if (shortcut?.id === "next" && onNext) {
      e.preventDefault();
      onNext();
    }
  });
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKeyDown(e);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);

  return (
    <ModalDialog labelledBy={headingId} onDismiss={onClose} className={styles.drawer} returnFocus={returnFocus}>
      <div className={styles.drawerHead}>
        <div>
          <h2 id={headingId}>
            Face #{faceId}
            {detail?.golden ? (
              <>
                {" "}
                <GoldenMark />
              </>
            ) : null}
          </h2>
          {position ? (
            <p className="muted small" aria-live="polite" data-testid="drawer-position">
              {position.index + 1} of {position.count}
              {position.more ? " loaded" : ""}
            </p>
          ) : null}
        </div>
        <div className={styles.drawerNav}>
          <button
            type="button"
            className="btn btn-small"
            onClick={() => onPrevious?.()}
            disabled={!onPrevious}
            aria-keyshortcuts="ArrowLeft"
          >
            <span aria-hidden="true">←</span> Previous
          </button>
          <button
            type="button"
            className="btn btn-small"
            onClick={() => onNext?.()}
            disabled={!onNext}
            aria-keyshortcuts="ArrowRight"
          >
            Next <span aria-hidden="true">→</span>
          </button>
          <button type="button" className="btn btn-ghost btn-small" onClick={onClose} aria-keyshortcuts="Escape">
            Close <kbd aria-hidden="true">Esc</kbd>
          </button>
        </div>
      </div>

      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {!detail && !error ? (
        <p className="muted status-line">
          <span className="spinner" aria-hidden="true" /> Loading face {faceId}…
        </p>
      ) : null}
      {detail ? <FaceDetailBody detail={detail} admin={admin} /> : null}
    </ModalDialog>
  );
}

function FaceDetailBody({ detail, admin }: { detail: FaceDetail; admin: boolean }) {
  const latest = detail.predictions[0];
  return (
    <div className={styles.drawerBody} data-testid="face-detail" data-face-id={detail.id}>
      <div className={styles.drawerMedia}>
        <figure className={styles.drawerCrop}>
          <img
            src={detail.crop_url}
            alt={`Face ${detail.id} as the model sees it (48 × 48 pixels)`}
            width={144}
            height={144}
            className="crop"
          />
          <figcaption className="muted small">The crop</figcaption>
        </figure>
        <figure className={styles.drawerPhoto}>
          <PhotoWithBoxes
            src={detail.upload.image_url}
            alt={
              detail.upload.is_face_crop
                ? "The uploaded face crop"
                : `The uploaded photo with face ${detail.id} outlined`
            }
            width={detail.upload.width}
            height={detail.upload.height}
            boxes={detail.upload.is_face_crop ? [] : [{ key: detail.id, box: detail.box, active: true }]}
            className={styles.photo}
          />
          <figcaption className="muted small">
            {detail.upload.is_face_crop ? "Uploaded as a face crop" : "The photo"} · upload #{detail.upload.id} ·{" "}
            <time dateTime={detail.created_at}>{formatDateTime(detail.created_at)}</time>
          </figcaption>
        </figure>
      </div>

      <section aria-labelledby={`review-${detail.id}`} className={styles.drawerSection}>
        <h3 id={`review-${detail.id}`} className="small-heading">
          Review
        </h3>
        {detail.consensus ? (
          <dl className="facts">
            <div>
              <dt>State</dt>
              <dd data-testid="detail-consensus">
                <ConsensusBadge state={detail.consensus.state} label={detail.consensus.label} />{" "}
                <span className="muted small">
                  {detail.consensus.verdicts === 0
                    ? `no verdicts yet; ${detail.consensus.needed} needed`
                    : `${plural(detail.consensus.verdicts, "verdict")}, ${detail.consensus.support} for the consensus; ${detail.consensus.needed} needed`}
                </span>
              </dd>
            </div>
            {detail.consensus.adjudication ? (
              <div>
                <dt>Adjudicated</dt>
                <dd>
                  <strong>{labelTitle(detail.consensus.adjudication.label)}</strong> by{" "}
                  {detail.consensus.adjudication.by.email},{" "}
                  <time dateTime={detail.consensus.adjudication.at}>
                    {formatDateTime(detail.consensus.adjudication.at)}
                  </time>
                  {detail.consensus.adjudication.note ? (
                    <q className={styles.note}>{detail.consensus.adjudication.note}</q>
                  ) : null}
                </dd>
              </div>
            ) : null}
            {detail.golden ? (
              <div>
                <dt>Golden set</dt>
                <dd>
                  In the golden set{detail.golden_label ? ` as ${labelText(detail.golden_label)}` : ""}; never trained
                  on
                </dd>
              </div>
            ) : null}
            {detail.excluded ? (
              <div>
                <dt>Training</dt>
                <dd>
                  <ExcludedMark /> {detail.excluded.reason ? <q>{detail.excluded.reason}</q> : null}{" "}
                  <span className="muted small">
                    since <time dateTime={detail.excluded.at}>{formatDateTime(detail.excluded.at)}</time>
                  </span>
                </dd>
              </div>
            ) : null}
            {detail.flags.length ? (
              <div>
                <dt>Flags</dt>
                <dd>
                  <FlagChips flags={detail.flags} />
                  <span className="block muted small">
                    {detail.flags.map((f) => `${flagText[f] ?? f}: ${flagHelp[f] ?? ""}`).join(". ")}.
                  </span>
                  {detail.flags.includes("suspect") && detail.flags_judged_by && detail.consensus?.label ? (
                    <span className="block small" data-testid="suspect-why">
                      {judgedByText(detail.flags_judged_by, detail.consensus.label)}
                    </span>
                  ) : null}
                </dd>
              </div>
            ) : null}
          </dl>
        ) : (
          <p className="muted small">
            {admin
              ? "Not predicted yet."
              : "Other reviewers’ verdicts and the consensus show here once you have given your own verdict."}
          </p>
        )}
      </section>

      <section aria-labelledby={`verdicts-${detail.id}`} className={styles.drawerSection}>
        <h3 id={`verdicts-${detail.id}`} className="small-heading">
          {detail.verdicts.length ? plural(detail.verdicts.length, "verdict") : "Verdicts"}
        </h3>
        {detail.verdicts.length ? (
          <ul className={styles.verdictList} data-testid="detail-verdicts">
            {detail.verdicts.map((v) => (
              <li key={v.id} className={styles.verdictItem} data-verdict={v.verdict}>
                {isVerdict(v.verdict) ? <VerdictBadge verdict={v.verdict} /> : <span>{v.verdict}</span>}
                <span className={styles.verdictWho}>
                  {v.verdict === "incorrect" ? (
                    <>
                      says <strong>{labelText(v.label)}</strong> ·{" "}
                    </>
                  ) : null}
                  <span className="cell-email">{v.reviewer.email}</span>
                  {v.control ? <span className={styles.controlChip}>control</span> : null}
                  <span className="muted small">
                    {" "}
                    · <time dateTime={v.at}>{formatDateTime(v.at)}</time>
                  </span>
                  {v.note ? <q className={styles.note}>{v.note}</q> : null}
                </span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted small">No verdicts yet.</p>
        )}
      </section>

      <section aria-labelledby={`predictions-${detail.id}`} className={styles.drawerSection}>
        <h3 id={`predictions-${detail.id}`} className="small-heading">
          {detail.predictions.length > 1 ? `${detail.predictions.length} predictions, newest first` : "Prediction"}
        </h3>
        {latest ? null : <p className="muted small">No prediction yet.</p>}
        {detail.predictions.map((p, i) => {
          const body = (
            <>
              <p className="prediction">
                <span className="prediction-label">{p.label}</span>
                <span className="prediction-confidence">
                  {formatPercent(p.confidence)} confidence · margin {p.margin.toFixed(2)}
                </span>
              </p>
              <ProbabilityBars probabilities={p.probabilities} predicted={p.label} />
            </>
          );
          const title = (
            <>
              Model v{p.model_version.version} <span className="muted">({p.model_version.name})</span> ·{" "}
              <time dateTime={p.created_at}>{formatDateTime(p.created_at)}</time>
            </>
          );
          return i === 0 ? (
            <div key={p.id} className={styles.prediction} data-testid="detail-prediction">
              <p className="muted small">{title}</p>
              {body}
            </div>
          ) : (
            <details key={p.id} className={styles.prediction} data-testid="detail-prediction">
              <summary className="small">
                {title} · {p.label} {formatPercent(p.confidence)}
              </summary>
              {body}
            </details>
          );
        })}
      </section>

      {detail.audit ? (
        <section aria-labelledby={`audit-${detail.id}`} className={styles.drawerSection}>
          <h3 id={`audit-${detail.id}`} className="small-heading">
            Audit trail
          </h3>
          {detail.audit.length ? (
            <ol className={styles.auditList} data-testid="detail-audit">
              {detail.audit.map((a) => (
                <li key={a.id} data-action={a.action}>
                  <span>{describeAudit(a)}</span>
                  <span className="muted small">
                    {a.actor?.email ?? "system"} · <time dateTime={a.at}>{formatDateTime(a.at)}</time>
                  </span>
                </li>
              ))}
            </ol>
          ) : (
            <p className="muted small">Nothing recorded for this face yet.</p>
          )}
        </section>
      ) : null}
    </div>
  );
}

function str(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}

/** "CORRECT" / { verdict, correctedLabel } as a verdict reads on screen. */
function verdictPhrase(v: unknown): string {
  if (typeof v !== "object" || v === null) return "?";
  const verdict = "verdict" in v ? str(v.verdict)?.toLowerCase() : null;
  const corrected = "correctedLabel" in v ? str(v.correctedLabel) : null;
  const name = verdict && isVerdict(verdict) ? verdictNames[verdict] : (verdict ?? "?");
  return corrected ? `${name} (${labelText(corrected)})` : name;
}

/** One audit row, as a sentence about this face. */
export function describeAudit(a: FaceAuditEntry): string {
  const d = a.details;
  const faces = typeof d.faces === "number" ? d.faces : 1;
  const others = faces > 1 ? ` (with ${plural(faces - 1, "other face")})` : "";
  switch (a.action) {
    case "golden.add":
      return `Added to the golden set${str(d.label) ? ` as ${labelText(str(d.label)!)}` : ""}${others}`;
    case "golden.remove":
      return `Removed from the golden set${others}`;
    case "faces.requeue":
      return `Sent back to the review queue${others}`;
    case "faces.exclude":
      return `Excluded from training${str(d.reason) ? `: “${str(d.reason)}”` : ""}${others}`;
    case "faces.include":
      return `Included in training again${others}`;
    case "adjudication.decide":
      return `Adjudicated: ${str(d.label) ? labelText(str(d.label)!) : "?"}${str(d.note) ? ` — “${str(d.note)}”` : ""}`;
    case "review.change":
      return `Verdict changed from ${verdictPhrase(d.from)} to ${verdictPhrase(d.to)}`;
    case "review.undo":
      return `Verdict undone (it was ${verdictPhrase(d)})`;
    default:
      return `${auditActionSentence(a.action)}${others}`;
  }
}

/** Why a face is suspect, in the words of the probabilities it was judged with. */
function judgedByText(j: NonNullable<FaceDetail["flags_judged_by"]>, consensus: string): string {
  const [top, p] = Object.entries(j.probabilities).reduce((a, b) => (b[1] > a[1] ? b : a));
  const given = j.probabilities[consensus] ?? 0;
  const who =
    j.source === "own_score"
      ? `Model v${j.model_version.version} on this face`
      : j.source === "served_held_out"
        ? `The prediction served before any verdict (model v${j.model_version.version} trained on this face)`
        : `The served prediction`;
  return `${who}: ${labelTitle(consensus)} ${formatPercent(given)}, ${labelTitle(top)} ${formatPercent(p)}.`;
}
