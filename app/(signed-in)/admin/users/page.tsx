import type { Metadata } from "next";
import { requirePageUser } from "@/lib/auth/page-guard";
import { UserAdmin } from "./user-admin";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const principal = await requirePageUser("users:manage", "/admin/users");
  return (
    <>
      <div className="page-head">
        <h1>Users</h1>
        <p className="muted">Who may review, and who administers models and people.</p>
      </div>
      <UserAdmin selfId={principal.userId} />
    </>
  );
}
