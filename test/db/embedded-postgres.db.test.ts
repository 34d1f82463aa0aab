// The embedded PostgreSQL the launcher starts when DATABASE_URL is unset: a real server, so many
// clients at once each get their own session; loopback only, with a password only its owner reads.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "@/lib/db/embedded";
import { embeddedPasswordFile } from "@/lib/db/embedded-address";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "el-embedded-test-"));
let db: EmbeddedDatabase;

beforeAll(async () => {
  db = await startEmbeddedDatabase({ dataDir });
}, 60_000);
afterAll(async () => {
  await db?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function withClient<T>(url: string, run: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await run(c);
  } finally {
    await c.end();
  }
}

describe("the embedded PostgreSQL", () => {
  it("keeps its generated password in a file only its owner can read, and refuses a wrong one", async () => {
    const file = embeddedPasswordFile(dataDir);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const password = fs.readFileSync(file, "utf8").trim();
    expect(password.length).toBeGreaterThanOrEqual(32);
    expect(db.url).toContain(encodeURIComponent(password));
    // Tried: the right user with a wrong password, and another user with any password.
    const wrong = new URL(db.url);
    wrong.password = "postgres";
    await expect(withClient(wrong.toString(), (c) => c.query("SELECT 1"))).rejects.toMatchObject({ code: "28P01" });
    wrong.username = "postgres";
    await expect(withClient(wrong.toString(), (c) => c.query("SELECT 1"))).rejects.toMatchObject({ code: "28P01" });
  });

  it("listens on 127.0.0.1 only, with no Unix socket", async () => {
    const settings = await withClient(db.url, async (c) => ({
      listen: (await c.query("SHOW listen_addresses")).rows[0].listen_addresses,
      sockets: (await c.query("SHOW unix_socket_directories")).rows[0].unix_socket_directories,
    }));
    expect(settings).toEqual({ listen: "127.0.0.1", sockets: "" });
  });

  it("gives 32 concurrent clients their own sessions: 32 × 100 transactions, every row stored under its client", async () => {
    await withClient(db.url, (c) =>
      c.query(`CREATE TABLE soak (client int NOT NULL, n int NOT NULL, PRIMARY KEY (client, n))`),
    );
    await Promise.all(
      Array.from({ length: 32 }, (_, client) =>
        withClient(db.url, async (c) => {
          for (let n = 0; n < 100; n++) {
            // A prepared statement with two parameters inside an explicit transaction: the pattern
            // a single shared session interleaved across connections.
            await c.query("BEGIN");
            await c.query({ name: "ins", text: "INSERT INTO soak (client, n) VALUES ($1, $2)", values: [client, n] });
            await c.query("COMMIT");
          }
        }),
      ),
    );
    const rows = await withClient(
      db.url,
      async (c) => (await c.query(`SELECT client, count(*)::int AS n FROM soak GROUP BY client`)).rows,
    );
    expect(rows).toHaveLength(32);
    for (const r of rows) expect(r.n).toBe(100);
  }, 60_000);

  it("keeps its data across a restart, and starts over the pid file a crashed server left", async () => {
    await withClient(db.url, (c) => c.query(`CREATE TABLE kept (v text); INSERT INTO kept VALUES ('before')`));
    await db.stop();
    // Tried: a postmaster.pid naming a process that is gone, as after a kill -9 of the machine.
    fs.writeFileSync(path.join(db.dir, "postmaster.pid"), "999999\n" + db.dir + "\n");
    db = await startEmbeddedDatabase({ dataDir });
    const kept = await withClient(db.url, async (c) => (await c.query(`SELECT v FROM kept`)).rows);
    expect(kept).toEqual([{ v: "before" }]);
  }, 60_000);

  it("refuses to start a second server on a folder whose server still runs", async () => {
    await expect(startEmbeddedDatabase({ dataDir })).rejects.toThrow(/still running/);
  });
});
