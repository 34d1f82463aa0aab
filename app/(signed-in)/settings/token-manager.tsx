"use client";

import { useEffect, useId, useRef, useState } from "react";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { createTokenSchema } from "@/lib/auth/schemas";
import { apiFetchBody, errorMessage } from "../_components/api-client";
import { actionsHeader, DataTable } from "../_components/data-table";
import { useApiData } from "../_components/use-api-data";
import type { ApiToken } from "../_components/api-types";
import { formatDateTime } from "../_components/format";
import styles from "./token-manager.module.css";

interface Created {
  token: Pick<ApiToken, "id" | "name" | "prefix" | "created_at" | "expires_at">;
  secret: string;
}

/** Personal API tokens: a secret is shown once, right after it is made, and never again. */
export function TokenManager() {
  const id = useId();
  const { data: list, error: listError, refresh } = useApiData<{ tokens: ApiToken[] }>("/api/tokens");
  const tokens = list?.tokens ?? null;
  const [created, setCreated] = useState<Created | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  const [status, setStatus] = useState("");

  const {
    register,
    handleSubmit,
    reset,
    setError,
    formState: { errors, isSubmitting },
    // A token that outlives its use is a standing risk: the form suggests 90 days; empty = never.
  } = useForm({ resolver: zodResolver(createTokenSchema), defaultValues: { name: "", expires_in_days: 90 } });

  const onCreate = handleSubmit(async (input) => {
    try {
      const data = await apiFetchBody<Created>("/api/tokens", { method: "POST", json: input });
      setCreated(data);
      reset();
      void refresh();
    } catch (err) {
      setError("root.server", { message: errorMessage(err) });
    }
  });

  async function revoke(token: ApiToken) {
    setConfirming(null);
    try {
      await apiFetchBody(`/api/tokens/${token.id}`, { method: "DELETE" });
      if (created?.token.id === token.id) setCreated(null);
      setStatus(`Token “${token.name}” revoked.`);
      await refresh();
    } catch (err) {
      setStatus(`Could not revoke “${token.name}”: ${errorMessage(err)}`);
    }
  }

  return (
    <section className="card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>API tokens</h2>
      <p className="muted">
        Scripts and tools can call the API as you with <code>Authorization: Bearer &lt;token&gt;</code>. Revoke a token
        as soon as it is no longer needed.
      </p>

      <form onSubmit={onCreate} noValidate className="inline-form">
        <div className="field grow">
          <label htmlFor={`${id}-name`}>New token name</label>
          <input
            id={`${id}-name`}
            type="text"
            placeholder="e.g. labelling script on my laptop"
            autoComplete="off"
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={errors.name ? `${id}-name-error` : undefined}
            {...register("name")}
          />
          {errors.name ? (
            <p id={`${id}-name-error`} className="field-error">
              {errors.name.message}
            </p>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor={`${id}-expiry`}>Expires after (days)</label>
          <input
            id={`${id}-expiry`}
            type="number"
            inputMode="numeric"
            min={1}
            max={365}
            placeholder="never"
            aria-invalid={errors.expires_in_days ? true : undefined}
            aria-describedby={`${id}-expiry-hint${errors.expires_in_days ? ` ${id}-expiry-error` : ""}`}
            {...register("expires_in_days", {
              setValueAs: (v: unknown) => (v === "" || v == null ? undefined : Number(v)),
            })}
          />
          <p id={`${id}-expiry-hint`} className="small muted">
            1–365; empty for a token that never expires.
          </p>
          {errors.expires_in_days ? (
            <p id={`${id}-expiry-error`} className="field-error">
              {errors.expires_in_days.message}
            </p>
          ) : null}
        </div>
        <button type="submit" className="btn btn-primary" disabled={isSubmitting}>
          {isSubmitting ? "Creating…" : "Create token"}
        </button>
      </form>
      {errors.root?.server?.message ? (
        <p className="form-error" role="alert">
          {errors.root.server.message}
        </p>
      ) : null}

      {created ? <NewSecret created={created} onDismiss={() => setCreated(null)} /> : null}

      <p className="sr-only" aria-live="polite">
        {status}
      </p>

      <DataTable
        rows={tokens}
        testId="token-table"
        rowKey={(t) => t.id}
        rowAttributes={(t) => ({ className: t.revoked_at || isExpired(t) ? "is-muted" : undefined })}
        status={{
          error: listError,
          onRetry: () => void refresh(),
          loading: "Loading tokens…",
          empty: "You have no API tokens.",
        }}
        columns={[
          { header: "Name", cell: (t) => t.name },
          { header: "Token", cell: (t) => <code>{t.prefix}…</code> },
          { header: "Created", className: "cell-time", cell: (t) => formatDateTime(t.created_at) },
          {
            header: "Last used",
            className: "cell-time",
            cell: (t) => (t.last_used_at ? formatDateTime(t.last_used_at) : <span className="muted">never</span>),
          },
          {
            header: "Expires",
            className: "cell-time",
            cell: (t) => (t.expires_at ? formatDateTime(t.expires_at) : <span className="muted">never</span>),
          },
          {
            header: "Status",
            cell: (t) =>
              t.revoked_at ? (
                <span className="status-chip is-off">Revoked</span>
              ) : isExpired(t) ? (
                <span className="status-chip is-off">Expired</span>
              ) : (
                <span className="status-chip is-on">Active</span>
              ),
          },
          {
            header: actionsHeader,
            className: "cell-actions",
            cell: (t) =>
              t.revoked_at ? null : confirming === t.id ? (
                <span className="confirm">
                  <span className="small">Revoke “{t.name}”?</span>
                  <button type="button" className="btn btn-danger btn-small" onClick={() => void revoke(t)}>
                    Revoke
                  </button>
                  <button type="button" className="btn btn-ghost btn-small" onClick={() => setConfirming(null)}>
                    Keep
                  </button>
                </span>
              ) : (
                <button
                  type="button"
                  className="btn btn-ghost btn-small"
                  onClick={() => setConfirming(t.id)}
                  aria-label={`Revoke token ${t.name}`}
                >
                  Revoke…
                </button>
              ),
          },
        ]}
      />
    </section>
  );
}

function isExpired(t: ApiToken): boolean {
  return t.expires_at !== null && new Date(t.expires_at).getTime() <= Date.now();
}

function NewSecret({ created, onDismiss }: { created: Created; onDismiss: () => void }) {
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);

  useEffect(() => {
    inputRef.current?.focus();
    inputRef.current?.select();
  }, []);

  async function copy() {
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopied("yes");
    } catch {
      // Clipboard access can be refused (insecure origin, permissions): leave it selected to copy by hand.
      inputRef.current?.select();
      setCopied("failed");
    }
  }

  return (
    <div className={`notice notice-warning ${styles.secretBox}`} role="region" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Copy your new token “{created.token.name}” now</h3>
      <p>
        This is the only time it is shown. If you lose it, revoke it and create a new one.{" "}
        {created.token.expires_at
          ? `It stops working on ${formatDateTime(created.token.expires_at)}.`
          : "It does not expire."}
      </p>
      <div className={styles.secretRow}>
        <label htmlFor={`${id}-secret`} className="sr-only">
          Token secret
        </label>
        <input
          ref={inputRef}
          id={`${id}-secret`}
          type="text"
          readOnly
          value={created.secret}
          className={styles.secretInput}
          data-testid="token-secret"
        />
        <button type="button" className="btn btn-primary" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p className="small" aria-live="polite">
        {copied === "yes"
          ? "Copied to the clipboard."
          : copied === "failed"
            ? "Copying was blocked — the token is selected, press Ctrl+C."
            : ""}
      </p>
      <button type="button" className="btn btn-ghost btn-small" onClick={onDismiss}>
        I’ve stored it — hide
      </button>
    </div>
  );
}
