"use client";

import { useId, useState } from "react";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { createUserSchema } from "@/lib/auth/schemas";
import { apiFetchBody, errorMessage } from "../../_components/api-client";
import type { Role, UserRow } from "../../_components/api-types";
import { formatDateTime } from "../../_components/format";
import { actionsHeader, DataTable } from "../../_components/data-table";
import { useApiData } from "../../_components/use-api-data";

const roleNames: Record<Role, string> = { REVIEWER: "Reviewer", ADMIN: "Admin" };

export function UserAdmin({ selfId }: { selfId: number }) {
  const { data: list, error: listError, refresh, setData } = useApiData<{ users: UserRow[] }>("/api/users");
  const users = list?.users ?? null;
  const [status, setStatus] = useState<{ text: string; error: boolean } | null>(null);
  const [busyId, setBusyId] = useState<number | null>(null);

  function replace(user: UserRow) {
    setData((prev) => (prev ? { users: prev.users.map((u) => (u.id === user.id ? user : u)) } : prev));
  }

  async function patch(user: UserRow, change: { disabled?: boolean; role?: Role }, done: string) {
    setBusyId(user.id);
    setStatus(null);
    try {
      const data = await apiFetchBody<{ user: UserRow }>(`/api/users/${user.id}`, { method: "PATCH", json: change });
      replace(data.user);
      setStatus({ text: done, error: false });
    } catch (err) {
      setStatus({ text: errorMessage(err), error: true });
    } finally {
      setBusyId(null);
    }
  }

  return (
    <div className="stack-lg">
      <CreateUserForm
        onCreated={(u) => {
          setData((prev) => ({ users: [...(prev?.users ?? []), u] }));
          setStatus({ text: `Created ${u.email}.`, error: false });
        }}
      />

      <section className="card" aria-labelledby="users-heading">
        <h2 id="users-heading">All users</h2>
        <div aria-live="polite">
          {status ? <p className={status.error ? "form-error" : "form-success"}>{status.text}</p> : null}
        </div>
        <DataTable
          rows={users}
          testId="users-table"
          rowKey={(u) => u.id}
          rowAttributes={(u) => ({ className: u.disabled_at ? "is-muted" : undefined })}
          status={{
            error: listError,
            onRetry: () => void refresh(),
            loading: "Loading users…",
            empty: "No users yet.",
          }}
          columns={[
            {
              header: "E-mail",
              className: "cell-email",
              cell: (u) => (
                <>
                  {u.email}
                  {u.id === selfId ? <span className="muted small"> (you)</span> : null}
                </>
              ),
            },
            { header: "Name", cell: (u) => u.name ?? <span className="muted">—</span> },
            {
              header: "Role",
              cell: (u) => {
                const self = u.id === selfId;
                return (
                  <>
                    <label className="sr-only" htmlFor={`role-${u.id}`}>
                      Role of {u.email}
                    </label>
                    <select
                      id={`role-${u.id}`}
                      value={u.role}
                      disabled={busyId === u.id || self}
                      title={self ? "You can’t change your own role" : undefined}
                      onChange={(e) => {
                        const role = e.currentTarget.value === "ADMIN" ? "ADMIN" : "REVIEWER";
                        void patch(
                          u,
                          { role },
                          `${u.email} is now ${roleNames[role].toLowerCase()} and must sign in again.`,
                        );
                      }}
                    >
                      <option value="REVIEWER">{roleNames.REVIEWER}</option>
                      <option value="ADMIN">{roleNames.ADMIN}</option>
                    </select>
                  </>
                );
              },
            },
            {
              header: "Status",
              cell: (u) =>
                u.disabled_at ? (
                  <span className="status-chip is-off">Disabled</span>
                ) : (
                  <span className="status-chip is-on">Active</span>
                ),
            },
            { header: "Created", className: "cell-time", cell: (u) => formatDateTime(u.created_at) },
            {
              header: actionsHeader,
              className: "cell-actions",
              cell: (u) =>
                u.id === selfId ? null : (
                  <button
                    type="button"
                    className="btn btn-ghost btn-small"
                    disabled={busyId === u.id}
                    onClick={() =>
                      void patch(
                        u,
                        { disabled: !u.disabled_at },
                        u.disabled_at
                          ? `${u.email} can sign in again. API tokens revoked when disabled stay revoked.`
                          : `${u.email} is disabled. Their sessions ended and their API tokens were revoked.`,
                      )
                    }
                  >
                    {u.disabled_at ? "Enable" : "Disable"}
                    <span className="sr-only"> {u.email}</span>
                  </button>
                ),
            },
          ]}
        />
      </section>
    </div>
  );
}

function CreateUserForm({ onCreated }: { onCreated: (u: UserRow) => void }) {
  const id = useId();
  const {
    register,
    handleSubmit,
    reset,
    setError,
    formState: { errors, isSubmitting },
  } = useForm({
    resolver: zodResolver(createUserSchema),
    defaultValues: { email: "", name: "", password: "", role: "REVIEWER" },
  });

  const onSubmit = handleSubmit(async (input) => {
    try {
      const data = await apiFetchBody<{ user: UserRow }>("/api/users", { method: "POST", json: input });
      onCreated(data.user);
      reset();
    } catch (err) {
      setError("root.server", { message: errorMessage(err) });
    }
  });

  const field = (name: "email" | "name" | "password") => ({
    id: `${id}-${name}`,
    "aria-invalid": errors[name] ? true : undefined,
    "aria-describedby": errors[name] ? `${id}-${name}-error` : undefined,
  });
  const fieldError = (name: "email" | "name" | "password") =>
    errors[name] ? (
      <p id={`${id}-${name}-error`} className="field-error">
        {errors[name]?.message}
      </p>
    ) : null;

  return (
    <section className="card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Add a user</h2>
      {/* method="post" keeps the password out of the URL should it be submitted before hydration. */}
      <form method="post" onSubmit={onSubmit} noValidate className="form-grid">
        <div className="field">
          <label htmlFor={`${id}-email`}>E-mail</label>
          <input type="email" autoComplete="off" {...field("email")} {...register("email")} />
          {fieldError("email")}
        </div>
        <div className="field">
          <label htmlFor={`${id}-name`}>
            Name <span className="optional">(optional)</span>
          </label>
          <input type="text" autoComplete="off" {...field("name")} {...register("name")} />
          {fieldError("name")}
        </div>
        <div className="field">
          <label htmlFor={`${id}-password`}>Initial password</label>
          <input type="password" autoComplete="new-password" {...field("password")} {...register("password")} />
          {fieldError("password")}
        </div>
        <div className="field">
          <label htmlFor={`${id}-role`}>Role</label>
          <select id={`${id}-role`} {...register("role")}>
            <option value="REVIEWER">{roleNames.REVIEWER}</option>
            <option value="ADMIN">{roleNames.ADMIN}</option>
          </select>
        </div>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={isSubmitting}>
            {isSubmitting ? "Adding…" : "Add user"}
          </button>
        </div>
        {errors.root?.server?.message ? (
          <p className="form-error" role="alert">
            {errors.root.server.message}
          </p>
        ) : null}
      </form>
    </section>
  );
}
