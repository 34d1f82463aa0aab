// API tests (real app, real Postgres) of requests a hostile page or a broken client sends: writes
// forged from another origin, bodies of the wrong type or size, ids out of range or of the wrong
// type, unknown routes and methods; and the security headers every answer carries.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { signIn, startTestApp, type TestApp } from "@/test/support/app-server";
import { client, sendUntilAnswered } from "@/test/support/http";

let app: TestApp;
let db: pg.Client;
let adminCookie: string;
let adminToken: string;
/** Another port of the same host: the same *site*, so SameSite=Lax cookies go along, but another origin. */
const FOREIGN = "http://127.0.0.1:1";

beforeAll(async () => {
  app = await startTestApp();
  db = new pg.Client({ connectionString: app.databaseUrl });
  await db.connect();
  adminCookie = await signIn(app.baseUrl, app.admin.email, app.admin.password);
  const minted = await client(app.baseUrl, { cookie: adminCookie }).json("POST", "/api/tokens", { name: "script" });
  adminToken = ((await minted.json()) as { secret: string }).secret;
}, 900_000);
afterAll(async () => {
  await db?.end();
  await app?.stop();
});

const usersNamed = async (email: string) =>
  (await db.query(`SELECT count(*)::int AS n FROM "User" WHERE email = $1`, [email])).rows[0].n as number;

function send(
  method: string,
  path: string,
  opts: {
    cookie?: boolean;
    token?: boolean;
    headers?: Record<string, string>;
    body?: string | Uint8Array<ArrayBuffer>;
  } = {},
) {
  return fetch(app.baseUrl + path, {
    method,
    redirect: "manual",
    headers: {
      ...(opts.cookie ? { cookie: adminCookie } : {}),
      ...(opts.token ? { authorization: `Bearer ${adminToken}` } : {}),
      ...opts.headers,
    },
    body: opts.body,
  });
}

const newUser = (email: string) => JSON.stringify({ email, password: "a-long-password", role: "ADMIN" });

describe("cross-site writes", () => {
  // What was tried: POST /api/users (create an admin) with the admin's credentials and these
  // request headers; a refused request must leave no user behind.
  const cases: [string, { cookie?: boolean; token?: boolean; headers: Record<string, string> }, number][] = [
    ["cookie, Origin of another port on the same host", { cookie: true, headers: { origin: FOREIGN } }, 403],
    ["cookie, Origin of another host", { cookie: true, headers: { origin: "https://attacker.example" } }, 403],
    ["cookie, Origin: null (sandboxed frame)", { cookie: true, headers: { origin: "null" } }, 403],
    [
      "cookie, no Origin, Sec-Fetch-Site: cross-site",
      { cookie: true, headers: { "sec-fetch-site": "cross-site" } },
      403,
    ],
    [
      "cookie, no Origin, Sec-Fetch-Site: same-site (another port)",
      { cookie: true, headers: { "sec-fetch-site": "same-site" } },
      403,
    ],
    ["cookie, the app's own Origin", { cookie: true, headers: { origin: "OWN" } }, 201],
    [
      "cookie, no Origin, Sec-Fetch-Site: same-origin",
      { cookie: true, headers: { "sec-fetch-site": "same-origin" } },
      201,
    ],
    ["cookie, neither header (a script, not a browser)", { cookie: true, headers: {} }, 201],
    ["bearer token, foreign Origin (no cookie involved)", { token: true, headers: { origin: FOREIGN } }, 201],
  ];

  it.each(cases)("%s → %i", async (what, auth, status) => {
    const email = `${what.replace(/[^a-z]+/gi, "-").toLowerCase()}@example.test`;
    const headers = Object.fromEntries(
      Object.entries({ "content-type": "application/json", ...auth.headers }).map(([k, v]) => [
        k,
        v === "OWN" ? app.baseUrl : v,
      ]),
    );
    const res = await send("POST", "/api/users", { ...auth, headers, body: newUser(email) });
    expect(res.status).toBe(status);
    if (status === 403) {
      expect(await res.json()).toMatchObject({ error: { code: "cross_site_request" } });
      expect(await usersNamed(email)).toBe(0);
    } else {
      expect(await usersNamed(email)).toBe(1);
    }
  });

  it("a foreign Origin cannot disable a user (PATCH) or revoke a token (DELETE) either", async () => {
    const victim = "victim@example.test";
    const made = await send("POST", "/api/users", {
      cookie: true,
      headers: { "content-type": "application/json" },
      body: newUser(victim),
    });
    expect(made.status).toBe(201);
    const victimId = (await db.query(`SELECT id FROM "User" WHERE email = $1`, [victim])).rows[0].id as number;
    const patch = await send("PATCH", `/api/users/${victimId}`, {
      cookie: true,
      headers: { origin: FOREIGN, "content-type": "application/json" },
      body: JSON.stringify({ disabled: true }),
    });
    expect(patch.status).toBe(403);
    expect((await db.query(`SELECT "disabledAt" FROM "User" WHERE id = $1`, [victimId])).rows[0].disabledAt).toBeNull();
    const token = (await db.query(`SELECT id FROM "ApiToken" WHERE "revokedAt" IS NULL LIMIT 1`)).rows[0].id as number;
    const del = await send("DELETE", `/api/tokens/${token}`, { cookie: true, headers: { origin: FOREIGN } });
    expect(del.status).toBe(403);
    expect((await db.query(`SELECT "revokedAt" FROM "ApiToken" WHERE id = $1`, [token])).rows[0].revokedAt).toBeNull();
  });

  it("next-auth's sign-in refuses a foreign Origin, and still signs in from the app's own", async () => {
    const csrf = await fetch(`${app.baseUrl}/api/auth/csrf`);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const jar = csrf.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const attempt = (origin: string) =>
      fetch(`${app.baseUrl}/api/auth/callback/credentials`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar, origin },
        body: new URLSearchParams({ csrfToken, email: app.admin.email, password: app.admin.password, json: "true" }),
      });
    const foreign = await attempt(FOREIGN);
    expect(foreign.status).toBe(403);
    expect(foreign.headers.getSetCookie().join(";")).not.toMatch(/session-token=/);
    const own = await attempt(app.baseUrl);
    expect(own.headers.getSetCookie().join(";")).toMatch(/session-token=/);
  });
});

describe("media types", () => {
  // What was tried: same-origin admin writes whose body is not JSON; none may be read or written.
  const cases: [string, string, string, string][] = [
    ["text/plain JSON (what a cross-site form can send)", "POST", "/api/users", "text/plain"],
    ["form-encoded", "POST", "/api/users", "application/x-www-form-urlencoded"],
    ["multipart on a JSON route", "POST", "/api/users", "multipart/form-data; boundary=x"],
    ["no content type", "POST", "/api/users", ""],
    ["text/plain to PATCH /api/users/:id", "PATCH", "/api/users/1", "text/plain;charset=UTF-8"],
    ["text/plain to POST /api/predictions (multipart or JSON only)", "POST", "/api/predictions", "text/plain"],
  ];

  it.each(cases)("%s → 415", async (what, method, path, type) => {
    const email = `mt-${what.replace(/[^a-z]+/gi, "-").toLowerCase()}@example.test`;
    const res = await send(method, path, {
      cookie: true,
      headers: { origin: app.baseUrl, ...(type ? { "content-type": type } : {}) },
      // A string body would make fetch add text/plain; bytes go without a type.
      body: type ? newUser(email) : new TextEncoder().encode(newUser(email)),
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: { code: "unsupported_media_type" } });
    expect(await usersNamed(email)).toBe(0);
  });

  it("application/json with a charset is accepted", async () => {
    const res = await send("POST", "/api/users", {
      cookie: true,
      headers: { "content-type": "application/json; charset=utf-8" },
      body: newUser("charset@example.test"),
    });
    expect(res.status).toBe(201);
  });
});

describe("body size", () => {
  const json = { "content-type": "application/json", cookie: "" };
  beforeAll(() => {
    json.cookie = adminCookie;
  });

  it("a JSON body declaring 50 MB is refused with 413 before it is sent", async () => {
    const r = await sendUntilAnswered(`${app.baseUrl}/api/reviews`, {
      headers: { ...json, "content-length": String(50 * 1024 * 1024) },
      head: Buffer.from('{"prediction_id":1,"verdict":"correct","note":"'),
      total: 50 * 1024 * 1024,
    });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: "payload_too_large" } });
    expect(r.finished).toBe(false);
    expect(r.sent).toBeLessThan(4 * 1024 * 1024);
  });

  it("a chunked JSON body (no Content-Length) is cut off once it passes 64 KB", async () => {
    const r = await sendUntilAnswered(`${app.baseUrl}/api/reviews`, {
      headers: { ...json, "transfer-encoding": "chunked" },
      head: Buffer.from('{"prediction_id":1,"verdict":"correct","note":"'),
      total: 20 * 1024 * 1024,
    });
    expect(r.status).toBe(413);
    expect(r.finished).toBe(false);
    expect(r.sent).toBeLessThan(8 * 1024 * 1024);
  });

  it("a chunked 11 MB multipart upload is refused while it streams, not after reading it whole", async () => {
    const boundary = "----hardening";
    const r = await sendUntilAnswered(`${app.baseUrl}/api/predictions`, {
      headers: {
        cookie: adminCookie,
        "content-type": `multipart/form-data; boundary=${boundary}`,
        "transfer-encoding": "chunked",
      },
      head: Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="big.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
      ),
      total: 11 * 1024 * 1024,
      // The last megabyte goes slowly: the refusal must come while it is still being sent.
      slowAfter: 10 * 1024 * 1024 + 128 * 1024,
    });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: "payload_too_large" } });
    expect(r.finished).toBe(false);
    expect(r.sent).toBeLessThan(11 * 1024 * 1024);
  });

  it("64 KB + 1 byte of JSON is 413; just under 64 KB is read (and judged by the schema)", async () => {
    const body = (size: number) => {
      const base = JSON.stringify({ prediction_id: 1, verdict: "correct", note: "" });
      return base.replace('"note":""', `"note":"${"n".repeat(size - base.length)}"`);
    };
    const over = await send("POST", "/api/reviews", {
      cookie: true,
      headers: { "content-type": "application/json" },
      body: body(64 * 1024 + 1),
    });
    expect(over.status).toBe(413);
    const under = await send("POST", "/api/reviews", {
      cookie: true,
      headers: { "content-type": "application/json" },
      body: body(64 * 1024 - 10),
    });
    expect(under.status).toBe(400);
    expect(await under.json()).toMatchObject({
      error: { code: "bad_request", message: expect.stringMatching(/note/) },
    });
  });
});

describe("ids and query text", () => {
  const json = (body: unknown) => ({
    cookie: true,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  // What was tried, what must come back. None of these may reach the database as a 500.
  const cases: [string, string, string, ReturnType<typeof json> | { cookie: true }, number][] = [
    ["path id 2^31", "GET", "/api/models/2147483648", { cookie: true }, 404],
    ["path id of 20 digits", "DELETE", "/api/reviews/99999999999999999999", { cookie: true }, 404],
    ["path id with an exponent", "GET", "/api/faces/1e3/crop.png", { cookie: true }, 404],
    ["path id 0", "GET", "/api/uploads/0/image", { cookie: true }, 404],
    ["path id 2^31 − 1 (fits; no such row)", "GET", "/api/training-jobs/2147483647", { cookie: true }, 404],
    ["body id as an array [1065]", "POST", "/api/reviews", json({ prediction_id: [1065], verdict: "correct" }), 400],
    ['body id as "1e3"', "POST", "/api/reviews", json({ prediction_id: "1e3", verdict: "correct" }), 400],
    ['body id as "12"', "POST", "/api/reviews", json({ prediction_id: "12", verdict: "correct" }), 400],
    ["body id 1.5", "POST", "/api/reviews", json({ prediction_id: 1.5, verdict: "correct" }), 400],
    ["body id 2^31", "POST", "/api/review/release", json({ prediction_id: 2147483648 }), 400],
    ["body id list with a string", "POST", "/api/golden", json({ face_ids: ["1"], golden: true }), 400],
    ["base_version as a string", "POST", "/api/training-jobs", json({ base_version: "1" }), 400],
    ["base_version 2^31", "POST", "/api/training-jobs", json({ base_version: 2147483648 }), 400],
    [
      "a note holding NUL",
      "POST",
      "/api/reviews",
      json({ prediction_id: 1, verdict: "correct", note: "a\u0000b" }),
      400,
    ],
    ["query before=2^31", "GET", "/api/reviews?before=2147483648", { cookie: true }, 400],
    ["query before=1e3", "GET", "/api/reviews?before=1e3", { cookie: true }, 400],
    ["query limit=1e1", "GET", "/api/reviews?limit=1e1", { cookie: true }, 400],
    ["query reviewer=%00", "GET", "/api/reviews?reviewer=%00", { cookie: true }, 400],
    ["query reviewer id beyond int4", "GET", "/api/reviews?reviewer=99999999999", { cookie: true }, 400],
    ["query label with NUL", "GET", "/api/reviews?label=happy%00", { cookie: true }, 400],
    ["query exclude with an id beyond int4", "GET", "/api/review/next?exclude=1,2147483648", { cookie: true }, 400],
    ["query golden before=-1", "GET", "/api/golden?before=-1", { cookie: true }, 400],
    ["largest id in a query (fits)", "GET", "/api/reviews?before=2147483647&limit=10", { cookie: true }, 200],
    ["reviewer by e-mail", "GET", `/api/reviews?reviewer=admin%40example.test`, { cookie: true }, 200],
  ];

  it.each(cases.map(([what, method, path, opts, status]) => ({ what, method, path, opts, status })))(
    "$what ($method $path) → $status",
    async ({ method, path, opts, status }) => {
      const res = await send(method, path, opts);
      expect(res.status).toBe(status);
      const body = (await res.json()) as { error?: { code: string } };
      if (status === 404) expect(body.error?.code).toBe("not_found");
      if (status === 400) expect(body.error?.code).toBe("bad_request");
    },
  );
});

describe("unknown routes and methods", () => {
  const notFound: [string, string][] = [
    ["GET", "/api/no-such-route"],
    ["POST", "/api/no/such/route"],
    ["GET", "/api/faces/1/nothing"],
    ["DELETE", "/api/models/1/nothing"],
  ];
  it.each(notFound)("%s %s → JSON 404", async (method, path) => {
    for (const auth of [{}, { cookie: true }]) {
      const res = await send(method, path, auth);
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toMatch(/application\/json/);
      expect(await res.json()).toMatchObject({ error: { code: "not_found", message: expect.any(String) } });
    }
  });

  const wrongMethod: [string, string, string[]][] = [
    ["DELETE", "/api/models", ["GET", "HEAD", "OPTIONS"]],
    ["POST", "/api/health", ["GET", "HEAD", "OPTIONS"]],
    ["GET", "/api/users/1", ["PATCH", "OPTIONS"]],
    ["PUT", "/api/reviews", ["GET", "HEAD", "POST", "OPTIONS"]],
    ["GET", "/api/training-jobs/1/cancel", ["POST", "OPTIONS"]],
    ["PATCH", "/api/faces/1/crop.png", ["GET", "HEAD", "OPTIONS"]],
  ];
  it.each(wrongMethod)("%s %s → JSON 405 with Allow", async (method, path, allow) => {
    const res = await send(method, path, {
      cookie: true,
      headers: { "content-type": "application/json" },
      body: method === "GET" ? undefined : "{}",
    });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")?.split(/,\s*/).sort()).toEqual([...allow].sort());
    expect(await res.json()).toMatchObject({ error: { code: "method_not_allowed" } });
  });

  it("OPTIONS lists what a route serves", async () => {
    const res = await send("OPTIONS", "/api/users");
    expect(res.status).toBe(204);
    expect(res.headers.get("allow")?.split(/,\s*/).sort()).toEqual(["GET", "HEAD", "OPTIONS", "POST"]);
  });
});

describe("security headers", () => {
  // Every kind of answer: pages (signed out, signed in, admin, 404, redirect), the API (JSON, an
  // error, a 404 from the catch-all), and next-auth's own routes.
  const answers: [string, string, "page" | "api", boolean][] = [
    ["login page", "/login", "page", false],
    ["review page, signed in", "/review", "page", true],
    ["admin page, signed in", "/admin/users", "page", true],
    ["upload page, signed in", "/upload", "page", true],
    ["not-found page", "/no-such-page", "page", false],
    ["dashboard at /, signed in", "/", "page", true],
    ["API JSON", "/api/health", "api", false],
    ["API 401", "/api/users", "api", false],
    ["API 404 (catch-all)", "/api/nothing-here", "api", true],
    ["API CSV", "/api/export/feedback.csv", "api", true],
    ["next-auth", "/api/auth/csrf", "api", false],
  ];

  it.each(answers)("%s (%s)", async (_what, path, kind, signedIn) => {
    const res = await send("GET", path, { cookie: signedIn });
    expect(res.status).toBeLessThan(500);
    const h = res.headers;
    expect(h.get("x-content-type-options")).toBe("nosniff");
    expect(h.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(h.get("permissions-policy")).toBe("camera=(self), microphone=(), geolocation=()");
    expect(h.get("x-frame-options")).toBe("DENY");
    expect(h.get("strict-transport-security")).toBeNull();
    const csp = h.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    if (kind === "page") {
      for (const d of ["default-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'"])
        expect(csp).toContain(d);
      expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
      // WebAssembly may compile (the live view), JavaScript may not be eval'd.
      expect(csp).not.toMatch(/'unsafe-eval'/);
    } else {
      expect(csp).toContain("default-src 'none'");
    }
  });

  it("each page gets its own nonce, and the page's scripts carry it", async () => {
    const nonceOf = (res: Response) => /'nonce-([^']+)'/.exec(res.headers.get("content-security-policy") ?? "")?.[1];
    const a = await send("GET", "/login");
    const b = await send("GET", "/login");
    const nonce = nonceOf(a);
    expect(nonce).toBeTruthy();
    expect(nonceOf(b)).not.toBe(nonce);
    const html = await a.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  });

  it.each([
    ["page", "/login"],
    ["API", "/api/health"],
  ])("HSTS only behind https (X-Forwarded-Proto: https): %s", async (_kind, path) => {
    const res = await send("GET", path, { headers: { "x-forwarded-proto": "https" } });
    expect(res.headers.get("strict-transport-security")).toMatch(/^max-age=\d+/);
  });
});
