/**
 * The security headers of every response, in one place: next.config.ts sends the fixed ones with
 * every path, proxy.ts adds each page's nonce-based Content-Security-Policy, and the API wrapper
 * and the proxy add HSTS when the request came over https. Plain data, no Next.js imports, so the
 * config file can load it.
 */

/** Sent with every response: pages, API, static files. */
export const FIXED_SECURITY_HEADERS: { key: string; value: string }[] = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  // The upload page may use the camera; nothing uses the microphone or location.
  { key: "Permissions-Policy", value: "camera=(self), microphone=(), geolocation=()" },
  { key: "X-Frame-Options", value: "DENY" },
];

/**
 * API answers are JSON, CSV and images, never documents that run anything: a policy that allows
 * nothing keeps a response opened as a page (an SVG, HTML sniffed by an old browser) inert.
 */
export const API_CONTENT_SECURITY_POLICY =
  "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * A page's policy. Scripts run only with this response's nonce (Next.js puts it on its own
 * script tags when it finds it in the request's CSP header); `strict-dynamic` lets those load the
 * page's chunks. Style elements need the nonce too, while style attributes stay allowed: React
 * renders positions and bar widths as `style="…"`, and an attribute cannot load or run anything.
 * Images: same-origin (face crops, uploads) plus the `blob:` preview of a file being uploaded.
 * 'wasm-unsafe-eval' lets the nonce'd scripts compile WebAssembly (the live view's TensorFlow.js
 * backend; the binaries come from the app itself, connect-src being 'self') and allows no
 * JavaScript eval. On every page, not just /live: Next.js moves between pages without reloading,
 * and a document keeps the policy it was loaded with, so /live reached from the login form or the
 * nav runs under the previous page's policy.
 */
export function pageContentSecurityPolicy(nonce: string, opts: { dev: boolean; https: boolean }): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic' 'wasm-unsafe-eval'${opts.dev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'${opts.dev ? " 'unsafe-inline'" : ""}`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "media-src 'self' blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(opts.https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

export const STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains";

/**
 * Whether the browser reached us over https: directly, through a TLS-terminating proxy that says
 * so in X-Forwarded-Proto, or because the app's public URL is https. HSTS over plain http would
 * be ignored by browsers and, on a LAN install without TLS, only confuse.
 */
export function servedOverHttps(headers: Headers, requestUrl: string, publicUrl: string | undefined): boolean {
  const forwarded = headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  return forwarded === "https" || requestUrl.startsWith("https:") || Boolean(publicUrl?.startsWith("https:"));
}
