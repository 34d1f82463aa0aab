"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { signOut } from "next-auth/react";
import { roleCan, type Permission, type RoleName } from "@/lib/auth/permissions";
import styles from "./site-header.module.css";

/**
 * Each link shows only to roles whose page guard would let them in (no permission: everyone). A link
 * with a `section` is current on every page under it (the admin area's pages have tabs of their own).
 */
const links: { href: string; label: string; permission?: Permission; section?: string }[] = [
  { href: "/upload", label: "Upload", permission: "predictions:create" },
  // Every signed-in user: the camera's faces predicted in the browser; a capture is an upload.
  { href: "/live", label: "Live", permission: "predictions:create" },
  { href: "/review", label: "Review", permission: "review:work" },
  { href: "/history", label: "History", permission: "history:read" },
  // The golden set is curated from here too (its filter and bulk actions); /golden is linked from it.
  { href: "/dataset", label: "Dataset", permission: "faces:read" },
  { href: "/models", label: "Models", permission: "models:read" },
  { href: "/training", label: "Training", permission: "training:manage" },
  { href: "/adjudication", label: "Adjudication", permission: "adjudication:work" },
  { href: "/reviewers", label: "Reviewers", permission: "agreement:read" },
  { href: "/settings", label: "Settings", permission: "tokens:manage-own" },
  { href: "/admin/users", label: "Admin", permission: "users:manage", section: "/admin" },
  // Public: the API reference needs no sign-in.
  { href: "/docs", label: "API docs" },
];

/**
 * next-auth would send the browser to its own idea of the site's address (NEXTAUTH_URL, else
 * http://localhost:3000), which is another origin for a user on http://127.0.0.1:3000 or a LAN
 * name. The login page is reached by path instead, so the user stays on the origin they are on.
 */
async function signOutHere() {
  await signOut({ redirect: false });
  // A full load, not a client navigation: nothing of the ended session stays in memory.
  // eslint-disable-next-line @next/next/no-location-assign-relative-destination
  window.location.assign("/login");
}

interface Props {
  email: string;
  role: RoleName;
}

export function SiteHeader({ email, role }: Props) {
  const pathname = usePathname();
  const all = links.filter((l) => !l.permission || roleCan(role, l.permission));
  // An admin's nav fills a 1280 px row: the e-mail gives way (it stays in the Sign out button's title).
  const crowded = all.length > 8;
  return (
    // "site-header" stays a plain class: the review page asks whether focus is inside the header by it.
    <header className={`site-header ${styles.siteHeader}`}>
      <div className={crowded ? `${styles.siteHeaderInner} ${styles.isCrowded}` : styles.siteHeaderInner}>
        <Link href="/" className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Emotion Loop
        </Link>
        <nav aria-label="Main">
          <ul className={styles.navList}>
            {all.map((l) => {
              const base = l.section ?? l.href;
              const active = pathname === base || pathname.startsWith(`${base}/`);
              return (
                <li key={l.href}>
                  <Link href={l.href} className={styles.navLink} aria-current={active ? "page" : undefined}>
                    {l.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className={styles.account}>
          <span className={styles.accountEmail} title={email}>
            {email}
          </span>
          <button
            type="button"
            className="btn btn-ghost btn-small"
            title={`Signed in as ${email}`}
            onClick={() => void signOutHere()}
          >
            Sign out
          </button>
        </div>
      </div>
    </header>
  );
}
