import type { Metadata } from "next";
import { requirePageUser } from "@/lib/auth/page-guard";
import { ReviewSettingsForm } from "./review-settings-form";

export const metadata: Metadata = { title: "Review settings" };

export default async function ReviewSettingsPage() {
  await requirePageUser("settings:manage", "/admin/review-settings");
  return (
    <>
      <div className="page-head">
        <h1>Review settings</h1>
        <p className="muted">
          How many reviewers see each face, and how reviewers are checked against faces whose label is known.
        </p>
      </div>
      <ReviewSettingsForm />
    </>
  );
}
