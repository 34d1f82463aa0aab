import "server-only";
import crypto from "node:crypto";
import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/api/errors";

const TOKEN_PREFIX = "elt_";

export function hashToken(token: string): string {
  return crypto.createHash("sha256").update(token).digest("hex");
}

/** Creates a personal API token. The secret is returned once; only its hash is stored. */
export async function createApiToken(db: Db, userId: number, name: string) {
  const secret = TOKEN_PREFIX + crypto.randomBytes(32).toString("base64url");
  const row = await db.apiToken.create({
    data: { userId, name, prefix: secret.slice(0, TOKEN_PREFIX.length + 6), tokenHash: hashToken(secret) },
  });
  return { id: row.id, name: row.name, prefix: row.prefix, createdAt: row.createdAt, token: secret };
}

export function listApiTokens(db: Db, userId: number) {
  return db.apiToken.findMany({
    where: { userId },
    orderBy: { createdAt: "desc" },
    select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true },
  });
}

/** Revokes one of the user's own tokens; someone else's token is "not found", not "forbidden". */
export async function revokeApiToken(db: Db, userId: number, tokenId: number): Promise<void> {
  const { count } = await db.apiToken.updateMany({
    where: { id: tokenId, userId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (count === 0) throw new AppError("not_found", `No active token ${tokenId}.`);
}

/** The user behind a bearer token, or null when it is unknown or revoked. */
export async function findUserByToken(db: Db, token: string) {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const row = await db.apiToken.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { user: true },
  });
  if (!row || row.revokedAt) return null;
  // Best effort: a lost update of lastUsedAt is harmless.
  void db.apiToken
    .update({ where: { id: row.id }, data: { lastUsedAt: new Date() } })
    .catch(() => {});
  return row.user;
}
