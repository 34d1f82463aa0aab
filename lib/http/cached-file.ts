/**
 * Answers for files whose content a checksum names (model weights, detector weights): the checksum
 * is the ETag, a matching If-None-Match gets 304 without the body, and a URL that carries the
 * checksum is cached for good. No Next.js imports.
 */

/** A year: the most any cache honours. */
export const IMMUTABLE_MAX_AGE = 31_536_000;

export interface CachedFile {
  body: Uint8Array;
  contentType: string;
  /** A hash of the content (hex); sent quoted as the ETag. */
  etag: string;
}

/** Whether an If-None-Match header names `etag` (weak or strong, or `*`). */
export function matchesIfNoneMatch(header: string | null, etag: string): boolean {
  if (!header) return false;
  return header.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || t.replace(/^W\//, "") === `"${etag}"`;
  });
}

/**
 * 200 with the file, or 304 when the client holds this ETag. `immutable`: the URL names this
 * content (e.g. `?v=<checksum>`), so `private, max-age=<a year>, immutable`; otherwise the client
 * keeps it but asks again each time (`private, no-cache`), and gets 304 while it is unchanged.
 * Private either way: only signed-in users may read these files.
 */
export function cachedFileResponse(req: Request, file: CachedFile, opts: { immutable: boolean }): Response {
  const headers = {
    etag: `"${file.etag}"`,
    "cache-control": opts.immutable ? `private, max-age=${IMMUTABLE_MAX_AGE}, immutable` : "private, no-cache",
  };
  if (matchesIfNoneMatch(req.headers.get("if-none-match"), file.etag))
    return new Response(null, { status: 304, headers });
  return new Response(new Uint8Array(file.body), {
    headers: { ...headers, "content-type": file.contentType, "content-length": String(file.body.byteLength) },
  });
}
