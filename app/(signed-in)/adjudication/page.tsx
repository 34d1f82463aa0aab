import type { Metadata } from "next";
import { requirePageUser } from "@/lib/auth/page-guard";
import { AdjudicationQueue } from "./adjudication-queue";

export const metadata: Metadata = { title: "Adjudication" };

export default async function AdjudicationPage() {
  await requirePageUser("adjudication:work", "/adjudication");
  return <AdjudicationQueue />;
}
