import { getEnv } from "@/lib/env/env";
import { applyMigrations } from "@/lib/db/migrate";
import { startEmbeddedDatabase } from "@/lib/db/embedded";
import { createDb } from "@/lib/db/client";
import { ensureAdmin } from "@/lib/auth/users";
import { ensureBaselineRegistered } from "@/lib/registry/model-versions";

export interface PreparedDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/**
 * What every start does before serving: the database (embedded when DATABASE_URL is unset),
 * pending migrations, the first admin, and the shipped baseline as model version 1.
 */
export async function prepareDatabase(opts: { log: (line: string) => void }): Promise<PreparedDatabase> {
  const env = getEnv();
  let url = env.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!url) {
    const embedded = await startEmbeddedDatabase({ dataDir: env.dataDir, port: env.EMBEDDED_DB_PORT, log: opts.log });
    url = embedded.url;
    stopEmbedded = embedded.stop;
    opts.log(`Embedded database: ${embedded.dir} (PostgreSQL on 127.0.0.1:${embedded.port})`);
  }
  const migrated = await applyMigrations(url, { log: opts.log });
  if (migrated.applied.length === 0) opts.log("Database schema is up to date.");
  const prisma = createDb(url);
  try {
    await ensureAdmin(prisma, { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD, log: opts.log });
    await ensureBaselineRegistered(prisma, opts.log);
  } finally {
    await prisma.$disconnect();
  }
  return {
    url,
    embedded: Boolean(stopEmbedded),
    stop: async () => {
      await stopEmbedded?.();
    },
  };
}
