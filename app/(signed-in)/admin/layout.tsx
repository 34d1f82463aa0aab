import { headers } from "next/headers";
import { getPrincipal } from "@/lib/auth/principal";
import { AdminTabs } from "./admin-tabs";

/**
 * The admin area: one nav entry ("Admin") and tabs for its pages. Like the signed-in layout it only
 * reads who is signed in, for the tabs; each page checks access itself.
 */
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const principal = await getPrincipal(await headers()).catch(() => null);
  return (
    <>
      {principal ? <AdminTabs role={principal.role} /> : null}
      {children}
    </>
  );
}
