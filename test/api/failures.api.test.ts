// API tests (real app on an embedded PostgreSQL the test stops and starts) of failures around the
// app rather than in the request: image storage that cannot be written or is full (507, nothing
// left behind), and a database that goes away and comes back (503, then working again without a
// restart).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "@/lib/db/embedded";
import { freePort, signIn, startTestApp, type TestApp } from "@/test/support/app-server";
import { client, listFiles, samplePhoto } from "@/test/support/http";

let app: TestApp;
let database: EmbeddedDatabase;
let dataDir: string;
let imagesDir: string;
let admin: ReturnType<typeof client>;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "el-failures-db-"));
  imagesDir = fs.mkdtempSync(path.join(os.tmpdir(), "el-failures-images-"));
  database = await startEmbeddedDatabase({ dataDir, port: await freePort() });
  app = await startTestApp({ databaseUrl: database.url, env: { FEEDBACK_IMAGES_DIR: imagesDir } });
  admin = client(app.baseUrl, { cookie: await signIn(app.baseUrl, app.admin.email, app.admin.password) });
}, 900_000);
afterAll(async () => {
  await app?.stop();
  await database?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(imagesDir, { recursive: true, force: true });
});

async function rowCounts() {
  const c = new pg.Client({ connectionString: database.url });
  await c.connect();
  try {
    const r = await c.query(
      `SELECT (SELECT count(*) FROM "Upload")::int AS uploads, (SELECT count(*) FROM "Face")::int AS faces, (SELECT count(*) FROM "Prediction")::int AS predictions`,
    );
    return r.rows[0] as { uploads: number; faces: number; predictions: number };
  } finally {
    await c.end();
  }
}

describe("image storage", () => {
  it("an `uploads` path that is a file, not a folder (ENOTDIR): 507, no rows, no files", async () => {
    fs.writeFileSync(path.join(imagesDir, "uploads"), "in the way\n");
    try {
      const before = await rowCounts();
      const res = await admin.upload(samplePhoto(1));
      expect(res.status).toBe(507);
      expect(await res.json()).toMatchObject({ error: { code: "storage_unavailable", message: expect.any(String) } });
      expect(await rowCounts()).toEqual(before);
      expect(listFiles(imagesDir)).toEqual(["uploads"]);
    } finally {
      fs.rmSync(path.join(imagesDir, "uploads"));
    }
  }, 120_000);

  const canMount = process.platform === "linux" && process.getuid?.() === 0;
  if (!canMount) console.warn("Skipping the full-storage test: mounting a small tmpfs needs root on Linux.");

  it.skipIf(!canMount)(
    "a full file system (a 16 KB tmpfs, ENOSPC mid-write): 507, no rows, not even a *.tmp",
    async () => {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=16k", "tmpfs", imagesDir]);
      try {
        const before = await rowCounts();
        const res = await admin.upload(samplePhoto(1));
        expect(res.status).toBe(507);
        expect(await res.json()).toMatchObject({ error: { code: "storage_unavailable" } });
        expect(await rowCounts()).toEqual(before);
        expect(listFiles(imagesDir)).toEqual([]);
      } finally {
        execFileSync("umount", [imagesDir]);
      }
    },
    120_000,
  );

  it("with the storage back, the same upload is stored", async () => {
    const res = await admin.upload(samplePhoto(1));
    expect(res.status).toBe(201);
    expect(listFiles(imagesDir).some((f) => f.startsWith("uploads/"))).toBe(true);
  }, 120_000);
});

describe("database", () => {
  const health = async () => {
    // Down must mean a prompt answer, not a hang.
    const res = await fetch(`${app.baseUrl}/api/health`, { signal: AbortSignal.timeout(30_000) });
    return { status: res.status, body: (await res.json()) as { database: { ok: boolean } } };
  };

  it("stopped: API answers 503 database_unavailable and health says so; started again: works without a restart", async () => {
    expect((await admin.get("/api/models")).status).toBe(200);
    await database.stop();

    // What was tried while the database was down: a read, a write, a token-less page-data read.
    for (const res of [
      await admin.get("/api/models"),
      await admin.json("POST", "/api/reviews", { prediction_id: 1, verdict: "correct" }),
      await admin.get("/api/review/next"),
    ]) {
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: { code: "database_unavailable", message: expect.any(String) } });
    }
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.body.database.ok).toBe(false);

    database = await startEmbeddedDatabase({ dataDir, port: database.port });
    // The pool reconnects on its own; give it a few tries while the server finishes starting.
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      status = (await admin.get("/api/models")).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
    const up = await health();
    expect(up.status).toBe(200);
    expect(up.body.database.ok).toBe(true);
    const write = await admin.json("POST", "/api/reviews", { prediction_id: 999999, verdict: "correct" });
    expect(write.status).toBe(404);
  }, 180_000);
});
