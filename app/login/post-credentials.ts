import { getCsrfToken } from "next-auth/react";
import type { LoginInput } from "@/lib/auth/schemas";

export type SignInResult = { ok: true } | { ok: false; message: string };

/**
 * Posts the login form to next-auth's credentials endpoint. Done here rather than with next-auth's
 * `signIn()`, which keeps only an error name and drops the status and body: a throttled attempt
 * (429) must show how long to wait, which only the answer says.
 */
export async function postCredentials(input: LoginInput): Promise<SignInResult> {
  const csrfToken = await getCsrfToken();
  if (!csrfToken) return { ok: false, message: "Could not reach the server. Try again." };
  const res = await fetch("/api/auth/callback/credentials", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email: input.email, password: input.password, csrfToken, json: "true" }),
  });
  if (res.status === 429) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    return { ok: false, message: body?.error?.message ?? "Too many attempts; try again later." };
  }
  if (res.status === 401) return { ok: false, message: "Wrong e-mail or password" };
  if (!res.ok) return { ok: false, message: "Signing in failed on the server. Try again in a moment." };
  // A refused CSRF token comes back as 200 with a link to the sign-in page (`?csrf=true`).
  const body = (await res.json().catch(() => null)) as { url?: string } | null;
  const next = new URL(body?.url ?? "/api/auth/signin", window.location.origin);
  if (next.searchParams.has("error") || next.searchParams.has("csrf")) {
    return { ok: false, message: "The sign-in form expired. Try again." };
  }
  return { ok: true };
}
