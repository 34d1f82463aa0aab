import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { readMigrations } from "@/lib/db/migrate";

/**
 * A PGlite data folder at `<dataDir>/pglite`, as an install from before the embedded PostgreSQL left
 * it: the first `migrations` of the project's migrations (all by default), then `extra` and `seed`.
 */
export async function makePgliteInstall(dataDir: string, opts: { migrations?: number; seed: string; extra?: string }) {
  const dir = path.join(dataDir, "pglite");
  fs.mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dir);
  try {
    for (const m of readMigrations().slice(0, opts.migrations)) await db.exec(m.sql);
    if (opts.extra) await db.exec(opts.extra);
    await db.exec(opts.seed);
  } finally {
    await db.close();
  }
  return dir;
}
