import "server-only";
import { AppError } from "@/lib/errors/app-error";
import { errorResponse } from "@/lib/api/handler";

// The answer to a sign-in refused by the throttle (lib/auth/sign-in-refusal.ts finds the refusal in
// next-auth's answer); it lives with the API's error responses, above lib/auth.

/** 429 with Retry-After in whole seconds (the header has no finer unit; the body has ms). */
export function tooManyAttemptsResponse(refusal: { retryAfterMs: number; locked: boolean }): Response {
  const seconds = Math.max(1, Math.ceil(refusal.retryAfterMs / 1000));
  const res = errorResponse(
    new AppError("too_many_requests", `Too many attempts; try again in ${describeWait(seconds)}.`, {
      retry_after_ms: refusal.retryAfterMs,
      locked: refusal.locked,
    }),
  );
  res.headers.set("Retry-After", String(seconds));
  res.headers.set("Cache-Control", "no-store");
  return res;
}

/** "N minutes" from one minute on, "N seconds" below. */
export function describeWait(seconds: number): string {
  if (seconds >= 60) {
    const minutes = Math.ceil(seconds / 60);
    return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  }
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}
