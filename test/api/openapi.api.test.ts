// The OpenAPI document against the running app: it is served (publicly) as built, and real answers
// of a representative set of routes — successes, 204s and errors — have a status the document lists
// for that operation and a body that validates against the documented schema. Objects are checked
// closed: a field the app sends but the document does not name fails the test.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ValidateFunction } from "ajv/dist/2020";
import { openApiDocument } from "@/app/api/openapi.json/document";
import { signIn, startTestApp, type TestApp } from "@/test/support/app-server";
import { client, samplePhoto } from "@/test/support/http";
import { describeErrors, documentSchemas } from "@/test/support/openapi";

type Client = ReturnType<typeof client>;
interface Operation {
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
}
interface Doc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

let app: TestApp;
let doc: Doc;
let schemas: ReturnType<typeof documentSchemas>;
const who: Record<"admin" | "reviewer" | "reviewerToken" | "anonymous", Client> = {} as never;
let reviewerSecret = "";
/** Operations and statuses seen answering, e.g. "GET /api/review/next 204". */
const seen = new Set<string>();

beforeAll(async () => {
  app = await startTestApp();
  who.anonymous = client(app.baseUrl);
  who.admin = client(app.baseUrl, { cookie: await signIn(app.baseUrl, app.admin.email, app.admin.password) });
  const created = await who.admin.json("POST", "/api/users", {
    email: "reviewer@example.test",
    password: "reviewer-password",
    role: "REVIEWER",
  });
  expect(created.status).toBe(201);
  who.reviewer = client(app.baseUrl, {
    cookie: await signIn(app.baseUrl, "reviewer@example.test", "reviewer-password"),
  });
  const minted = (await (await who.reviewer.json("POST", "/api/tokens", { name: "openapi" })).json()) as {
    secret: string;
  };
  reviewerSecret = minted.secret;
  who.reviewerToken = client(app.baseUrl, { token: minted.secret });
}, 300_000);
afterAll(async () => {
  await app?.stop();
});

/** The documented path template a request path falls under, e.g. `/api/faces/7` → `/api/faces/{id}`. */
function templateOf(pathname: string): string {
  const match = Object.keys(doc.paths).find((t) =>
    new RegExp(`^${t.replace(/[.]/g, "\\.").replace(/\{\w+\}/g, "[^/]+")}$`).test(pathname),
  );
  if (!match) throw new Error(`no documented path for ${pathname}`);
  return match;
}

/**
 * Checks an answer against the document: its status is one the operation lists (or `default` for
 * 5xx), its media type is documented, and a JSON body validates. Returns the body.
 */
async function documented(method: string, url: string, res: Response): Promise<unknown> {
  const { pathname } = new URL(url, app.baseUrl);
  const template = templateOf(pathname);
  const op = doc.paths[template]?.[method.toLowerCase()];
  const where = `${method} ${template} → ${res.status}`;
  expect(op, `${method} ${template} is documented`).toBeDefined();
  const answer = op!.responses[String(res.status)] ?? (res.status >= 500 ? op!.responses.default : undefined);
  expect(answer, `${where}: the status is documented`).toBeDefined();
  seen.add(`${method} ${template} ${res.status}`);
  if (res.status === 204) {
    expect(answer!.content, `${where}: no body documented`).toBeUndefined();
    expect(await res.text()).toBe("");
    return null;
  }
  const type = (res.headers.get("content-type") ?? "").split(";")[0]!.trim();
  const content = answer!.content?.[type];
  expect(content, `${where}: ${type} is documented (${Object.keys(answer!.content ?? {}).join(", ")})`).toBeDefined();
  if (type !== "application/json") {
    await res.arrayBuffer();
    return null;
  }
  const body: unknown = await res.json();
  const ref = content!.schema.$ref;
  if (ref) {
    const validate: ValidateFunction = schemas.get(ref);
    expect(validate(body) ? [] : describeErrors(validate.errors), `${where}: the body fits ${ref}`).toEqual([]);
  }
  return body;
}

const call = async (c: Client, method: string, url: string, body?: unknown) => {
  const res =
    method === "GET" ? await c.get(url) : method === "DELETE" ? await c.delete(url) : await c.json(method, url, body);
  return { status: res.status, body: await documented(method, url, res) };
};

describe("the document", () => {
  it("is served to anyone, as built, with the API's headers", async () => {
    const res = await fetch(`${app.baseUrl}/api/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
    doc = (await res.json()) as Doc;
    expect(doc).toEqual(openApiDocument());
    schemas = documentSchemas(doc, { closed: true });
  });
});

describe("answers fit the document", () => {
  let predictionId = 0;
  let faceId = 0;
  let reviewId = 0;

  it("health, public and without a session", async () => {
    const { status, body } = await call(who.anonymous, "GET", "/api/health");
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "ok", database: { ok: true } });
  });

  it("an empty review queue: 204", async () => {
    expect((await call(who.reviewer, "GET", "/api/review/next")).status).toBe(204);
    expect((await call(who.admin, "GET", "/api/adjudication/next")).status).toBe(204);
  });

  it("an upload, then a claim, a verdict, the same verdict again, history and the face", async () => {
    const up = await who.admin.upload(samplePhoto(1));
    const uploaded = (await documented("POST", "/api/predictions", up)) as { faces: { id: number }[] };
    expect(up.status).toBe(201);
    expect(uploaded.faces.length).toBeGreaterThan(0);

    const next = await call(who.reviewer, "GET", "/api/review/next?order=newest");
    expect(next.status).toBe(200);
    const item = next.body as { prediction_id: number; face: { id: number } };
    predictionId = item.prediction_id;
    faceId = item.face.id;

    const first = await call(who.reviewer, "POST", "/api/reviews", { prediction_id: predictionId, verdict: "correct" });
    expect(first.status).toBe(201);
    reviewId = (first.body as { review: { id: number } }).review.id;
    const again = await call(who.reviewer, "POST", "/api/reviews", { prediction_id: predictionId, verdict: "correct" });
    expect(again).toMatchObject({ status: 200, body: { duplicate: true } });

    const history = await call(who.reviewerToken, "GET", "/api/reviews?limit=10");
    expect(history.status).toBe(200);
    expect((history.body as { reviews: unknown[] }).reviews.length).toBeGreaterThan(0);

    expect((await call(who.reviewer, "GET", `/api/faces/${faceId}`)).status).toBe(200);
    expect((await call(who.admin, "GET", `/api/faces/${faceId}`)).status).toBe(200);
    expect((await call(who.reviewer, "GET", `/api/faces/${faceId}/crop.png`)).status).toBe(200);
  });

  it("models, golden set, tokens", async () => {
    const models = await call(who.reviewer, "GET", "/api/models");
    expect(models.status).toBe(200);
    const [model] = (models.body as { models: { id: number }[] }).models;
    expect((await call(who.reviewer, "GET", `/api/models/${model!.id}`)).status).toBe(200);
    expect((await call(who.admin, "GET", "/api/golden")).status).toBe(200);
    // The golden set is for admins (its faces are blind controls): a reviewer's 403 is documented too.
    expect((await call(who.reviewer, "GET", "/api/golden")).status).toBe(403);
    expect((await call(who.reviewer, "GET", "/api/tokens")).status).toBe(200);
  });

  it("admin views: review settings, agreement, users, training jobs", async () => {
    expect((await call(who.admin, "GET", "/api/settings/review")).status).toBe(200);
    expect((await call(who.admin, "PUT", "/api/settings/review", { control_share: 0 })).status).toBe(200);
    const agreement = await call(who.admin, "GET", "/api/agreement");
    expect(agreement.status).toBe(200);
    expect((agreement.body as { reviewers: unknown[] }).reviewers.length).toBeGreaterThan(0);
    expect((await call(who.admin, "GET", "/api/users")).status).toBe(200);
    expect((await call(who.admin, "GET", "/api/training-jobs")).status).toBe(200);
    expect((await call(who.admin, "GET", "/api/export/feedback.csv")).status).toBe(200);
    expect(await call(who.reviewer, "GET", "/api/imports")).toMatchObject({ status: 200, body: { imports: [] } });
    expect((await call(who.reviewer, "GET", "/api/imports/999999")).status).toBe(404);
  });

  it("the dashboard's figures, for an admin (every reviewer) and a reviewer (their own)", async () => {
    const admin = await call(who.admin, "GET", "/api/stats");
    expect(admin.status).toBe(200);
    expect(admin.body).toMatchObject({ scope: "everyone" });
    const reviewer = await call(who.reviewer, "GET", "/api/stats");
    expect(reviewer.status).toBe(200);
    expect(reviewer.body).toMatchObject({ scope: "own" });
  });

  it("errors: 401, 403, 400, 404, 409, 415, 422", async () => {
    expect((await call(who.anonymous, "GET", "/api/reviews")).body).toMatchObject({ error: { code: "unauthorized" } });
    expect((await call(who.reviewer, "GET", "/api/settings/review")).body).toMatchObject({
      error: { code: "forbidden" },
    });
    expect((await call(who.reviewerToken, "POST", "/api/tokens", { name: "nested" })).status).toBe(403);
    expect(await call(who.reviewer, "GET", "/api/reviews?limit=lots")).toMatchObject({
      status: 400,
      body: { error: { code: "bad_request" } },
    });
    expect((await call(who.admin, "POST", "/api/users", { email: "not an address" })).status).toBe(400);
    expect(await call(who.reviewer, "GET", "/api/faces/999999")).toMatchObject({
      status: 404,
      body: { error: { code: "not_found" } },
    });
    expect((await call(who.reviewer, "GET", "/api/faces/abc")).status).toBe(404);
    expect(
      (await call(who.admin, "POST", "/api/users", { email: app.admin.email, password: "another-one", role: "ADMIN" }))
        .status,
    ).toBe(409);
    expect(
      (
        await call(who.reviewer, "POST", "/api/reviews", {
          prediction_id: predictionId,
          verdict: "incorrect",
          corrected_label: "bored",
        })
      ).status,
    ).toBe(422);
    const plain = await fetch(`${app.baseUrl}/api/review/release`, {
      method: "POST",
      headers: { "content-type": "text/plain", authorization: `Bearer ${reviewerSecret}` },
      body: JSON.stringify({ prediction_id: predictionId }),
    });
    expect(plain.status).toBe(415);
    await documented("POST", "/api/review/release", plain);
  });

  it("undo: the verdict goes, the face comes back", async () => {
    expect(await call(who.reviewer, "DELETE", `/api/reviews/${reviewId}`)).toMatchObject({
      status: 200,
      body: { undone: true, prediction_id: predictionId },
    });
    expect((await call(who.reviewer, "POST", "/api/review/release", { prediction_id: predictionId })).status).toBe(200);
  });

  it("covered a good part of the document", () => {
    const operations = new Set([...seen].map((s) => s.split(" ").slice(0, 2).join(" ")));
    const total = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    console.log(`checked ${seen.size} answers of ${operations.size} of ${total} operations against the document`);
    expect(operations.size).toBeGreaterThanOrEqual(20);
  });
});

describe("/docs", () => {
  const version = (
    JSON.parse(fs.readFileSync(path.resolve("node_modules/swagger-ui-dist/package.json"), "utf8")) as {
      version: string;
    }
  ).version;

  it("is a public page that loads swagger-ui's files from this app", async () => {
    const res = await fetch(`${app.baseUrl}/docs`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`/docs/assets/${version}/swagger-ui.css`);
    expect(html).toContain(`/docs/assets/${version}/swagger-ui-bundle.js`);
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[^"' ]*swagger/);
  });

  it.each([
    ["swagger-ui-bundle.js", /^text\/javascript/],
    ["swagger-ui.css", /^text\/css/],
  ])("serves %s of the installed version, cached for good", async (file, type) => {
    const res = await fetch(`${app.baseUrl}/docs/assets/${version}/${file}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(type);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const served = Buffer.from(await res.arrayBuffer());
    expect(
      served.equals(fs.readFileSync(path.resolve("node_modules/swagger-ui-dist", file))),
      "the package's file",
    ).toBe(true);
  });

  it.each([
    [`${version}/package.json`, "a file not on the list"],
    [`${version}/index.html`, "a file not on the list"],
    [`${version}/..%2Fpackage.json`, "a path out of the package"],
    [`${version}/constructor`, "a name every object has"],
    ["0.0.1/swagger-ui-bundle.js", "another version"],
  ])("answers 404 for %s (%s)", async (rest) => {
    const res = await fetch(`${app.baseUrl}/docs/assets/${rest}`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain("swagger");
  });
});
