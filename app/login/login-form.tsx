"use client";

import { useId, useState } from "react";
import { useRouter } from "next/navigation";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { loginSchema } from "@/lib/auth/schemas";
import { postCredentials } from "./post-credentials";

/**
 * Only same-origin paths are followed after sign-in; next-auth may hand us an absolute URL of this
 * site, anything else falls back to the review queue (no open redirect).
 */
function safeTarget(callbackUrl: string | undefined): string {
  if (!callbackUrl) return "/";
  try {
    const url = new URL(callbackUrl, window.location.origin);
    if (url.origin !== window.location.origin || url.pathname.startsWith("/login")) return "/";
    return url.pathname + url.search + url.hash;
  } catch {
    return "/";
  }
}

export function LoginForm({ callbackUrl }: { callbackUrl?: string }) {
  const id = useId();
  const router = useRouter();
  const [failure, setFailure] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    formState: { errors, isSubmitting },
  } = useForm({ resolver: zodResolver(loginSchema), defaultValues: { email: "", password: "" } });

  const onSubmit = handleSubmit(async ({ email, password }) => {
    setFailure(null);
    let result;
    try {
      result = await postCredentials({ email, password });
    } catch {
      setFailure("Could not reach the server. Try again.");
      return;
    }
    if (!result.ok) {
      setFailure(result.message);
      return;
    }
    router.replace(safeTarget(callbackUrl));
    router.refresh();
  });

  return (
    // method="post": submitted before hydration, the browser must not put the password in the URL.
    <form method="post" onSubmit={onSubmit} noValidate className="stack">
      <div className="field">
        <label htmlFor={`${id}-email`}>E-mail</label>
        <input
          id={`${id}-email`}
          type="email"
          autoComplete="username"
          autoFocus
          aria-invalid={errors.email ? true : undefined}
          aria-describedby={errors.email ? `${id}-email-error` : undefined}
          {...register("email")}
        />
        {errors.email ? (
          <p id={`${id}-email-error`} className="field-error">
            {errors.email.message}
          </p>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor={`${id}-password`}>Password</label>
        <input
          id={`${id}-password`}
          type="password"
          autoComplete="current-password"
          aria-invalid={errors.password ? true : undefined}
          aria-describedby={errors.password ? `${id}-password-error` : undefined}
          {...register("password")}
        />
        {errors.password ? (
          <p id={`${id}-password-error`} className="field-error">
            {errors.password.message}
          </p>
        ) : null}
      </div>
      <div aria-live="assertive">{failure ? <p className="form-error">{failure}</p> : null}</div>
      <button type="submit" className="btn btn-primary btn-block" disabled={isSubmitting}>
        {isSubmitting ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
