/**
 * The browser side of the JSON API: one place that turns `{ error: { code, message } }` answers,
 * network failures and expired sessions into an `ApiError` whose message can be shown as is.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The error's `details`, when the API sends any (a 409 names the job already running). */
  readonly details: Record<string, unknown> | undefined;

  constructor(status: number, code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

interface ApiRequest {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Sent as a JSON body. */
  json?: unknown;
  /** Sent as is (multipart uploads). */
  body?: FormData;
  signal?: AbortSignal;
}

// Used when an answer carries no `{ error }` body (a proxy's 413, an HTML 500 page…).
const fallbackMessages: Record<number, string> = {
  400: "The server could not read this request.",
  401: "Your session has ended. Sign in again.",
  403: "Your role may not do this.",
  404: "Not found — it may have been removed.",
  409: "Someone else changed this first. Reload and try again.",
  413: "That file is too large.",
  415: "That file type is not supported. Use JPEG, PNG or WebP.",
  503: "The service is not ready. Try again in a moment.",
};

/** Returns the parsed JSON body, or `null` for 204 No Content. */
export async function apiFetch<T>(url: string, req: ApiRequest = {}): Promise<T | null> {
  const headers: Record<string, string> = { accept: "application/json" };
  let body: BodyInit | undefined = req.body;
  if (req.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(req.json);
  }

  let res: Response;
  try {
    res = await fetch(url, {
      method: req.method ?? "GET",
      headers,
      body,
      signal: req.signal,
      credentials: "same-origin",
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError(0, "network", "Could not reach the server. Check your connection and try again.");
  }

  if (res.status === 401) {
    // The session expired mid-work: come back to this page after signing in.
    const here = window.location.pathname + window.location.search;
    // A full load, not a client navigation: nothing of the ended session stays in memory.
    // eslint-disable-next-line @next/next/no-location-assign-relative-destination
    window.location.assign(`/login?callbackUrl=${encodeURIComponent(here)}`);
  }
  if (!res.ok) throw await toApiError(res);
  if (res.status === 204) return null;
  const data: T = await res.json();
  return data;
}

/** Like `apiFetch`, for endpoints that always answer with a body. */
export async function apiFetchBody<T>(url: string, req: ApiRequest = {}): Promise<T> {
  const data = await apiFetch<T>(url, req);
  if (data === null) throw new ApiError(204, "no_content", "The server sent an empty answer.");
  return data;
}

async function toApiError(res: Response): Promise<ApiError> {
  const fallback = fallbackMessages[res.status] ?? `The server answered ${res.status}. Try again.`;
  try {
    const data: unknown = await res.json();
    if (isErrorBody(data)) {
      const { details } = data.error;
      const known =
        typeof details === "object" && details !== null ? Object.fromEntries(Object.entries(details)) : undefined;
      return new ApiError(res.status, data.error.code, data.error.message || fallback, known);
    }
  } catch {
    // Not JSON: fall through to the generic message.
  }
  return new ApiError(res.status, "http_" + res.status, fallback);
}

function isErrorBody(data: unknown): data is { error: { code: string; message: string; details?: unknown } } {
  if (typeof data !== "object" || data === null || !("error" in data)) return false;
  const e = data.error;
  return (
    typeof e === "object" &&
    e !== null &&
    "code" in e &&
    "message" in e &&
    typeof e.code === "string" &&
    typeof e.message === "string"
  );
}

export function errorMessage(err: unknown): string {
  return err instanceof ApiError ? err.message : "Something went wrong. Try again.";
}
