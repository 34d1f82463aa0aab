// Sign-in throttling, sessions that end on the server, audit rows, API token expiry and the
// AUTH_SECRET rule, against the real app (`npm start`'s launcher) with one trusted proxy in front, so
// each test can speak from its own client address through X-Forwarded-For.
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { childProcessEnv } from "@/lib/env/env";
import { freePort, signIn, startTestApp, type TestApp } from "@/test/support/app-server";
import { client } from "@/test/support/http";

let app: TestApp;
let db: pg.Client;
let admin: ReturnType<typeof client>;

beforeAll(async () => {
  app = await startTestApp({ withModel: false, env: { TRUST_PROXY: "1" } });
  db = new pg.Client({ connectionString: app.databaseUrl });
  await db.connect();
  admin = client(app.baseUrl, { cookie: await signIn(app.baseUrl, app.admin.email, app.admin.password) });
}, 900_000);
afterAll(async () => {
  await db?.end();
  await app?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function addUser(email: string, password: string, role: "REVIEWER" | "ADMIN" = "REVIEWER"): Promise<number> {
  const res = await admin.json("POST", "/api/users", { email, password, role });
  expect(res.status).toBe(201);
  return ((await res.json()) as { user: { id: number } }).user.id;
}

/** One credentials post as a browser would send it, from `address` (the proxy's X-Forwarded-For). */
async function attempt(email: string, password: string, address: string): Promise<Response> {
  const csrf = await fetch(`${app.baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  return fetch(`${app.baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie, "x-forwarded-for": address },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
}

/**
 * Wrong passwords until the account locks, honouring each Retry-After of the growing delay.
 * Returns how many were answered 401 (counted failures) before the lock.
 */
async function failUntilLocked(email: string, address: string): Promise<{ failures: number; locked: Response }> {
  let failures = 0;
  for (let tries = 0; tries < 40; tries++) {
    const res = await attempt(email, `xyzzy-guess-${tries}`, address);
    if (res.status === 401) {
      failures++;
      continue;
    }
    expect(res.status).toBe(429);
    const body = (await res.json()) as { error: { code: string; details: { locked: boolean } } };
    expect(body.error.code).toBe("too_many_requests");
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    if (body.error.details.locked) return { failures, locked: res };
    expect(retryAfter).toBeLessThanOrEqual(4);
    await sleep(retryAfter * 1000);
  }
  throw new Error(`${email} never locked`);
}

async function auditRows(action: string, where = "true", params: unknown[] = []) {
  const { rows } = await db.query(`SELECT * FROM "AuditLog" WHERE action = $1 AND ${where} ORDER BY id`, [
    action,
    ...params,
  ]);
  return rows as { actorId: number | null; targetId: string | null; details: Record<string, unknown> | null }[];
}

describe("sign-in throttling", () => {
  it("locks an account after ten wrong passwords: 429 with Retry-After, even for the right password", async () => {
    await addUser("locked@example.test", "right-password-1");
    const { failures, locked } = await failUntilLocked("locked@example.test", "198.51.100.10");
    expect(failures).toBe(10);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(14 * 60);

    const right = await attempt("locked@example.test", "right-password-1", "198.51.100.11");
    expect(right.status).toBe(429);
    expect(right.headers.get("set-cookie") ?? "").not.toMatch(/session-token/);
    const body = (await right.json()) as { error: { message: string } };
    expect(body.error.message).toBe("Too many attempts; try again in 15 minutes.");

    expect(await auditRows("auth.sign-in-failed", `details->>'email' = $2`, ["locked@example.test"])).toHaveLength(10);
    const lockouts = await auditRows("auth.lockout", `details->>'email' = $2`, ["locked@example.test"]);
    expect(lockouts).toHaveLength(1);
    expect(lockouts[0]?.details).toMatchObject({ failures: 10, address: "198.51.100.10" });
    expect(JSON.stringify(await auditRows("auth.sign-in-failed"))).not.toContain("xyzzy");
  }, 120_000);

  it("throttles an e-mail with no account exactly like one with an account", async () => {
    const { failures, locked } = await failUntilLocked("no-such-user@example.test", "198.51.100.20");
    expect(failures).toBe(10);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(14 * 60);
  }, 120_000);

  it("a success resets the account's count", async () => {
    await addUser("typo@example.test", "right-password-2");
    for (let n = 0; n < 4; n++) expect((await attempt("typo@example.test", "typo", "198.51.100.30")).status).toBe(401);
    expect((await attempt("typo@example.test", "right-password-2", "198.51.100.30")).status).toBe(200);
    // Four more misses right away: without the reset the fifth and later would have to wait.
    for (let n = 0; n < 5; n++) expect((await attempt("typo@example.test", "typo", "198.51.100.30")).status).toBe(401);
    expect(
      await auditRows("auth.sign-in", `"actorId" = (SELECT id FROM "User" WHERE email = $2)`, ["typo@example.test"]),
    ).toHaveLength(1);
  });

  it("answers an unknown e-mail about as fast as a known one (figures logged, not asserted)", async () => {
    await addUser("timed@example.test", "right-password-3");
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const time = async (email: string, i: number) => {
      await db.query(`TRUNCATE "SignInThrottle"`);
      const start = performance.now();
      const res = await attempt(email, "wrong-password", `198.51.100.${100 + i}`);
      const ms = performance.now() - start;
      expect(res.status).toBe(401);
      return ms;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 21; i++) {
      known.push(await time("timed@example.test", i));
      unknown.push(await time(`ghost-${i}@example.test`, i));
    }
    console.log(
      `[timing] POST /api/auth/callback/credentials (csrf + post), wrong password, median of 21: ` +
        `existing ${median(known).toFixed(1)} ms, unknown ${median(unknown).toFixed(1)} ms`,
    );
  }, 120_000);
});

describe("sessions end on the server", () => {
  async function signOut(cookie: string): Promise<Response> {
    const csrf = await fetch(`${app.baseUrl}/api/auth/csrf`, { headers: { cookie } });
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    return fetch(`${app.baseUrl}/api/auth/signout`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie },
      body: new URLSearchParams({ csrfToken, json: "true" }),
    });
  }

  it("sign-out: a copy of the old cookie is refused by the API and the pages; API tokens live on", async () => {
    const id = await addUser("leaver@example.test", "right-password-4");
    const cookie = await signIn(app.baseUrl, "leaver@example.test", "right-password-4");
    const asCookie = client(app.baseUrl, { cookie });
    const minted = (await (await asCookie.json("POST", "/api/tokens", { name: "script" })).json()) as {
      secret: string;
    };
    expect((await asCookie.get("/api/reviews")).status).toBe(200);

    expect((await signOut(cookie)).status).toBe(200);
    expect((await asCookie.get("/api/reviews")).status).toBe(401);
    const page = await asCookie.get("/settings");
    expect([302, 303, 307, 308]).toContain(page.status);
    expect(page.headers.get("location")).toMatch(/\/login/);
    // A token is a credential of its own, not a session.
    expect((await client(app.baseUrl, { token: minted.secret }).get("/api/reviews")).status).toBe(200);
    expect(await auditRows("auth.sign-out", `"actorId" = $2`, [id])).toHaveLength(1);
  });

  it("disable ends sessions and revokes tokens; re-enabling brings back neither", async () => {
    const id = await addUser("paused@example.test", "right-password-5");
    const cookie = await signIn(app.baseUrl, "paused@example.test", "right-password-5");
    const asCookie = client(app.baseUrl, { cookie });
    const minted = (await (await asCookie.json("POST", "/api/tokens", { name: "script" })).json()) as {
      secret: string;
    };
    const asToken = client(app.baseUrl, { token: minted.secret });

    expect((await admin.json("PATCH", `/api/users/${id}`, { disabled: true })).status).toBe(200);
    expect((await asCookie.get("/api/reviews")).status).toBe(401);
    expect((await asToken.get("/api/reviews")).status).toBe(401);

    expect((await admin.json("PATCH", `/api/users/${id}`, { disabled: false })).status).toBe(200);
    expect((await asCookie.get("/api/reviews")).status).toBe(401);
    expect((await asCookie.get("/review")).headers.get("location")).toMatch(/\/login/);
    expect((await asToken.get("/api/reviews")).status).toBe(401);
    // The user signs in afresh and is let in.
    const fresh = client(app.baseUrl, { cookie: await signIn(app.baseUrl, "paused@example.test", "right-password-5") });
    expect((await fresh.get("/api/reviews")).status).toBe(200);

    expect((await auditRows("user.disable", `"targetId" = $2`, [String(id)])).map((r) => r.details)).toEqual([
      { tokens_revoked: 1 },
    ]);
    expect(await auditRows("user.enable", `"targetId" = $2`, [String(id)])).toHaveLength(1);
  });

  it("a role change ends the user's sessions; setting the same role again does not", async () => {
    const id = await addUser("promoted@example.test", "right-password-6");
    const cookie = await signIn(app.baseUrl, "promoted@example.test", "right-password-6");
    const asCookie = client(app.baseUrl, { cookie });
    expect((await admin.json("PATCH", `/api/users/${id}`, { role: "REVIEWER" })).status).toBe(200);
    expect((await asCookie.get("/api/reviews")).status).toBe(200);

    expect((await admin.json("PATCH", `/api/users/${id}`, { role: "ADMIN" })).status).toBe(200);
    expect((await asCookie.get("/api/reviews")).status).toBe(401);
    const fresh = client(app.baseUrl, {
      cookie: await signIn(app.baseUrl, "promoted@example.test", "right-password-6"),
    });
    expect((await fresh.get("/api/users")).status).toBe(200);
    expect((await auditRows("user.role-change", `"targetId" = $2`, [String(id)])).map((r) => r.details)).toEqual([
      { from: "REVIEWER", to: "ADMIN" },
    ]);
  });
});

describe("API tokens", () => {
  it("expire after expires_in_days; an expired token is refused with 401 token_expired", async () => {
    const before = Date.now();
    const res = await admin.json("POST", "/api/tokens", { name: "month", expires_in_days: 30 });
    expect(res.status).toBe(201);
    const made = (await res.json()) as { token: { id: number; expires_at: string }; secret: string };
    const expires = new Date(made.token.expires_at).getTime();
    const month = 30 * 24 * 3600 * 1000;
    expect(expires).toBeGreaterThanOrEqual(before + month - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + month + 1000);
    const stored = await db.query(
      `SELECT to_char("expiresAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "expiresAt" FROM "ApiToken" WHERE id = $1`,
      [made.token.id],
    );
    expect(stored.rows[0].expiresAt).toBe(made.token.expires_at);

    const listed = (await (await admin.get("/api/tokens")).json()) as {
      tokens: { id: number; expires_at: string | null }[];
    };
    expect(listed.tokens.find((t) => t.id === made.token.id)?.expires_at).toBe(made.token.expires_at);

    const asToken = client(app.baseUrl, { token: made.secret });
    expect((await asToken.get("/api/models")).status).toBe(200);
    await db.query(
      `UPDATE "ApiToken" SET "expiresAt" = (now() AT TIME ZONE 'UTC') - interval '1 minute' WHERE id = $1`,
      [made.token.id],
    );
    const refused = await asToken.get("/api/models");
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({
      error: { code: "token_expired", message: expect.stringMatching(/expired/) },
    });
  });

  it("never expire without expires_in_days, and refuse an expiry outside 1–365 days", async () => {
    const res = await admin.json("POST", "/api/tokens", { name: "forever" });
    expect(((await res.json()) as { token: { expires_at: string | null } }).token.expires_at).toBeNull();
    for (const days of [0, 366, 1.5, "30"]) {
      const bad = await admin.json("POST", "/api/tokens", { name: "bad", expires_in_days: days });
      expect({ days, status: bad.status }).toEqual({ days, status: 400 });
    }
  });

  it("creating and revoking a token are audited", async () => {
    const made = (await (await admin.json("POST", "/api/tokens", { name: "audited", expires_in_days: 7 })).json()) as {
      token: { id: number; prefix: string };
    };
    expect((await admin.delete(`/api/tokens/${made.token.id}`)).status).toBe(200);
    const created = await auditRows("token.create", `"targetId" = $2`, [String(made.token.id)]);
    expect(created.map((r) => r.details)).toEqual([
      { name: "audited", prefix: made.token.prefix, expires_at: expect.any(String) },
    ]);
    expect(await auditRows("token.revoke", `"targetId" = $2`, [String(made.token.id)])).toHaveLength(1);
  });
});

describe("AUTH_SECRET", () => {
  it("`npm start` on a DATABASE_URL without AUTH_SECRET stops with a message naming it and how to make one", async () => {
    const root = path.resolve(__dirname, "../..");
    const r = spawnSync(
      process.execPath,
      [path.join(root, "node_modules/tsx/dist/cli.mjs"), "--conditions=react-server", "scripts/launch.ts", "start"],
      {
        cwd: root,
        encoding: "utf8",
        timeout: 120_000,
        env: childProcessEnv({
          DATABASE_URL: app.databaseUrl,
          AUTH_SECRET: "",
          NEXTAUTH_SECRET: "",
          NODE_ENV: "",
          npm_lifecycle_event: "start",
          PORT: String(await freePort()),
          START_WORKER: "false",
          DATA_DIR: path.join(os.tmpdir(), "el-no-secret"),
          MODELS_DIR: app.modelsDir,
          FEEDBACK_IMAGES_DIR: app.feedbackDir,
        }),
      },
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/AUTH_SECRET is required when DATABASE_URL is set/);
    expect(r.stderr).toMatch(/openssl rand -hex 32/);
  }, 150_000);
});
