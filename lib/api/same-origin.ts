import { AppError } from "@/lib/errors/app-error";

/** Methods that change state; a browser sends cookies with them cross-site, so they are checked. */
export const STATE_CHANGING_METHODS: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Refuses a cookie-authenticated write that a page on another origin made the browser send (a
 * form posting `text/plain` JSON needs no CORS preflight, and SameSite=Lax cookies still go along
 * to another port of the same host, which is the same *site*).
 *
 * Browsers send `Origin` with every POST, PUT, PATCH and DELETE; it must name this server, as the
 * request's own Host header does, or the app's public URL (behind a proxy that rewrites Host).
 * Without `Origin`, `Sec-Fetch-Site` must say same-origin (or none: typed by the user). A request
 * with neither header does not come from a browser that could have been tricked (curl, scripts),
 * and is let through, as Go's `http.CrossOriginProtection` does.
 */
export function assertSameOrigin(headers: Headers, publicUrl: string | undefined): void {
  const origin = headers.get("origin");
  if (origin !== null) {
    if (isOwnOrigin(origin, headers.get("host"), publicUrl)) return;
    throw crossSite();
  }
  const site = headers.get("sec-fetch-site");
  if (site === null || site === "same-origin" || site === "none") return;
  throw crossSite();
}

function isOwnOrigin(origin: string, host: string | null, publicUrl: string | undefined): boolean {
  let o: URL;
  try {
    // "null" (sandboxed frames, file: pages, privacy-sensitive redirects) does not parse: refused.
    o = new URL(origin);
  } catch {
    return false;
  }
  if (host && o.host.toLowerCase() === host.toLowerCase()) return true;
  if (publicUrl) {
    try {
      return new URL(publicUrl).origin === o.origin;
    } catch {
      return false;
    }
  }
  return false;
}

function crossSite(): AppError {
  return new AppError("cross_site_request", "This request came from another site and was refused.");
}
