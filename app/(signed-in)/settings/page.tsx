import type { Metadata } from "next";
import { requirePageUser } from "@/lib/auth/page-guard";
import { TokenManager } from "./token-manager";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const principal = await requirePageUser("tokens:manage-own", "/settings");
  return (
    <>
      <div className="page-head">
        <h1>Settings</h1>
        <p className="muted">
          Signed in as <strong>{principal.email}</strong> ({principal.role === "ADMIN" ? "administrator" : "reviewer"}).
        </p>
      </div>
      <TokenManager />
    </>
  );
}
