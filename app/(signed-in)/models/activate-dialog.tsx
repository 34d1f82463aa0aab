"use client";

import { useEffect, useId } from "react";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { EMOTION_LABELS } from "@/lib/model/labels";
import { activateBodySchema } from "@/lib/registry/schemas";
import { apiFetchBody, errorMessage } from "../_components/api-client";
import type { ActivatedVersion, ModelVersionRow } from "../_components/api-types";
import { ModalDialog } from "../_components/modal-dialog";
import { compareVersions } from "./compare";
import { MetricComparisonTable } from "./metric-comparison";
import styles from "./activate-dialog.module.css";

export type ActivationKind = "promote" | "rollback" | "activate";

/** Promotion and rollback are the same act on the server; the words differ for the admin. */
export function activationKind(
  target: Pick<ModelVersionRow, "version" | "status">,
  active: Pick<ModelVersionRow, "version"> | null,
): ActivationKind {
  if (active && target.version < active.version) return "rollback";
  return target.status === "CANDIDATE" ? "promote" : "activate";
}

export function activationLabel(kind: ActivationKind, version: number): string {
  if (kind === "rollback") return `Roll back to version ${version}`;
  return `${kind === "promote" ? "Promote" : "Activate"} version ${version}`;
}

/** Only a version that is not active and did not fail can be switched to. */
export function canActivate(v: Pick<ModelVersionRow, "status">): boolean {
  return v.status === "CANDIDATE" || v.status === "ARCHIVED";
}

interface Props {
  target: ModelVersionRow;
  active: ModelVersionRow | null;
  /** Called after the switch, before the dialog closes: refresh what the page shows. */
  onActivated: (model: ActivatedVersion) => Promise<void>;
  onDismiss: () => void;
}

/** The confirmation before changing the active model: what changes, the figures side by side, a reason. */
export function ActivateDialog({ target, active, onActivated, onDismiss }: Props) {
  const id = useId();
  const kind = activationKind(target, active);
  const comparison = compareVersions(target, active);
  const {
    register,
    handleSubmit,
    setError,
    setFocus,
    formState: { errors, isSubmitting },
  } = useForm({ resolver: zodResolver(activateBodySchema), defaultValues: { reason: "" } });
  // The dialog starts on its one field, whatever comes before it (a wide figures table scrolls, and
  // the browser would otherwise give the first focus to that scrolling box).
  useEffect(() => setFocus("reason"), [setFocus]);

  const submit = handleSubmit(async (input) => {
    try {
      const data = await apiFetchBody<{ model: ActivatedVersion }>(`/api/models/${target.id}/activate`, {
        method: "POST",
        json: input.reason ? input : {},
      });
      await onActivated(data.model);
    } catch (err) {
      setError("root.server", { message: errorMessage(err) });
    }
  });

  const reasonError = errors.reason?.message;
  const title = `${activationLabel(kind, target.version)}?`;

  return (
    <ModalDialog
      labelledBy={`${id}-title`}
      describedBy={`${id}-what`}
      onDismiss={onDismiss}
      dismissible={!isSubmitting}
    >
      <form onSubmit={submit} noValidate data-testid="activate-dialog">
        <h2 id={`${id}-title`}>{title}</h2>
        <p id={`${id}-what`}>
          {active ? (
            <>
              Version {active.version} is active now. New predictions will use version {target.version}
              {target.name ? <> ({target.name})</> : null}, and version {active.version} is archived. Verdicts already
              given are kept, and you can switch back at any time.
            </>
          ) : (
            <>New predictions will use version {target.version}.</>
          )}
        </p>

        <section className={styles.modalSection} aria-labelledby={`${id}-figures`}>
          <h3 id={`${id}-figures`} className="small-heading">
            How they compare
          </h3>
          <p className="muted small">{comparison.basis}</p>
          <MetricComparisonTable
            comparison={comparison}
            labels={target.labels.length ? target.labels : EMOTION_LABELS}
            targetHeading={`v${target.version} (after)`}
            otherHeading={active ? `v${active.version} (now)` : ""}
            caption={`Version ${target.version} beside ${active ? `version ${active.version}` : "no active version"}`}
          />
        </section>

        <div className="field">
          <label htmlFor={`${id}-reason`}>
            Reason <span className="optional">(optional, kept in the history)</span>
          </label>
          <input
            id={`${id}-reason`}
            type="text"
            autoComplete="off"
            maxLength={500}
            placeholder={
              kind === "rollback"
                ? "e.g. more fear faces read as surprise since the update"
                : "e.g. better on the held-out slice"
            }
            aria-invalid={reasonError ? true : undefined}
            aria-describedby={reasonError ? `${id}-reason-error` : undefined}
            {...register("reason")}
          />
          {reasonError ? (
            <p id={`${id}-reason-error`} className="field-error">
              {reasonError}
            </p>
          ) : null}
        </div>

        {/* In the footer that stays in view, so a refusal is seen however far the figures scroll. */}
        <div className={styles.modalActions}>
          {errors.root?.server?.message ? (
            <p className="form-error" role="alert" data-testid="activate-error">
              {errors.root.server.message}
            </p>
          ) : null}
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={isSubmitting}>
              {isSubmitting ? "Switching…" : activationLabel(kind, target.version)}
            </button>
            <button type="button" className="btn btn-ghost" onClick={onDismiss} disabled={isSubmitting}>
              Cancel
            </button>
          </div>
        </div>
      </form>
    </ModalDialog>
  );
}
