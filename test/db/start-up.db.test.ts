// Start-up on a database two servers share: when two `npm start`s run at the same moment against
// one fresh database, the first admin and the shipped baseline are made once, and only the process
// that made the admin prints a password.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import pg from "pg";
import { resetEnvForTests } from "@/lib/env/env";
import { prepareDatabase } from "@/scripts/support/prepare-database";
import { createTestDatabase, type TestDatabase } from "@/test/support/database";
import { createTinyModelDir } from "@/test/support/tiny-model";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "el-start-up-"));
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
  await createTinyModelDir(path.join(work, "baseline"));
  vi.stubEnv("MODELS_DIR", path.join(work, "models"));
  vi.stubEnv("BASELINE_DIR", path.join(work, "baseline"));
  vi.stubEnv("DATA_DIR", path.join(work, "data"));
  vi.stubEnv("ADMIN_EMAIL", "");
  vi.stubEnv("ADMIN_PASSWORD", "");
  resetEnvForTests();
}, 120_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  resetEnvForTests();
  await db?.drop();
  fs.rmSync(work, { recursive: true, force: true });
});

it("makes one admin and one model version when two servers start at once", async () => {
  const logs: string[][] = [[], [], []];
  // Tried: three start-ups racing on one fresh database (migrations, admin, baseline).
  await Promise.all(
    logs.map((lines) => prepareDatabase({ log: (l) => lines.push(l), running: { url: db.url, embedded: false } })),
  );
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    const admins = await c.query(`SELECT email FROM "User" WHERE role = 'ADMIN'`);
    expect(admins.rows).toHaveLength(1);
    const versions = await c.query(`SELECT version, status FROM "ModelVersion"`);
    expect(versions.rows).toEqual([{ version: 1, status: "ACTIVE" }]);
  } finally {
    await c.end();
  }
  // Exactly one of them announced a generated password: the one that made the account.
  const announced = logs.filter((lines) => lines.some((l) => /One-time password/.test(l)));
  expect(announced).toHaveLength(1);
}, 120_000);
