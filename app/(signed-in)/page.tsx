import type { Metadata } from "next";
import { requirePageUser } from "@/lib/auth/page-guard";
import { roleCan } from "@/lib/auth/permissions";
import { Dashboard } from "./_dashboard/dashboard";

export const metadata: Metadata = { title: "Dashboard" };

// The home page: one click (or R) from the review queue, with the figures of the last 30 days.
export default async function HomePage() {
  const principal = await requirePageUser("stats:read", "/");
  return <Dashboard admin={roleCan(principal.role, "agreement:read")} />;
}
