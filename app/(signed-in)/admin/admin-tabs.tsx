"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { roleCan, type Permission, type RoleName } from "@/lib/auth/permissions";
import styles from "./admin-tabs.module.css";

/** The admin pages; each shows only to roles whose page guard would let them in. */
const tabs: { href: string; label: string; permission: Permission }[] = [
  { href: "/admin/users", label: "Users", permission: "users:manage" },
  { href: "/admin/review-settings", label: "Review settings", permission: "settings:manage" },
];

export function AdminTabs({ role }: { role: RoleName }) {
  const pathname = usePathname();
  const shown = tabs.filter((t) => roleCan(role, t.permission));
  if (shown.length < 2) return null;
  return (
    <nav aria-label="Admin" className={styles.tabs}>
      <ul>
        {shown.map((t) => (
          <li key={t.href}>
            <Link
              href={t.href}
              className={styles.tab}
              aria-current={pathname === t.href || pathname.startsWith(`${t.href}/`) ? "page" : undefined}
            >
              {t.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
