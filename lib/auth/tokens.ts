import "server-only";
import crypto from "node:crypto";
import type { Db } from "@/lib/db/client";
import type { User } from "@/lib/db/generated/prisma/client";
import { AppError } from "@/lib/errors/app-error";
import { audit } from "@/lib/audit/audit";

const TOKEN_PREFIX = "elt_";
const DAY_MS = 24 * 60 * 60 * 1000;

export function hashToken(token: string): string {
  return crypto.createHash("sha256").update(token).digest("hex");
}

/**
 * Creates a personal API token, expiring after `expiresInDays` or never. The secret is returned
 * once; only its hash is stored.
 */
export async function createApiToken(db: Db, userId: number, input: { name: string; expiresInDays?: number }) {
  const secret = TOKEN_PREFIX + crypto.randomBytes(32).toString("base64url");
  const expiresAt = input.expiresInDays === undefined ? null : new Date(Date.now() + input.expiresInDays * DAY_MS);
  const row = await db.$transaction(async (tx) => {
    const created = await tx.apiToken.create({
      data: {
        userId,
        name: input.name,
        prefix: secret.slice(0, TOKEN_PREFIX.length + 6),
        tokenHash: hashToken(secret),
        expiresAt,
      },
    });
    await audit(tx, {
      actorId: userId,
      action: "token.create",
      targetType: "api-token",
      targetId: created.id,
      details: { name: created.name, prefix: created.prefix, expires_at: expiresAt?.toISOString() ?? null },
    });
    return created;
  });
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    token: secret,
  };
}

export function listApiTokens(db: Db, userId: number) {
  return db.apiToken.findMany({
    where: { userId },
    orderBy: { createdAt: "desc" },
    select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true, expiresAt: true },
  });
}

/** Revokes one of the user's own tokens; someone else's token is "not found", not "forbidden". */
export async function revokeApiToken(db: Db, userId: number, tokenId: number): Promise<void> {
  await db.$transaction(async (tx) => {
    const { count } = await tx.apiToken.updateMany({
      where: { id: tokenId, userId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (count === 0) throw new AppError("not_found", `No active token ${tokenId}.`);
    await audit(tx, { actorId: userId, action: "token.revoke", targetType: "api-token", targetId: tokenId });
  });
}

/** How often `lastUsedAt` is written: a token in steady use costs one write a minute, not one per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** The user behind a bearer token; an unknown or revoked token is 401, an expired one 401 token_expired. */
export async function getTokenUserOrThrow(
  db: Db,
  token: string,
): Promise<Pick<User, "id" | "email" | "name" | "role" | "disabledAt">> {
  // Token and user in one statement: this runs on every API request made with a token.
  const [row] = token.startsWith(TOKEN_PREFIX)
    ? await db.$queryRaw<
        {
          tokenId: number;
          revokedAt: Date | null;
          expiresAt: Date | null;
          lastUsedAt: Date | null;
          id: number;
          email: string;
          name: string | null;
          role: User["role"];
          disabledAt: Date | null;
        }[]
      >`
        SELECT t."id" AS "tokenId", t."revokedAt", t."expiresAt", t."lastUsedAt",
               u."id", u."email", u."name", u."role"::text AS "role", u."disabledAt"
        FROM "ApiToken" t JOIN "User" u ON u."id" = t."userId"
        WHERE t."tokenHash" = ${hashToken(token)}`
    : [];
  if (!row || row.revokedAt) throw new AppError("unauthorized", "Invalid or revoked API token.");
  if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) {
    throw new AppError(
      "token_expired",
      `This API token expired at ${row.expiresAt.toISOString()}; create a new one on Settings.`,
    );
  }
  // Best effort: a lost update of lastUsedAt is harmless.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    void db.apiToken.update({ where: { id: row.tokenId }, data: { lastUsedAt: new Date() } }).catch(() => {});
  }
  return { id: row.id, email: row.email, name: row.name, role: row.role, disabledAt: row.disabledAt };
}
