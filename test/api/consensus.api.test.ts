import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { signIn, startTestApp, type TestApp } from "@/test/support/app-server";
import { client, samplePhoto } from "@/test/support/http";

// Overlap, answers that are not an emotion, adjudication and agreement through the HTTP API.

let app: TestApp;
let db: pg.Client;
type Client = ReturnType<typeof client>;
let admin: Client;
const reviewers: Client[] = [];

beforeAll(async () => {
  app = await startTestApp();
  db = new pg.Client({ connectionString: app.databaseUrl });
  await db.connect();
  admin = client(app.baseUrl, { cookie: await signIn(app.baseUrl, app.admin.email, app.admin.password) });
  for (const name of ["ana", "ben"]) {
    const email = `${name}@example.test`;
    expect(
      (await admin.json("POST", "/api/users", { email, password: `${name}-password-1`, role: "REVIEWER" })).status,
    ).toBe(201);
    reviewers.push(client(app.baseUrl, { cookie: await signIn(app.baseUrl, email, `${name}-password-1`) }));
  }
}, 300_000);
afterAll(async () => {
  await db?.end();
  await app?.stop();
});

const body = async <T>(res: Response) => (await res.json()) as T;

describe("review settings", () => {
  it.each([
    [{ verdicts_per_face: 0 }, /verdicts_per_face/],
    [{ verdicts_per_face: 6 }, /verdicts_per_face/],
    [{ verdicts_per_face: 1.5 }, /whole number/],
    [{ control_share: 0.5 }, /at most 0.2/],
    [{ extra_review_share: -0.1 }, /at least 0/],
    [{ overlap: 2 }, /overlap/],
  ])("refuses %j with 400 and keeps the settings", async (input, message) => {
    const before = await body<{ settings: unknown }>(await admin.get("/api/settings/review"));
    const res = await admin.json("PUT", "/api/settings/review", input);
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(message);
    expect(await body(await admin.get("/api/settings/review"))).toEqual(before);
  });

  it("saves a change, applies it, and audits it", async () => {
    const res = await admin.json("PUT", "/api/settings/review", {
      verdicts_per_face: 2,
      extra_review_share: 0,
      control_share: 0,
    });
    expect(res.status).toBe(200);
    expect((await body<{ settings: Record<string, unknown> }>(res)).settings).toMatchObject({
      verdicts_per_face: 2,
      extra_review_share: 0,
      control_share: 0,
      control_min_accuracy: null,
    });
    const audit = await db.query(`SELECT count(*)::int AS n FROM "AuditLog" WHERE action = 'settings.review.update'`);
    expect(audit.rows[0].n).toBeGreaterThanOrEqual(1);
  });
});

describe("two reviewers per face", () => {
  it("serves each face to both, stores not-a-face and can't-tell, and sends a tie to adjudication", async () => {
    const up = await admin.upload(samplePhoto(1));
    expect(up.status).toBe(201);
    const faces = (await body<{ faces: { id: number; prediction_id: number; label: string }[] }>(up)).faces;
    expect(faces.length).toBeGreaterThanOrEqual(2);
    const [ana, ben] = reviewers as [Client, Client];
    const seen: Record<string, number[]> = { ana: [], ben: [] };
    const answer = async (who: Client, name: string, pick: (i: number, label: string) => object) => {
      for (let i = 0; ; i++) {
        const next = await who.get("/api/review/next");
        if (next.status === 204) return;
        const item = await body<{ prediction_id: number; face: { id: number }; prediction: { label: string } }>(next);
        seen[name]!.push(item.face.id);
        const res = await who.json("POST", "/api/reviews", {
          prediction_id: item.prediction_id,
          ...pick(i, item.prediction.label),
        });
        expect(res.status).toBe(201);
      }
    };
    // Ana: "not a face" on the first face she gets, "correct" on the rest.
    await answer(ana, "ana", (i) => (i === 0 ? { verdict: "not_a_face" } : { verdict: "correct" }));
    // Ben: "can't tell" on his first, a different emotion on the rest (each of those ties with Ana's).
    await answer(ben, "ben", (i, label) =>
      i === 0 ? { verdict: "unsure" } : { verdict: "incorrect", corrected_label: label === "sad" ? "fear" : "sad" },
    );
    expect(seen.ana!.sort()).toEqual(faces.map((f) => f.id).sort());
    expect(seen.ben!.sort()).toEqual(faces.map((f) => f.id).sort());

    // Tried: a corrected label on "not a face" → 400.
    const bad = await ana.json("POST", "/api/reviews", {
      prediction_id: faces[0]!.prediction_id,
      verdict: "not_a_face",
      corrected_label: "sad",
    });
    expect(bad.status).toBe(400);

    const agreement = await body<{
      overall: { faces: number; percent_agreement: number };
      faces: { conflict: number };
      reviewers: { email: string; verdicts: number; not_a_face: number; unsure: number }[];
    }>(await admin.get("/api/agreement"));
    expect(agreement.overall.faces).toBe(faces.length);
    expect(agreement.overall.percent_agreement).toBe(0);
    expect(agreement.faces.conflict).toBe(faces.length);
    expect(agreement.reviewers.find((r) => r.email === "ana@example.test")).toMatchObject({
      verdicts: faces.length,
      not_a_face: 1,
    });

    // The admin decides every conflict; a reviewer may not.
    expect((await ana.get("/api/adjudication/next")).status).toBe(403);
    const decided: number[] = [];
    for (;;) {
      const next = await admin.get("/api/adjudication/next");
      if (next.status === 204) break;
      const item = await body<{ face: { id: number }; verdicts: { label: string }[]; queue: { remaining: number } }>(
        next,
      );
      expect(item.verdicts).toHaveLength(2);
      const res = await admin.json("POST", "/api/adjudications", {
        face_id: item.face.id,
        label: "happy",
        note: "smile",
      });
      expect(res.status).toBe(201);
      decided.push(item.face.id);
    }
    expect(decided.sort()).toEqual(faces.map((f) => f.id).sort());
    const again = await admin.json("POST", "/api/adjudications", { face_id: decided[0], label: "sad" });
    expect(again.status).toBe(409);

    const detail = await body<{ consensus: { state: string; label: string }; verdicts: unknown[]; flags: string[] }>(
      await ana.get(`/api/faces/${decided[0]}`),
    );
    expect(detail.consensus).toMatchObject({ state: "adjudicated", label: "happy" });
    expect(detail.verdicts).toHaveLength(2);
    expect(detail.flags).toContain("disputed");
    expect((await ana.get("/api/faces/2147483647")).status).toBe(404);
  });
});
