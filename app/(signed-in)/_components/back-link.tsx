import Link from "next/link";
import type { ReactNode } from "react";

/** The way back from a detail page to the list it was opened from. */
export function BackLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <p className="back-link">
      <Link href={href}>{children}</Link>
    </p>
  );
}
