import type { Metadata } from "next";
import { requirePageUser } from "@/lib/auth/page-guard";
import { roleCan } from "@/lib/auth/permissions";
import { GoldenSetManager } from "./golden-set";

export const metadata: Metadata = { title: "Golden set" };

export default async function GoldenPage() {
  const principal = await requirePageUser("models:manage", "/golden");
  return (
    <>
      <div className="page-head">
        <h1>Golden set</h1>
        <p className="muted">
          Reviewed faces set aside to judge every candidate model. They are never trained on, so they stay a fair test.
        </p>
      </div>
      <GoldenSetManager canManage={roleCan(principal.role, "models:manage")} />
    </>
  );
}
