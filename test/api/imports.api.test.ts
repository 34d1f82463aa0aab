// Bulk imports through the real app and its import worker: a zip of photos, several photos, the
// previous tool's layout with its verdicts, a damaged zip, duplicates (single uploads and inside an
// import), two identical uploads at once, the request's own refusals, and who may read an import.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { zipSync } from "fflate";
import pg from "pg";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn, startTestApp, type TestApp } from "@/test/support/app-server";
import { client, samplePhoto } from "@/test/support/http";

type Client = ReturnType<typeof client>;
interface ImportView {
  id: number;
  status: string;
  kind: string;
  total: number;
  processed: number;
  faces: number;
  duplicates: number;
  errors: { file: string; message: string }[];
  error: string | null;
}
type Sent = { name: string; bytes: Buffer; type?: string };

let app: TestApp;
let db: pg.Client;
let admin: Client;
const secrets = { ana: "", ben: "" };
let ana: Client;
let ben: Client;
let anaId = 0;

beforeAll(async () => {
  app = await startTestApp({ worker: true });
  db = new pg.Client({ connectionString: app.databaseUrl });
  await db.connect();
  admin = client(app.baseUrl, { cookie: await signIn(app.baseUrl, app.admin.email, app.admin.password) });
  for (const name of ["ana", "ben"] as const) {
    const email = `${name}@example.test`;
    const res = await admin.json("POST", "/api/users", { email, password: "a-long-password", role: "REVIEWER" });
    expect(res.status).toBe(201);
    const c = client(app.baseUrl, { cookie: await signIn(app.baseUrl, email, "a-long-password") });
    secrets[name] = (
      (await (await c.json("POST", "/api/tokens", { name: "imports" })).json()) as { secret: string }
    ).secret;
  }
  ana = client(app.baseUrl, { token: secrets.ana });
  ben = client(app.baseUrl, { token: secrets.ben });
  anaId = (await db.query(`SELECT id FROM "User" WHERE email = 'ana@example.test'`)).rows[0].id as number;
}, 300_000);
afterAll(async () => {
  await db?.end();
  await app?.stop();
});

/** A sample photo made different, byte for byte and a little in its pixels, from every other call's. */
let variant = 0;
async function photo(n: number): Promise<Buffer> {
  variant++;
  return sharp(samplePhoto(n))
    .modulate({ brightness: 1 + variant / 100 })
    .jpeg({ quality: 90 })
    .toBuffer();
}

function sendImport(secret: string, files: Sent[], headers: Record<string, string> = {}): Promise<Response> {
  const form = new FormData();
  for (const f of files) {
    form.append("file", new Blob([new Uint8Array(f.bytes)], { type: f.type ?? "application/octet-stream" }), f.name);
  }
  return fetch(`${app.baseUrl}/api/imports`, {
    method: "POST",
    headers: { authorization: `Bearer ${secret}`, ...headers },
    body: form,
  });
}

async function startImport(secret: string, files: Sent[]): Promise<number> {
  const res = await sendImport(secret, files);
  const body = (await res.json()) as { import_id: number; status: string };
  expect(res.status, JSON.stringify(body)).toBe(202);
  expect(body.status).toBe("queued");
  return body.import_id;
}

async function finished(c: Client, id: number): Promise<ImportView> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const res = await c.get(`/api/imports/${id}`);
    expect(res.status).toBe(200);
    const view = (await res.json()) as ImportView;
    if (view.status === "done" || view.status === "failed") return view;
    if (Date.now() > deadline) throw new Error(`import ${id} still ${view.status}: ${JSON.stringify(view)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const sha256 = (b: Buffer) => crypto.createHash("sha256").update(b).digest("hex");
const count = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows[0].n as number;
const uploadsOf = (b: Buffer) => count(`SELECT count(*)::int AS n FROM "Upload" WHERE sha256 = $1`, [sha256(b)]);
const totals = async () =>
  (
    await db.query(
      `SELECT (SELECT count(*) FROM "Upload")::int AS uploads, (SELECT count(*) FROM "Face")::int AS faces,
              (SELECT count(*) FROM "Prediction")::int AS predictions, (SELECT count(*) FROM "Review")::int AS reviews`,
    )
  ).rows[0] as { uploads: number; faces: number; predictions: number; reviews: number };
const spoolFolders = () => {
  const dir = path.join(app.dataDir, "imports");
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
};

/** Every face's crop and every upload's photo is on disk: nothing half-stored. */
async function everyRowHasItsFiles() {
  const rows = await db.query(`SELECT "cropPath" AS p FROM "Face" UNION SELECT "imagePath" FROM "Upload"`);
  for (const r of rows.rows) expect(fs.existsSync(path.join(app.feedbackDir, r.p as string)), r.p as string).toBe(true);
}

describe("imports", () => {
  it("a zip of photos: each photo's faces stored, other entries reported, audited, the spool folder removed", async () => {
    const [a, b] = [await photo(3), await photo(4)];
    const zip = Buffer.from(
      zipSync({
        "trip/a.jpg": a,
        "trip/b.jpg": b,
        "trip/notes.txt": Buffer.from("not a photo\n"),
        "__MACOSX/trip/._a.jpg": Buffer.from("resource fork"),
      }),
    );
    const id = await startImport(secrets.ana, [{ name: "trip.zip", bytes: zip, type: "application/zip" }]);
    const done = await finished(ana, id);
    expect(done).toMatchObject({ status: "done", kind: "zip", total: 3, processed: 3, duplicates: 0, error: null });
    expect(done.errors).toEqual([{ file: "trip/notes.txt", message: "not a JPEG, PNG or WebP photo" }]);
    expect(await uploadsOf(a)).toBe(1);
    expect(await uploadsOf(b)).toBe(1);
    const faces = await count(
      `SELECT count(*)::int AS n FROM "Face" f JOIN "Upload" u ON u.id = f."uploadId"
       WHERE u.sha256 = ANY($1) AND u."userId" = $2`,
      [[sha256(a), sha256(b)], anaId],
    );
    expect(faces).toBeGreaterThanOrEqual(2);
    expect(done.faces).toBe(faces);
    // The faces are in the review queue like any upload's.
    expect(await count(`SELECT count(*)::int AS n FROM "FaceState"`)).toBeGreaterThanOrEqual(faces);
    const audit = await db.query(
      `SELECT action, "actorId", details FROM "AuditLog" WHERE "targetType" = 'import' AND "targetId" = $1 ORDER BY id`,
      [String(id)],
    );
    expect(audit.rows).toMatchObject([
      { action: "import.create", actorId: anaId, details: { kind: "zip", files: 1 } },
      { action: "import.complete", actorId: anaId, details: { status: "done", faces, errors: 1 } },
    ]);
    expect(spoolFolders()).toEqual([]);
    await everyRowHasItsFiles();
  }, 240_000);

  it("a photo uploaded before: 200 with duplicate_of for a single upload, a duplicate inside an import", async () => {
    const before = await photo(5);
    const first = await ana.upload(before);
    expect(first.status).toBe(201);
    const stored = (await first.json()) as { upload_id: number; faces: { id: number }[] };

    const again = await ben.upload(before);
    expect(again.status).toBe(200);
    const answer = (await again.json()) as { upload_id: number; duplicate_of: number; faces: { id: number }[] };
    expect(answer).toMatchObject({ upload_id: stored.upload_id, duplicate_of: stored.upload_id });
    expect(answer.faces.map((f) => f.id)).toEqual(stored.faces.map((f) => f.id));

    const fresh = await photo(6);
    const id = await startImport(secrets.ana, [
      { name: "before.jpg", bytes: before, type: "image/jpeg" },
      { name: "fresh.jpg", bytes: fresh, type: "image/jpeg" },
    ]);
    const done = await finished(ana, id);
    expect(done).toMatchObject({ status: "done", kind: "images", total: 2, processed: 2, duplicates: 1, errors: [] });
    expect(done.faces).toBeGreaterThan(0);
    expect(await uploadsOf(before)).toBe(1);
    expect(await uploadsOf(fresh)).toBe(1);
  }, 240_000);

  it("two clients sending the same bytes at once make one upload", async () => {
    const bytes = await photo(2);
    const [x, y] = await Promise.all([ana.upload(bytes), ben.upload(bytes)]);
    const answers = [
      { status: x.status, body: (await x.json()) as { upload_id: number; duplicate_of?: number } },
      { status: y.status, body: (await y.json()) as { upload_id: number; duplicate_of?: number } },
    ].sort((p, q) => p.status - q.status);
    expect(answers.map((a) => a.status)).toEqual([200, 201]);
    expect(answers[0]!.body.duplicate_of).toBe(answers[1]!.body.upload_id);
    expect(await uploadsOf(bytes)).toBe(1);
    await everyRowHasItsFiles();
  }, 240_000);

  it("a face crop sent again, and twice at once, is stored once; bytes that are not an image are a 415", async () => {
    const crop = await sharp(samplePhoto(1))
      .extract({ left: 600, top: 200, width: 300, height: 300 })
      .resize(48, 48)
      .greyscale()
      .png()
      .toBuffer();
    const first = await ana.upload(crop, { isFaceCrop: true });
    expect(first.status).toBe(201);
    const stored = (await first.json()) as { upload_id: number };
    const again = await ben.upload(crop, { isFaceCrop: true });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { duplicate_of: number }).duplicate_of).toBe(stored.upload_id);
    // The same bytes taken as a photo are another upload; twice at once, still one.
    const [x, y] = await Promise.all([ana.upload(crop), ben.upload(crop)]);
    expect([x.status, y.status].sort()).toEqual([200, 201]);
    expect(await uploadsOf(crop)).toBe(2);
    // Bytes that are not an image: a clear 415, nothing stored.
    const junk = await ana.upload(Buffer.from("not an image at all"), { isFaceCrop: true });
    expect(junk.status).toBe(415);
    await everyRowHasItsFiles();
  }, 240_000);

  it("the previous tool's layout: its verdicts imported as the sender, rows that cannot be reported", async () => {
    const gray = (seed: number) =>
      sharp(Buffer.from(Array.from({ length: 48 * 48 }, (_, i) => (i * seed + seed * 7) % 256)), {
        raw: { width: 48, height: 48, channels: 1 },
      })
        .toColourspace("b-w")
        .png()
        .toBuffer();
    const csv = [
      "timestamp,predicted_emotion,confidence,corrected_emotion,image_path",
      "2024-03-01 10:00:00,happy,0.91,happy,feedback_images/one.png",
      "2024-03-01 10:05:00,sad,0.55,angry,feedback_images/two.png",
      "2024-03-01 10:10:00,fear,0.6,fear,feedback_images/missing.png",
    ].join("\r\n");
    const zip = Buffer.from(
      zipSync({
        "logs/feedback_log.csv": Buffer.from(csv + "\r\n"),
        "logs/feedback_images/one.png": await gray(3),
        "logs/feedback_images/two.png": await gray(11),
      }),
    );
    const id = await startImport(secrets.ana, [{ name: "old-tool.zip", bytes: zip }]);
    const done = await finished(ana, id);
    expect(done).toMatchObject({ status: "done", kind: "feedback", total: 3, processed: 3, faces: 2, duplicates: 0 });
    expect(done.errors).toEqual([
      { file: "logs/feedback_log.csv row 4", message: "image not found: feedback_images/missing.png" },
    ]);
    const reviews = await db.query(
      `SELECT r.verdict, r."correctedLabel", r."reviewerId", p.label, v.name FROM "Review" r
       JOIN "Prediction" p ON p.id = r."predictionId" JOIN "ModelVersion" v ON v.id = p."modelVersionId"
       WHERE v.name = 'imported: feedback_log.csv' ORDER BY r."createdAt"`,
    );
    expect(reviews.rows).toEqual([
      {
        verdict: "CORRECT",
        correctedLabel: null,
        reviewerId: anaId,
        label: "happy",
        name: "imported: feedback_log.csv",
      },
      {
        verdict: "INCORRECT",
        correctedLabel: "angry",
        reviewerId: anaId,
        label: "sad",
        name: "imported: feedback_log.csv",
      },
    ]);
    // The same zip again: every row was imported before.
    const again = await finished(ana, await startImport(secrets.ana, [{ name: "old-tool.zip", bytes: zip }]));
    expect(again).toMatchObject({ status: "done", total: 3, processed: 3, faces: 0, duplicates: 2 });
    expect(spoolFolders()).toEqual([]);
    await everyRowHasItsFiles();
  }, 240_000);

  it("a damaged zip: the damaged entry reported, the rest imported, nothing half-stored", async () => {
    const [good, hurt] = [await photo(1), await photo(3)];
    const zip = Buffer.from(zipSync({ "good.jpg": good, "hurt.jpg": hurt }, { level: 0 }));
    // Stored uncompressed: damage the middle of the second photo's bytes.
    // Well into the photo: JPEG headers from one encoder start alike.
    const at = zip.indexOf(hurt.subarray(1000, 1064)) - 1000;
    expect(at).toBeGreaterThan(0);
    for (let i = 0; i < 64; i++) {
      const j = at + Math.floor(hurt.length / 2) + i;
      zip[j] = zip[j]! ^ 0xff;
    }
    const before = await totals();
    const done = await finished(ana, await startImport(secrets.ana, [{ name: "damaged.zip", bytes: zip }]));
    expect(done).toMatchObject({ status: "done", total: 2, processed: 2 });
    expect(done.errors).toEqual([{ file: "hurt.jpg", message: "the entry is damaged (its checksum does not match)" }]);
    expect(await uploadsOf(good)).toBe(1);
    expect(await uploadsOf(hurt)).toBe(0);
    expect((await totals()).uploads).toBe(before.uploads + 1);
    await everyRowHasItsFiles();
  }, 240_000);

  it("a zip cut short cannot be read at all: failed, with the reason, and nothing stored", async () => {
    const zip = Buffer.from(zipSync({ "a.jpg": await photo(4), "b.jpg": await photo(5) }));
    const cut = zip.subarray(0, Math.floor(zip.length * 0.6));
    const before = await totals();
    const done = await finished(ana, await startImport(secrets.ana, [{ name: "cut.zip", bytes: cut }]));
    expect(done).toMatchObject({ status: "failed", processed: 0 });
    expect(done.error).toMatch(/^cut\.zip cannot be read as a zip: it has no table of contents/);
    expect(await totals()).toEqual(before);
    expect(spoolFolders()).toEqual([]);
  }, 120_000);

  it.each([
    ["no file", [], 400, "bad_request", /field "file"/],
    ["an empty file", [{ name: "empty.jpg", bytes: Buffer.alloc(0) }], 400, "invalid_image", /empty\.jpg is empty/],
    ["a text file", [{ name: "notes.txt", bytes: Buffer.from("hello") }], 415, "unsupported_media_type", /notes\.txt/],
    [
      "a zip with photos beside it",
      [
        { name: "a.zip", bytes: Buffer.from(zipSync({ "x.txt": Buffer.from("x") })) },
        { name: "b.jpg", bytes: samplePhoto(1) },
      ],
      400,
      "bad_request",
      /one zip/,
    ],
    [
      "a photo over 10 MB",
      [{ name: "huge.jpg", bytes: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(11 * 1024 * 1024)]) }],
      413,
      "payload_too_large",
      /huge\.jpg is larger than 10 MB/,
    ],
  ] as const)(
    "refuses %s with a clear status and message, and keeps nothing",
    async (_what, files, status, code, msg) => {
      const before = await count(`SELECT count(*)::int AS n FROM "Import"`);
      const res = await sendImport(
        secrets.ana,
        files.map((f) => ({ ...f })),
      );
      expect(res.status).toBe(status);
      expect(await res.json()).toMatchObject({ error: { code, message: expect.stringMatching(msg) } });
      expect(await count(`SELECT count(*)::int AS n FROM "Import"`)).toBe(before);
      expect(spoolFolders()).toEqual([]);
    },
  );

  it("refuses a body that is not multipart (415)", async () => {
    const res = await ana.json("POST", "/api/imports", { file: "x" });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: { code: "unsupported_media_type" } });
  });

  it("an import is its sender's and the admins': others get 404, and lists show only your own", async () => {
    const [latest] = ((await (await ana.get("/api/imports")).json()) as { imports: ImportView[] }).imports;
    expect(latest).toBeDefined();
    expect((await ben.get(`/api/imports/${latest!.id}`)).status).toBe(404);
    expect((await admin.get(`/api/imports/${latest!.id}`)).status).toBe(200);
    expect((await ana.get(`/api/imports/${latest!.id}`)).status).toBe(200);
    expect(((await (await ben.get("/api/imports")).json()) as { imports: unknown[] }).imports).toEqual([]);
    expect((await ana.get("/api/imports/999999")).status).toBe(404);
  });
});
