import "server-only";

/**
 * next-auth answers any error thrown by `authorize` with a 401 that names the error's message in
 * its redirect URL (`…/error?error=<message>`); it has no way to say 429. The credentials provider
 * throws a refusal whose message carries the wait, and the auth route turns that answer into a 429
 * with Retry-After.
 */
const PREFIX = "SignInThrottled";

export function signInRefusal(retryAfterMs: number, locked: boolean): Error {
  return new Error(`${PREFIX}:${Math.ceil(retryAfterMs)}:${locked ? "locked" : "wait"}`);
}

/** The refusal inside next-auth's answer (a JSON `url` or a Location header), if there is one. */
export async function findSignInRefusal(res: Response): Promise<{ retryAfterMs: number; locked: boolean } | null> {
  let target = res.headers.get("location");
  if (!target && res.status === 401 && res.headers.get("content-type")?.includes("application/json")) {
    const body = (await res
      .clone()
      .json()
      .catch(() => null)) as { url?: unknown } | null;
    target = typeof body?.url === "string" ? body.url : null;
  }
  if (!target) return null;
  let error: string | null;
  try {
    const url = new URL(target, "http://localhost");
    // Only next-auth's error page carries it; a callbackUrl that merely contains the text does not.
    if (!url.pathname.endsWith("/api/auth/error")) return null;
    error = url.searchParams.get("error");
  } catch {
    return null;
  }
  const match = error ? new RegExp(`^${PREFIX}:(\\d+):(locked|wait)$`).exec(error) : null;
  if (!match) return null;
  return { retryAfterMs: Number(match[1]), locked: match[2] === "locked" };
}
