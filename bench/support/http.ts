import { signIn as signInWithTimeout } from "@/test/support/app-server";
/** An unexpected HTTP answer, with enough of the body to see why. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const DEFAULT_TIMEOUT_MS = 60_000;
/** Socket errors of a request written into a connection the server had already closed. */
const STALE_SOCKET = new Set(["EPIPE", "ECONNRESET", "UND_ERR_SOCKET"]);

/**
 * A small JSON client for one identity (a session cookie or a bearer token). Every request has a
 * timeout; an answer with a status other than the expected ones is an HttpError.
 */
export function apiClient(
  baseUrl: string,
  auth: { cookie?: string; token?: string } = {},
  timeoutMs = DEFAULT_TIMEOUT_MS,
) {
  const headers = (extra: Record<string, string> = {}) => ({
    ...(auth.cookie ? { cookie: auth.cookie } : {}),
    ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}),
    ...extra,
  });

  async function send<T>(
    method: string,
    p: string,
    init: { body?: BodyInit; headers?: Record<string, string> },
    expect: number[],
  ): Promise<T> {
    let res: Response | undefined;
    for (let attempt = 1; !res; attempt++) {
      try {
        res = await fetch(baseUrl + p, {
          method,
          headers: headers(init.headers),
          body: init.body,
          redirect: "manual",
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        // fetch's own message is only "fetch failed"; the cause says what happened.
        const cause = err instanceof Error && err.cause instanceof Error ? (err.cause as NodeJS.ErrnoException) : null;
        // The bench measures models in-process with synchronous tfjs calls that hold the event loop
        // for seconds; meanwhile the server closes the idle keep-alive socket (after 5 s) and the
        // next request is written into a closed socket. The server never saw it: send it once more.
        if (attempt === 1 && cause && STALE_SOCKET.has(cause.code ?? "")) continue;
        throw new Error(
          `${method} ${p}: ${err instanceof Error ? err.message : String(err)}${cause ? ` (${cause.code ?? ""} ${cause.message})` : ""}`,
        );
      }
    }
    const text = await res.text();
    if (!expect.includes(res.status))
      throw new HttpError(res.status, `${method} ${p} answered ${res.status}: ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  return {
    get: <T>(p: string, expect = [200]) => send<T>("GET", p, {}, expect),
    post: <T>(p: string, body: unknown, expect = [200, 201, 202]) =>
      send<T>("POST", p, { body: JSON.stringify(body), headers: { "content-type": "application/json" } }, expect),
    /**
     * POST /api/predictions with one image flagged as a face crop: 201, or 200 with `duplicate_of`
     * when the same bytes were uploaded before (the data sets hold a few byte-identical images).
     */
    uploadFaceCrop: <T>(bytes: Buffer, fileName: string, type: string) => {
      const form = new FormData();
      form.set("image", new Blob([new Uint8Array(bytes)], { type }), fileName);
      form.set("is_face_crop", "true");
      return send<T>("POST", "/api/predictions", { body: form }, [200, 201]);
    },
  };
}

export type ApiClient = ReturnType<typeof apiClient>;

/** Sign-in for the bench: the tests' own, with the bench's request timeout. */
export function signIn(baseUrl: string, email: string, password: string): Promise<string> {
  return signInWithTimeout(baseUrl, email, password, DEFAULT_TIMEOUT_MS);
}
