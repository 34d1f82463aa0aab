import type { Metadata } from "next";
import { requirePageUser } from "@/lib/auth/page-guard";
import { ReviewQueue } from "./review-queue";

export const metadata: Metadata = { title: "Review" };

export default async function ReviewPage() {
  const principal = await requirePageUser("review:work", "/review");
  return <ReviewQueue reviewerId={principal.userId} />;
}
