"use client";

import { useEffect, useId, useRef, useState } from "react";
import type { bulkActions } from "@/lib/dataset/schemas";
import { apiFetchBody, errorMessage } from "../_components/api-client";
import type { BulkResult } from "../_components/api-types";
import { ModalDialog } from "../_components/modal-dialog";
import { formatCount } from "./dataset-query";
import styles from "./dataset.module.css";

export type BulkAction = (typeof bulkActions)[number];

const actions: {
  action: BulkAction;
  button: string;
  title: (what: string) => string;
  explain: string;
  confirm: string;
  danger?: boolean;
}[] = [
  {
    action: "golden_add",
    button: "Add to golden set",
    title: (what) => `Add ${what} to the golden set?`,
    explain:
      "Each face joins with its consensus emotion as its golden label, and is never trained on. Only reviewed faces whose verdicts agree on an emotion (or that were adjudicated) can join; if any selected face cannot, nothing changes.",
    confirm: "Add to the golden set",
  },
  {
    action: "golden_remove",
    button: "Remove from golden set",
    title: (what) => `Remove ${what} from the golden set?`,
    explain: "They go back to being ordinary reviewed faces, and training may use them again.",
    confirm: "Remove from the golden set",
  },
  {
    action: "requeue",
    button: "Send back to queue",
    title: (what) => `Send ${what} back to the review queue?`,
    explain:
      "Each decided face asks for one more verdict, from a reviewer who has not judged it. Adjudicated and golden faces, and faces still open, are left as they are.",
    confirm: "Send back to the queue",
  },
  {
    action: "exclude",
    button: "Exclude from training",
    title: (what) => `Exclude ${what} from training?`,
    explain:
      "Training jobs leave these faces out from now on (their verdicts stay). The reason is kept in the audit trail.",
    confirm: "Exclude from training",
    danger: true,
  },
  {
    action: "include",
    button: "Include again",
    title: (what) => `Include ${what} in training again?`,
    explain: "Excluded faces among them go back into the training data.",
    confirm: "Include in training",
  },
];

const doneText: Record<BulkAction, string> = {
  golden_add: "added to the golden set",
  golden_remove: "removed from the golden set",
  requeue: "sent back to the queue",
  exclude: "excluded from training",
  include: "included in training again",
};

/** The toast after an action: "Changed 2 of 3 faces: added to the golden set." */
export function bulkResultText(r: BulkResult): string {
  return `Changed ${formatCount(r.changed)} of ${formatCount(r.matched)} ${r.matched === 1 ? "face" : "faces"}: ${doneText[r.action]}.`;
}

export interface Selection {
  /** Listed faces, or everything the filter matches. */
  target: { face_ids: number[] } | { filter: Record<string, string> };
  /** How many faces, as the confirmation says it: "3 faces", "all about 12,400 faces matching the filter". */
  what: string;
}

interface BarProps {
  /** Faces on the page (loaded so far). */
  pageCount: number;
  selectedCount: number;
  allMatching: boolean;
  /** "37 faces" / "about 12,400 faces": the whole match. */
  totalText: string | null;
  /** More faces match than are loaded: offer to select all of them. */
  moreThanPage: boolean;
  onSelectPage: (on: boolean) => void;
  onSelectAllMatching: () => void;
  onClear: () => void;
  onAction: (action: BulkAction) => void;
}

/** The admin's selection (count, select all on the page or everything matching) and the bulk actions. */
export function BulkBar(p: BarProps) {
  const id = useId();
  const pageBox = useRef<HTMLInputElement>(null);
  const allOnPage = p.pageCount > 0 && p.selectedCount >= p.pageCount;
  const some = p.selectedCount > 0 || p.allMatching;
  useEffect(() => {
    if (pageBox.current) pageBox.current.indeterminate = !p.allMatching && p.selectedCount > 0 && !allOnPage;
  }, [p.allMatching, p.selectedCount, allOnPage]);

  return (
    <section className={styles.bulkBar} aria-labelledby={`${id}-heading`} data-testid="bulk-bar">
      <h2 id={`${id}-heading`} className="sr-only">
        Selection and bulk actions
      </h2>
      <div className={styles.bulkSelection}>
        <label className={styles.pageCheck}>
          <input
            ref={pageBox}
            type="checkbox"
            checked={p.allMatching || allOnPage}
            disabled={p.pageCount === 0}
            onChange={(e) => p.onSelectPage(e.currentTarget.checked)}
          />
          Select all on page
        </label>
        <span aria-live="polite" className={styles.selectedCount} data-testid="selected-count">
          {p.allMatching
            ? `All ${p.totalText ?? "matching faces"} matching the filter selected`
            : p.selectedCount
              ? `${formatCount(p.selectedCount)} selected`
              : "None selected"}
        </span>
        {allOnPage && p.moreThanPage && !p.allMatching ? (
          <button type="button" className="btn btn-ghost btn-small" onClick={p.onSelectAllMatching}>
            Select everything matching the filter{p.totalText ? ` (${p.totalText})` : ""}
          </button>
        ) : null}
        {some ? (
          <button type="button" className="btn btn-ghost btn-small" onClick={p.onClear}>
            Clear selection
          </button>
        ) : null}
      </div>
      <div className={styles.bulkActions} role="group" aria-label="Bulk actions">
        {actions.map((a) => (
          <button
            key={a.action}
            type="button"
            className={a.danger ? "btn btn-small btn-danger-outline" : "btn btn-small"}
            disabled={!some}
            onClick={() => p.onAction(a.action)}
          >
            {a.button}
          </button>
        ))}
      </div>
    </section>
  );
}

/** Confirms a bulk action, saying how many faces it touches; excluding asks for a reason. */
export function BulkConfirm({
  action,
  selection,
  onDone,
  onCancel,
}: {
  action: BulkAction;
  selection: Selection;
  onDone: (result: BulkResult) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const spec = actions.find((a) => a.action === action)!;
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const needsReason = action === "exclude";

  async function submit() {
    if (needsReason && reason.trim() === "") {
      setError("Say why these faces leave the training data.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const result = await apiFetchBody<BulkResult>("/api/faces/bulk", {
        method: "POST",
        json: { ...selection.target, action, ...(needsReason ? { reason: reason.trim() } : {}) },
      });
      onDone(result);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <ModalDialog
      labelledBy={`${id}-title`}
      describedBy={`${id}-explain`}
      onDismiss={onCancel}
      dismissible={!busy}
      className={styles.confirm}
    >
      <form
        data-testid="bulk-confirm"
        data-action={action}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h2 id={`${id}-title`}>{spec.title(selection.what)}</h2>
        <p id={`${id}-explain`} className="muted">
          {spec.explain}
        </p>
        {needsReason ? (
          <div className="field">
            <label htmlFor={`${id}-reason`}>Reason</label>
            <textarea
              id={`${id}-reason`}
              className={styles.reason}
              value={reason}
              maxLength={500}
              rows={3}
              required
              aria-invalid={error && reason.trim() === "" ? true : undefined}
              placeholder="e.g. blurred, not a real face, duplicate of another upload"
              onChange={(e) => setReason(e.currentTarget.value)}
            />
          </div>
        ) : null}
        {error ? (
          <p className="form-error" role="alert" data-testid="bulk-error">
            {error}
          </p>
        ) : null}
        <div className={`form-actions ${styles.confirmActions}`}>
          <button type="button" className="btn btn-ghost" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className={spec.danger ? "btn btn-danger" : "btn btn-primary"} disabled={busy}>
            {busy ? "Working…" : spec.confirm}
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
