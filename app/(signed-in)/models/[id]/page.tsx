import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requirePageUser } from "@/lib/auth/page-guard";
import { roleCan } from "@/lib/auth/permissions";
import { ModelDetailView } from "./model-detail";

export const metadata: Metadata = { title: "Model version" };

export default async function ModelVersionPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ with?: string | string[] }>;
}) {
  const { id } = await params;
  const other = (await searchParams).with;
  const principal = await requirePageUser("models:read", `/models/${encodeURIComponent(id)}`);
  if (!/^\d{1,9}$/.test(id) || Number(id) <= 0) notFound();
  return (
    <ModelDetailView
      id={Number(id)}
      canManage={roleCan(principal.role, "models:manage")}
      canSeeJobs={roleCan(principal.role, "training:manage")}
      compareWith={typeof other === "string" && /^\d{1,9}$/.test(other) ? Number(other) : null}
    />
  );
}
