/** `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded database). */
import { getEnv } from "@/lib/env/env";
import { applyMigrations } from "@/lib/db/migrate";
import { startEmbeddedDatabase } from "@/lib/db/embedded";

async function main() {
  const env = getEnv();
  const embedded = env.DATABASE_URL ? null : await startEmbeddedDatabase({ dataDir: env.dataDir });
  const url = env.DATABASE_URL ?? embedded!.url;
  try {
    const r = await applyMigrations(url, { log: (l) => console.log(l) });
    console.log(`${r.applied.length} applied, ${r.alreadyApplied.length} already applied.`);
  } finally {
    await embedded?.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
