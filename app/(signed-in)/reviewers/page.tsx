import type { Metadata } from "next";
import { requirePageUser } from "@/lib/auth/page-guard";
import { roleCan } from "@/lib/auth/permissions";
import { ReviewersReport } from "./reviewers-report";

export const metadata: Metadata = { title: "Reviewers" };

export default async function ReviewersPage() {
  const principal = await requirePageUser("agreement:read", "/reviewers");
  return (
    <>
      <div className="page-head">
        <h1>Reviewers</h1>
        <p className="muted">
          How far reviewers agree with one another, and how each compares with the rest and with the control faces.
        </p>
      </div>
      <ReviewersReport canManageSettings={roleCan(principal.role, "settings:manage")} />
    </>
  );
}
