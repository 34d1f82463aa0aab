import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requirePageUser } from "@/lib/auth/page-guard";
import { VideoAnalysis } from "./video-analysis";

export const metadata: Metadata = { title: "Video" };

export default async function VideoPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requirePageUser("predictions:create", `/videos/${encodeURIComponent(id)}`);
  if (!/^\d{1,9}$/.test(id) || Number(id) <= 0) notFound();
  return <VideoAnalysis id={Number(id)} />;
}
