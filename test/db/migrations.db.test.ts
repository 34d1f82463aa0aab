import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { applyMigrations, readMigrations } from "@/lib/db/migrate";
import { findSchemaDrift } from "@/test/support/schema-drift";
import { createDb } from "@/lib/db/client";
import { createEmbeddedDatabase, createTestDatabase, type TestDatabase } from "@/test/support/database";

// Runs against TEST_DATABASE_URL's server when set (CI: the Debian Postgres 15 cluster), and
// always against the embedded PostgreSQL database too: both paths the app can take.
const targets: [string, () => Promise<TestDatabase>][] = [
  ["configured database", () => createTestDatabase({ migrate: false })],
  ["embedded PostgreSQL", () => createEmbeddedDatabase()],
];

describe.each(targets)("migrations on the %s", (_name, create) => {
  let db: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    db = await create();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it("applies every migration once and records it in _prisma_migrations", async () => {
    const first = await applyMigrations(db.url);
    expect(first.applied).toEqual(readMigrations().map((m) => m.name));
    const second = await applyMigrations(db.url);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(first.applied);
    const { rows } = await client.query(
      `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY migration_name`,
    );
    expect(rows).toEqual(readMigrations().map((m) => ({ migration_name: m.name, checksum: m.checksum })));
  });

  it("leaves a database that matches schema.prisma (no drift)", async () => {
    expect(await findSchemaDrift(client)).toEqual([]);
  });

  it("serves the Prisma client through the pg adapter", async () => {
    const prisma = createDb(db.url);
    try {
      const user = await prisma.user.create({
        data: { email: "drift@example.test", passwordHash: "x", role: "ADMIN" },
      });
      const back = await prisma.user.findUniqueOrThrow({ where: { id: user.id } });
      expect(back.role).toBe("ADMIN");
    } finally {
      await prisma.$disconnect();
    }
  });

  it("reports drift when the database departs from the schema", async () => {
    await client.query(`ALTER TABLE "Review" DROP COLUMN "note"`);
    await client.query(`DROP INDEX "Prediction_createdAt_idx"`);
    await client.query(`ALTER TABLE "Face" ADD COLUMN "extra" TEXT`);
    const drift = await findSchemaDrift(client);
    expect(drift).toEqual(
      expect.arrayContaining([
        "missing column: Review.note text null",
        "missing index: Prediction(createdAt) index",
        "unexpected column: Face.extra text null",
      ]),
    );
  });
});

describe("migrations on a server whose time zone is not UTC", () => {
  it("date what they write in UTC, as the app reads it", async () => {
    const db = await createTestDatabase({ migrate: false });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "el-dated-migration-"));
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const name = new URL(db.url).pathname.slice(1);
      await client.query(`ALTER DATABASE "${name}" SET timezone TO 'Pacific/Auckland'`);
      // A migration that dates a row itself, as a backfill through a column default does.
      fs.mkdirSync(path.join(dir, "20990101000000_dated"));
      fs.writeFileSync(
        path.join(dir, "20990101000000_dated", "migration.sql"),
        `CREATE TABLE "Dated" ("at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP);
         INSERT INTO "Dated" DEFAULT VALUES;`,
      );
      await applyMigrations(db.url, { dir });
      // The stored wall-clock time, read as UTC (as Prisma reads it), is now.
      const { rows } = await client.query<{ s: number }>(
        `SELECT extract(epoch FROM "at" AT TIME ZONE 'UTC')::float8 AS s FROM "Dated"`,
      );
      expect(Math.abs(rows[0]!.s * 1000 - Date.now())).toBeLessThan(60_000);
    } finally {
      await client.end();
      await db.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
