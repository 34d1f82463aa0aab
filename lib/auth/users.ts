import "server-only";
import crypto from "node:crypto";
import type { Db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/prisma/client";
import { AppError } from "@/lib/errors/app-error";
import { hashPassword } from "@/lib/auth/password";
import { audit } from "@/lib/audit/audit";
import type { CreateUserInput } from "@/lib/auth/schemas";
import type { RoleName } from "@/lib/auth/permissions";

export const publicUserFields = {
  id: true,
  email: true,
  name: true,
  role: true,
  disabledAt: true,
  createdAt: true,
} as const;

export async function createUser(db: Db, actorId: number | null, input: CreateUserInput) {
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.$transaction(async (tx) => {
      const user = await tx.user.create({
        data: { email: input.email.toLowerCase(), name: input.name || null, passwordHash, role: input.role },
        select: publicUserFields,
      });
      await audit(tx, {
        actorId,
        action: "user.create",
        targetType: "user",
        targetId: user.id,
        details: { email: user.email, role: user.role },
      });
      return user;
    });
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      throw new AppError("conflict", `A user with e-mail ${input.email} already exists.`);
    }
    throw err;
  }
}

export function listUsers(db: Db) {
  return db.user.findMany({ orderBy: { createdAt: "asc" }, select: publicUserFields });
}

/**
 * Disables / re-enables a user or changes a role. An admin cannot lock themselves out.
 * Disabling or a new role ends the user's sessions (sessionVersion + 1), so whatever a session was
 * allowed before is decided afresh at the next sign-in; disabling also revokes the user's API
 * tokens, so that re-enabling brings back neither old sessions nor old tokens.
 */
export async function updateUser(
  db: Db,
  actorId: number,
  userId: number,
  change: { disabled?: boolean; role?: RoleName },
) {
  if (userId === actorId && (change.disabled === true || change.role === "REVIEWER")) {
    throw new AppError("conflict", "You cannot disable yourself or remove your own admin role.");
  }
  return db.$transaction(async (tx) => {
    // Locked, so that two admins changing one user at once audit what each really changed.
    const [before] = await tx.$queryRaw<{ role: RoleName; disabled: boolean }[]>`
      SELECT "role"::text AS "role", "disabledAt" IS NOT NULL AS "disabled" FROM "User" WHERE "id" = ${userId} FOR UPDATE`;
    if (!before) throw new AppError("not_found", `No user ${userId}.`);
    const disabling = change.disabled === true && !before.disabled;
    const enabling = change.disabled === false && before.disabled;
    const newRole = change.role !== undefined && change.role !== before.role ? change.role : undefined;
    await tx.user.update({
      where: { id: userId },
      data: {
        ...(disabling ? { disabledAt: new Date() } : enabling ? { disabledAt: null } : {}),
        ...(newRole ? { role: newRole } : {}),
        ...(disabling || newRole ? { sessionVersion: { increment: 1 } } : {}),
      },
    });
    if (disabling) {
      const { count } = await tx.apiToken.updateMany({
        where: { userId, revokedAt: null },
        data: { revokedAt: new Date() },
      });
      await audit(tx, {
        actorId,
        action: "user.disable",
        targetType: "user",
        targetId: userId,
        details: { tokens_revoked: count },
      });
    }
    if (enabling) await audit(tx, { actorId, action: "user.enable", targetType: "user", targetId: userId });
    if (newRole) {
      await audit(tx, {
        actorId,
        action: "user.role-change",
        targetType: "user",
        targetId: userId,
        details: { from: before.role, to: newRole },
      });
    }
    return tx.user.findUniqueOrThrow({ where: { id: userId }, select: publicUserFields });
  });
}

/**
 * First start: make sure an admin exists. With ADMIN_EMAIL / ADMIN_PASSWORD set, that account is
 * created; otherwise a generated password is printed once. Never touches an existing admin.
 */
export async function ensureAdmin(
  db: Db,
  opts: { email?: string; password?: string; log: (line: string) => void },
): Promise<{ created: boolean; email?: string }> {
  const existing = await db.user.count({ where: { role: "ADMIN" } });
  if (existing > 0) return { created: false };
  const email = (opts.email ?? "admin@emotion-loop.local").toLowerCase();
  const password = opts.password ?? crypto.randomBytes(12).toString("base64url");
  await db.$transaction(async (tx) => {
    const user = await tx.user.upsert({
      where: { email },
      create: { email, name: "Administrator", role: "ADMIN", passwordHash: await hashPassword(password) },
      update: { role: "ADMIN", disabledAt: null },
    });
    await audit(tx, {
      actorId: null,
      action: "user.bootstrap-admin",
      targetType: "user",
      targetId: user.id,
      details: { email },
    });
  });
  if (opts.password) {
    opts.log(`Created the admin account ${email} (password from ADMIN_PASSWORD).`);
  } else {
    opts.log(
      [
        "",
        "================================================================",
        ` Admin account created: ${email}`,
        ` One-time password:     ${password}`,
        " This password is shown only now. Sign in and create your users.",
        "================================================================",
        "",
      ].join("\n"),
    );
  }
  return { created: true, email };
}
