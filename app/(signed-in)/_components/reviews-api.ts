import type { ReviewInput } from "@/lib/review/schemas";
import { apiFetchBody } from "./api-client";
import type { StoredReview } from "./api-types";
import { verdictNames } from "./verdict-names";

/** POST /api/reviews. A repeated identical verdict answers 200 with the stored review, which is fine here. */
export async function saveReview(input: ReviewInput): Promise<StoredReview> {
  const data = await apiFetchBody<{ review: StoredReview }>("/api/reviews", { method: "POST", json: input });
  return data.review;
}

/** DELETE /api/reviews/:id — the server gives the prediction back to this reviewer with a fresh lease. */
export async function undoReview(reviewId: number): Promise<void> {
  await apiFetchBody<{ undone: true }>(`/api/reviews/${reviewId}`, { method: "DELETE" });
}

export function describeVerdict(r: Pick<StoredReview, "verdict" | "corrected_label">): string {
  if (r.verdict === "incorrect") return `incorrect → ${r.corrected_label ?? "?"}`;
  return verdictNames[r.verdict].toLowerCase();
}
