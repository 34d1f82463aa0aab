import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { hashPassword } from "@/lib/auth/password";
import { MOVED_MARKER } from "@/lib/db/move-pglite";
import { startEmbeddedDatabase } from "@/lib/db/embedded";
import { launchTestApp, signIn, startTestApp } from "@/test/support/app-server";
import { client } from "@/test/support/http";
import { makePgliteInstall } from "@/test/support/pglite-install";

// `npm start` on the data folder of an install from before the embedded PostgreSQL: a real PGlite
// folder made with the project's migrations, moved on the first start of the new launcher.

async function earlierInstall(dataDir: string, extra?: string) {
  const hash = await hashPassword("old-password-1");
  const seed = `
    INSERT INTO "User" (email, name, "passwordHash", role, "updatedAt") VALUES
      ('old-admin@example.test', 'Old Admin', '${hash}', 'ADMIN', now()),
      ('old-reviewer@example.test', NULL, '${hash}', 'REVIEWER', now());
    INSERT INTO "AuditLog" ("actorId", action, "targetType", "targetId") VALUES (1, 'user.create', 'user', '2');`;
  return makePgliteInstall(dataDir, { seed, extra });
}

describe("the first start after the switch to PostgreSQL", { timeout: 300_000 }, () => {
  it("moves the PGlite data before serving: its users sign in, keep their ids, and no new admin is made", async () => {
    let pgliteDir = "";
    const app = await startTestApp({
      embeddedDatabase: true,
      prepareDataDir: async (dataDir) => (pgliteDir = await earlierInstall(dataDir)),
    });
    try {
      expect(app.output()).toMatch(
        new RegExp(`Moved 3 rows \\(User 2, .*AuditLog 1.*\\)\\. The old folder stays at ${pgliteDir}`),
      );
      expect(app.output()).not.toMatch(/Created the admin account/);
      expect(fs.existsSync(path.join(pgliteDir, MOVED_MARKER))).toBe(true);
      const admin = client(app.baseUrl, {
        cookie: await signIn(app.baseUrl, "old-admin@example.test", "old-password-1"),
      });
      const users = ((await (await admin.get("/api/users")).json()) as { users: { id: number; email: string }[] })
        .users;
      expect(users.map((u) => [u.id, u.email]).sort()).toEqual([
        [1, "old-admin@example.test"],
        [2, "old-reviewer@example.test"],
      ]);
      const created = await admin.json("POST", "/api/users", {
        email: "new@example.test",
        password: "new-password-1",
        role: "REVIEWER",
      });
      expect(((await created.json()) as { user: { id: number } }).user.id).toBe(3);
    } finally {
      await app.stop();
    }
  });

  it("refuses to start when the data does not move whole, and leaves the new database empty", async () => {
    const app = await launchTestApp({
      embeddedDatabase: true,
      // Two admins with one e-mail: PGlite without the unique index took them, PostgreSQL will not.
      prepareDataDir: (dataDir) =>
        earlierInstall(
          dataDir,
          `DROP INDEX "User_email_key"; INSERT INTO "User" (email, "passwordHash", "updatedAt") VALUES ('old-reviewer@example.test', 'x', now());`,
        ),
    });
    try {
      const code = await Promise.race([
        app.exited,
        new Promise<"still running">((r) => setTimeout(() => r("still running"), 180_000)),
      ]);
      expect(code, app.output()).toBe(1);
      expect(app.output()).toMatch(
        /The data of the earlier embedded database was not moved; it stays in .*pglite and the new database has none of it\. Copying table "User" failed: duplicate key value violates unique constraint "User_email_key"/,
      );
      expect(app.output()).not.toMatch(/\[launcher\] web server started/);
      expect(fs.existsSync(path.join(app.dataDir, "pglite", MOVED_MARKER))).toBe(false);
      // The new database, started on its own: migrated, and without a row of the PGlite data.
      const db = await startEmbeddedDatabase({ dataDir: app.dataDir });
      const c = new pg.Client({ connectionString: db.url });
      try {
        await c.connect();
        expect((await c.query(`SELECT count(*)::int AS n FROM "User"`)).rows[0].n).toBe(0);
        expect((await c.query(`SELECT count(*)::int AS n FROM "AuditLog"`)).rows[0].n).toBe(0);
        expect((await c.query(`SELECT count(*)::int AS n FROM "_prisma_migrations"`)).rows[0].n).toBeGreaterThan(0);
      } finally {
        await c.end();
        await db.stop();
      }
    } finally {
      await app.stop();
    }
  });
});
