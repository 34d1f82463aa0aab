import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requirePageUser } from "@/lib/auth/page-guard";
import { LiveJob } from "./live-job";

export const metadata: Metadata = { title: "Training job" };

export default async function TrainingJobPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requirePageUser("training:manage", `/training/${encodeURIComponent(id)}`);
  if (!/^\d{1,9}$/.test(id) || Number(id) <= 0) notFound();
  return <LiveJob id={Number(id)} />;
}
