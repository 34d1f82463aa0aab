import type { Metadata } from "next";
import { requirePageUser } from "@/lib/auth/page-guard";
import { roleCan } from "@/lib/auth/permissions";
import { ModelVersions } from "./model-versions";

export const metadata: Metadata = { title: "Models" };

export default async function ModelsPage() {
  const principal = await requirePageUser("models:read", "/models");
  return (
    <>
      <div className="page-head">
        <h1>Models</h1>
        <p className="muted">
          Every model version, newest first. Exactly one is active: it makes every new prediction.
        </p>
      </div>
      <ModelVersions
        canManage={roleCan(principal.role, "models:manage")}
        canSeeJobs={roleCan(principal.role, "training:manage")}
      />
    </>
  );
}
