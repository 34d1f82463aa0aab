import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/db/generated/prisma/client";
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

export function createDb(connectionString: string): PrismaClient {
  // A database host that drops packets instead of refusing would otherwise hold each request for
  // the OS's TCP timeout (minutes); after 10 s the request fails as database_unavailable (503).
  const adapter = new PrismaPg({ connectionString, max: 10, connectionTimeoutMillis: 10_000 });
  return new PrismaClient({ adapter });
}
