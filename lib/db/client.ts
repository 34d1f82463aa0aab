import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/db/generated/prisma/client";
import { SESSION_OPTIONS } from "@/lib/db/session";
import { getDatabaseUrl } from "@/lib/db/url";

export type Db = PrismaClient;

const globalForDb = globalThis as unknown as { emotionLoopDb?: PrismaClient };

/** One Prisma client per process, kept on globalThis so dev hot reloads reuse its pool. */
export function getDb(): PrismaClient {
  if (!globalForDb.emotionLoopDb) {
    globalForDb.emotionLoopDb = createDb(getDatabaseUrl());
  }
  return globalForDb.emotionLoopDb;
}

/**
 * A Prisma client with its own pool. `connectTimeoutMs` (default 10 s): a database host that drops
 * packets instead of refusing would otherwise hold each request for the OS's TCP timeout (minutes);
 * after it the request fails as database_unavailable (503). 0 waits as long as TCP does: for the
 * training worker, whose event loop synchronous tensor work holds for seconds at a time, so that a
 * connect timer would fire on the first tick after it, before the server's answer is read, and end
 * a healthy job as "lost the database".
 */
export function createDb(connectionString: string, opts: { connectTimeoutMs?: number } = {}): PrismaClient {
  const adapter = new PrismaPg({
    connectionString,
    max: 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    options: SESSION_OPTIONS, // UTC: see lib/db/session
  });
  return new PrismaClient({ adapter });
}
