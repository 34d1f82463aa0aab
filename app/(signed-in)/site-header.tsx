"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { signOut } from "next-auth/react";

const links = [
  { href: "/upload", label: "Upload" },
  { href: "/review", label: "Review" },
  { href: "/history", label: "History" },
  { href: "/settings", label: "Settings" },
] as const;

interface Props {
  email: string;
  isAdmin: boolean;
}

export function SiteHeader({ email, isAdmin }: Props) {
  const pathname = usePathname();
  const all = isAdmin ? [...links, { href: "/admin/users", label: "Users" }] : links;
  return (
    <header className="site-header">
      <div className="site-header-inner">
        <Link href="/review" className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Emotion Loop
        </Link>
        <nav aria-label="Main">
          <ul className="nav-list">
            {all.map((l) => {
              const active = pathname === l.href || pathname.startsWith(`${l.href}/`);
              return (
                <li key={l.href}>
                  <Link href={l.href} className="nav-link" aria-current={active ? "page" : undefined}>
                    {l.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="account">
          <span className="account-email" title={email}>
            {email}
          </span>
          <button type="button" className="btn btn-ghost btn-small" onClick={() => signOut({ callbackUrl: "/login" })}>
            Sign out
          </button>
        </div>
      </div>
    </header>
  );
}
