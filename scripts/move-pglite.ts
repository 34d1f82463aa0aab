/**
 * `npm run db:move-pglite [-- <pglite folder>]`: moves the data of an install from before the
 * embedded PostgreSQL (PGlite, `<DATA_DIR>/pglite` unless a folder is given) into DATABASE_URL or
 * the embedded database, as `npm start` does on its own for the embedded database. Once: a moved
 * folder carries a marker and is left alone.
 */
import path from "node:path";
import { getEnv } from "@/lib/env/env";
import { applyMigrations } from "@/lib/db/migrate";
import { startEmbeddedDatabase } from "@/lib/db/embedded";
import { MOVED_MARKER, movePgliteDataOnce } from "@/lib/db/move-pglite";

async function main() {
  const env = getEnv();
  const pgliteDir = path.resolve(process.argv[2] ?? path.join(env.dataDir, "pglite"));
  const embedded = env.DATABASE_URL
    ? null
    : await startEmbeddedDatabase({ dataDir: env.dataDir, port: env.EMBEDDED_DB_PORT });
  const url = env.DATABASE_URL ?? embedded!.url;
  const log = (line: string) => console.log(line);
  try {
    await applyMigrations(url, { log });
    const report = await movePgliteDataOnce({ pgliteDir, url, log });
    if (!report) console.log(`Nothing to do: ${path.join(pgliteDir, MOVED_MARKER)} says it was moved already.`);
  } finally {
    await embedded?.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
