import { afterAll, beforeAll, describe, expect, it } from "vitest";
import sharp from "sharp";
import pg from "pg";
import { operations } from "@/app/api/openapi.json/operations";
import { roleCan } from "@/lib/auth/permissions";
import { signIn, startTestApp, type TestApp } from "@/test/support/app-server";
import { client, listFiles, samplePhoto } from "@/test/support/http";

let app: TestApp;
let db: pg.Client;
type Client = ReturnType<typeof client>;
const who: Record<string, Client> = {};

beforeAll(async () => {
  app = await startTestApp();
  db = new pg.Client({ connectionString: app.databaseUrl });
  await db.connect();
  const adminCookie = await signIn(app.baseUrl, app.admin.email, app.admin.password);
  who.admin = client(app.baseUrl, { cookie: adminCookie });
  const created = await who.admin.json("POST", "/api/users", {
    email: "reviewer@example.test",
    password: "reviewer-password",
    role: "REVIEWER",
  });
  expect(created.status).toBe(201);
  const reviewerCookie = await signIn(app.baseUrl, "reviewer@example.test", "reviewer-password");
  who.reviewer = client(app.baseUrl, { cookie: reviewerCookie });
  who.anonymous = client(app.baseUrl);
  const mint = async (c: Client) =>
    ((await (await c.json("POST", "/api/tokens", { name: "ci" })).json()) as { secret: string }).secret;
  who.reviewerToken = client(app.baseUrl, { token: await mint(who.reviewer) });
  who.adminToken = client(app.baseUrl, { token: await mint(who.admin) });
  who.badToken = client(app.baseUrl, { token: "elt_not-a-real-token" });
}, 300_000);
afterAll(async () => {
  await db?.end();
  await app?.stop();
});

type Call = (c: Client) => Promise<Response>;
// Every API route with the lowest role allowed to call it ("session": a reviewer, signed in; an API
// token is refused). Bodies are valid enough to get past authorization; what the handler then
// answers (200, 204, 404, 400) is not the point here.
type Needs = "public" | "session" | "reviewer" | "admin";
const routes: [string, Needs, Call][] = [
  ["GET /api/health", "public", (c) => c.get("/api/health")],
  ["GET /api/openapi.json", "public", (c) => c.get("/api/openapi.json")],
  ["POST /api/predictions", "reviewer", (c) => c.json("POST", "/api/predictions", { image_base64: "" })],
  // JSON instead of a form: an allowed caller gets a 415 and nothing is stored.
  ["POST /api/videos", "reviewer", (c) => c.json("POST", "/api/videos", {})],
  ["GET /api/videos", "reviewer", (c) => c.get("/api/videos")],
  ["GET /api/videos/:id", "reviewer", (c) => c.get("/api/videos/999999")],
  ["GET /api/videos/:id/file", "reviewer", (c) => c.get("/api/videos/999999/file")],
  ["POST /api/videos/:id/cancel", "reviewer", (c) => c.json("POST", "/api/videos/999999/cancel", {})],
  [
    "POST /api/videos/:id/tracks/:track_id/review",
    "reviewer",
    (c) => c.json("POST", "/api/videos/999999/tracks/1/review", {}),
  ],
  // A JSON body: an allowed caller gets 415 (multipart only) and nothing is queued.
  ["POST /api/imports", "reviewer", (c) => c.json("POST", "/api/imports", {})],
  ["GET /api/imports", "reviewer", (c) => c.get("/api/imports")],
  ["GET /api/imports/:id", "reviewer", (c) => c.get("/api/imports/999999")],
  ["GET /api/review/next", "reviewer", (c) => c.get("/api/review/next")],
  ["POST /api/review/release", "reviewer", (c) => c.json("POST", "/api/review/release", { prediction_id: 999999 })],
  [
    "POST /api/reviews",
    "reviewer",
    (c) => c.json("POST", "/api/reviews", { prediction_id: 999999, verdict: "correct" }),
  ],
  ["GET /api/reviews", "reviewer", (c) => c.get("/api/reviews")],
  ["DELETE /api/reviews/:id", "reviewer", (c) => c.delete("/api/reviews/999999")],
  ["GET /api/faces/:id/crop.png", "reviewer", (c) => c.get("/api/faces/999999/crop.png")],
  ["GET /api/faces/:id", "reviewer", (c) => c.get("/api/faces/999999")],
  ["GET /api/faces", "reviewer", (c) => c.get("/api/faces?limit=1")],
  [
    "POST /api/faces/bulk",
    "admin",
    (c) => c.json("POST", "/api/faces/bulk", { face_ids: [999999], action: "include" }),
  ],
  ["GET /api/settings/review", "admin", (c) => c.get("/api/settings/review")],
  // An empty change: allowed callers get 200 and nothing moves.
  ["PUT /api/settings/review", "admin", (c) => c.json("PUT", "/api/settings/review", {})],
  ["GET /api/stats", "reviewer", (c) => c.get("/api/stats")],
  ["GET /api/agreement", "admin", (c) => c.get("/api/agreement")],
  ["GET /api/adjudication/next", "admin", (c) => c.get("/api/adjudication/next")],
  ["POST /api/adjudication/release", "admin", (c) => c.json("POST", "/api/adjudication/release", { face_id: 999999 })],
  ["POST /api/adjudications", "admin", (c) => c.json("POST", "/api/adjudications", { face_id: 999999, label: "sad" })],
  ["GET /api/uploads/:id/image", "reviewer", (c) => c.get("/api/uploads/999999/image")],
  ["GET /api/tokens", "reviewer", (c) => c.get("/api/tokens")],
  // No name: an allowed caller gets a 400 and no token is minted.
  ["POST /api/tokens", "session", (c) => c.json("POST", "/api/tokens", {})],
  ["DELETE /api/tokens/:id", "reviewer", (c) => c.delete("/api/tokens/999999")],
  ["GET /api/users", "admin", (c) => c.get("/api/users")],
  ["POST /api/users", "admin", (c) => c.json("POST", "/api/users", { email: "x" })],
  ["PATCH /api/users/:id", "admin", (c) => c.json("PATCH", "/api/users/999999", { disabled: true })],
  ["GET /api/models", "reviewer", (c) => c.get("/api/models")],
  ["GET /api/models/:id", "reviewer", (c) => c.get("/api/models/999999")],
  ["GET /api/models/:id/files/:name", "reviewer", (c) => c.get("/api/models/999999/files/model.json")],
  ["GET /api/detector/files/:name", "reviewer", (c) => c.get("/api/detector/files/ssd_mobilenetv1_model.bin")],
  ["POST /api/models/:id/activate", "admin", (c) => c.json("POST", "/api/models/999999/activate", {})],
  ["GET /api/golden", "admin", (c) => c.get("/api/golden")],
  ["POST /api/golden", "admin", (c) => c.json("POST", "/api/golden", { face_ids: [999999], golden: false })],
  ["GET /api/export/feedback.csv", "admin", (c) => c.get("/api/export/feedback.csv")],
  ["GET /api/export", "admin", (c) => c.get("/api/export?format=jsonl")],
  ["GET /api/training-jobs", "admin", (c) => c.get("/api/training-jobs")],
  // A base version that does not exist: an allowed caller gets a 422 and no job is queued.
  ["POST /api/training-jobs", "admin", (c) => c.json("POST", "/api/training-jobs", { base_version: 999999 })],
  ["GET /api/training-jobs/preflight", "admin", (c) => c.get("/api/training-jobs/preflight")],
  ["GET /api/training-jobs/:id", "admin", (c) => c.get("/api/training-jobs/999999")],
  ["POST /api/training-jobs/:id/cancel", "admin", (c) => c.json("POST", "/api/training-jobs/999999/cancel", {})],
  // The catch-all under /api answers 404 to everyone; it serves nothing that needs a permission.
  ["GET /api/<no such route>", "public", (c) => c.get("/api/no-such-route")],
  ["POST /api/<no such route>", "public", (c) => c.json("POST", "/api/no/such/route", {})],
];

const identities = [
  ["anonymous", "none"],
  ["badToken", "none"],
  ["reviewer", "reviewer"],
  ["reviewerToken", "reviewer"],
  ["admin", "admin"],
  ["adminToken", "admin"],
] as const;

const rank = { none: 0, public: 0, session: 1, reviewer: 1, admin: 2 } as const;
const viaToken = (name: string) => name.endsWith("Token");

describe("the matrix", () => {
  it("holds every documented route (the OpenAPI test holds every route on disk) with its permission's lowest role", () => {
    const expected = operations.map((op): [string, Needs] => {
      const key = `${op.method.toUpperCase()} ${op.path.replace(/\{(\w+)\}/g, ":$1")}`;
      if ("public" in op.access) return [key, "public"];
      if (op.access.sessionOnly) return [key, "session"];
      return [key, roleCan("REVIEWER", op.access.permission) ? "reviewer" : "admin"];
    });
    const inMatrix = routes
      .filter(([k]) => !k.includes("<no such route>"))
      .map(([k, needs]): [string, Needs] => [k, needs]);
    const byKey = (a: [string, Needs], b: [string, Needs]) => a[0].localeCompare(b[0]);
    expect(inMatrix.sort(byKey)).toEqual(expected.sort(byKey));
  });
});

describe.each(identities)("as %s", (name, level) => {
  it.each(routes)("%s", async (_route, needs, call) => {
    const res = await call(who[name]!);
    const body = res.status === 204 ? null : await res.json().catch(() => null);
    if (needs === "session" && viaToken(name) && level !== "none") {
      expect(res.status).toBe(403);
      expect(body).toMatchObject({ error: { code: "forbidden" } });
    } else if (rank[level] >= rank[needs]) {
      expect([401, 403]).not.toContain(res.status);
    } else if (level === "none") {
      expect(res.status).toBe(401);
      expect(body).toMatchObject({ error: { code: "unauthorized", message: expect.any(String) } });
    } else {
      expect(res.status).toBe(403);
      expect(body).toMatchObject({ error: { code: "forbidden" } });
    }
  });
});

describe("tokens", () => {
  it("cannot be minted with a token (session only), and a revoked token stops working", async () => {
    const viaToken = await who.reviewerToken!.json("POST", "/api/tokens", { name: "nested" });
    expect(viaToken.status).toBe(403);
    const minted = (await (await who.reviewer!.json("POST", "/api/tokens", { name: "short-lived" })).json()) as {
      token: { id: number };
      secret: string;
    };
    const t = client(app.baseUrl, { token: minted.secret });
    expect((await t.get("/api/reviews")).status).toBe(200);
    const stored = await db.query(`SELECT "tokenHash" FROM "ApiToken" WHERE id = $1`, [minted.token.id]);
    expect(stored.rows[0].tokenHash).not.toContain(minted.secret);
    expect((await who.reviewer!.delete(`/api/tokens/${minted.token.id}`)).status).toBe(200);
    expect((await t.get("/api/reviews")).status).toBe(401);
  });

  it("a disabled user's session and tokens stop working at once", async () => {
    await who.admin!.json("POST", "/api/users", {
      email: "temp@example.test",
      password: "temp-password",
      role: "REVIEWER",
    });
    const cookie = await signIn(app.baseUrl, "temp@example.test", "temp-password");
    const c = client(app.baseUrl, { cookie });
    expect((await c.get("/api/reviews")).status).toBe(200);
    const id = (await db.query(`SELECT id FROM "User" WHERE email = 'temp@example.test'`)).rows[0].id as number;
    expect((await who.admin!.json("PATCH", `/api/users/${id}`, { disabled: true })).status).toBe(200);
    expect((await c.get("/api/reviews")).status).toBe(401);
    await expect(signIn(app.baseUrl, "temp@example.test", "temp-password")).rejects.toThrow(/failed/);
  });
});

describe("pages", () => {
  it.each([
    "/",
    "/review",
    "/upload",
    "/live",
    "/history",
    "/dataset",
    "/settings",
    "/admin/users",
    "/adjudication",
    "/reviewers",
    "/admin/review-settings",
  ])("%s redirects anonymous visitors to login", async (p) => {
    const res = await who.anonymous!.get(p);
    expect([302, 303, 307, 308]).toContain(res.status);
    expect(res.headers.get("location")).toMatch(/\/login/);
  });

  it.each(["/admin/users", "/adjudication", "/reviewers", "/admin/review-settings"])(
    "%s is 403 for a reviewer and 200 for an admin",
    async (p) => {
      expect((await who.reviewer!.get(p)).status).toBe(403);
      expect((await who.admin!.get(p)).status).toBe(200);
    },
  );
});

describe("bad uploads", () => {
  const counts = async () => {
    const r = await db.query(
      `SELECT (SELECT count(*) FROM "Upload")::int AS u, (SELECT count(*) FROM "Face")::int AS f, (SELECT count(*) FROM "Prediction")::int AS p`,
    );
    return r.rows[0];
  };

  // What was tried: each of these must be refused with a 4xx JSON error and leave no trace.
  const cases: [string, () => Promise<Buffer>, number][] = [
    ["an empty file", async () => Buffer.alloc(0), 400],
    ["a text file renamed .jpg", async () => Buffer.from("just some text, not a photo\n".repeat(20)), 415],
    ["a truncated JPEG", async () => samplePhoto(1).subarray(0, Math.floor(samplePhoto(1).length / 2)), 400],
    [
      "a 60-megapixel PNG",
      () =>
        sharp({ create: { width: 10000, height: 6000, channels: 3, background: "#000" } })
          .png({ compressionLevel: 9 })
          .toBuffer(),
      413,
    ],
    [
      "an 11 MB file",
      async () => Buffer.concat([samplePhoto(1), Buffer.alloc(11 * 1024 * 1024 - samplePhoto(1).length, 7)]),
      413,
    ],
  ];

  it.each(cases)("%s is refused and leaves no rows or files", async (_what, make, status) => {
    const before = await counts();
    const filesBefore = listFiles(app.feedbackDir);
    const res = await who.reviewer!.upload(await make(), { filename: "photo.jpg" });
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.message.length).toBeGreaterThan(10);
    expect(await counts()).toEqual(before);
    expect(listFiles(app.feedbackDir)).toEqual(filesBefore);
  });
});
