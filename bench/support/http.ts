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

/**
 * A small JSON client for one identity (a session cookie or a bearer token). Every request has a
 * timeout; an answer with a status other than the expected ones is an HttpError.
 */
export function apiClient(baseUrl: string, auth: { cookie?: string; token?: string } = {}, timeoutMs = DEFAULT_TIMEOUT_MS) {
  const headers = (extra: Record<string, string> = {}) => ({
    ...(auth.cookie ? { cookie: auth.cookie } : {}),
    ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}),
    ...extra,
  });

  async function send<T>(method: string, p: string, init: { body?: BodyInit; headers?: Record<string, string> }, expect: number[]): Promise<T> {
    let res: Response;
    try {
      res = await fetch(baseUrl + p, {
        method,
        headers: headers(init.headers),
        body: init.body,
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new Error(`${method} ${p}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const text = await res.text();
    if (!expect.includes(res.status)) throw new HttpError(res.status, `${method} ${p} answered ${res.status}: ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  return {
    get: <T>(p: string, expect = [200]) => send<T>("GET", p, {}, expect),
    post: <T>(p: string, body: unknown, expect = [200, 201, 202]) =>
      send<T>("POST", p, { body: JSON.stringify(body), headers: { "content-type": "application/json" } }, expect),
    /** POST /api/predictions with one image flagged as a face crop. */
    uploadFaceCrop: <T>(bytes: Buffer, fileName: string, type: string) => {
      const form = new FormData();
      form.set("image", new Blob([new Uint8Array(bytes)], { type }), fileName);
      form.set("is_face_crop", "true");
      return send<T>("POST", "/api/predictions", { body: form }, [201]);
    },
  };
}

export type ApiClient = ReturnType<typeof apiClient>;

/** Sign-in for the bench: the tests' own, with the bench's request timeout. */
export function signIn(baseUrl: string, email: string, password: string): Promise<string> {
  return signInWithTimeout(baseUrl, email, password, DEFAULT_TIMEOUT_MS);
}
