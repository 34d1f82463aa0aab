import { headers } from "next/headers";
import { getPrincipal } from "@/lib/auth/principal";
import { SiteHeader } from "./site-header";

/**
 * The frame of every signed-in page. It only reads who is signed in, for the nav: each page checks
 * access itself with requirePageUser, because a layout is not re-rendered on client navigation and
 * its redirect could not name the page to come back to.
 */
export default async function SignedInLayout({ children }: { children: React.ReactNode }) {
  const principal = await getPrincipal(await headers()).catch(() => null);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      {principal ? <SiteHeader email={principal.email} role={principal.role} /> : null}
      <main id="main" className="page" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
