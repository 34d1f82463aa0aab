import "server-only";
import { headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { getPrincipal, type Principal } from "@/lib/auth/principal";
import { roleCan, type Permission } from "@/lib/auth/permissions";

/**
 * For server components: the signed-in user, or a redirect to the login page; a role without the
 * permission gets the 403 page. Pages never rely on the UI hiding links.
 */
export async function requirePageUser(permission?: Permission, returnTo?: string): Promise<Principal> {
  const h = await headers();
  let principal: Principal | null = null;
  try {
    principal = await getPrincipal(h);
  } catch {
    principal = null;
  }
  if (!principal) {
    const target = returnTo ?? "/";
    redirect(`/login?callbackUrl=${encodeURIComponent(target)}`);
  }
  if (permission && !roleCan(principal.role, permission)) forbidden();
  return principal;
}
