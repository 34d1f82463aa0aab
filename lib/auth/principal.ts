import "server-only";
import { getServerSession } from "next-auth";
import { getDb } from "@/lib/db/client";
import { getAuthOptions } from "@/lib/auth/options";
import { getTokenUserOrThrow } from "@/lib/auth/tokens";
import { AppError } from "@/lib/errors/app-error";
import { roleCan, type Permission, type RoleName } from "@/lib/auth/permissions";

export interface Principal {
  userId: number;
  email: string;
  name: string | null;
  role: RoleName;
  via: "session" | "token";
}

/**
 * Who is asking: a bearer token (`Authorization: Bearer elt_…`) or the next-auth session cookie.
 * The user row is read on every request so that disabling a user or changing a role takes effect
 * at once, whatever the JWT says; a session whose sessionVersion is not the user's current one was
 * ended (sign-out, disable, role change) and counts as no session, on every server alike.
 */
export async function getPrincipal(headers: Headers): Promise<Principal | null> {
  const db = getDb();
  const auth = headers.get("authorization");
  if (auth) {
    const match = /^Bearer\s+(\S+)$/i.exec(auth.trim());
    if (!match?.[1]) throw new AppError("unauthorized", "Malformed Authorization header; expected `Bearer <token>`.");
    const user = await getTokenUserOrThrow(db, match[1]);
    if (user.disabledAt) throw new AppError("unauthorized", "This account is disabled.");
    return { userId: user.id, email: user.email, name: user.name, role: user.role, via: "token" };
  }
  const session = await getServerSession(getAuthOptions());
  const id = session?.user?.id;
  const version = session?.user?.sessionVersion;
  if (typeof id !== "number" || typeof version !== "number") return null;
  const user = await db.user.findUnique({ where: { id } });
  if (!user || user.disabledAt || user.sessionVersion !== version) return null;
  return { userId: user.id, email: user.email, name: user.name, role: user.role, via: "session" };
}

export function assertCan(principal: Principal | null, permission: Permission): Principal {
  if (!principal) throw new AppError("unauthorized", "Sign in or send an API token.");
  if (!roleCan(principal.role, permission)) {
    throw new AppError("forbidden", `Your role (${principal.role.toLowerCase()}) may not do this.`);
  }
  return principal;
}
