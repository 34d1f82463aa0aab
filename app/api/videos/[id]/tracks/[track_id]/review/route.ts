// POST /api/videos/:id/tracks/:track_id/review — send a track's most uncertain frames to the review queue
import { NextResponse } from "next/server";
import { apiMethods, apiRoute, parseId } from "@/lib/api/handler";
import { readOptionalJson } from "@/lib/api/body";
import { getDb } from "@/lib/db/client";
import { sendTrackToReview } from "@/lib/videos/review-track";
import { trackReviewSchema } from "@/lib/videos/schemas";
import { viewerOf } from "@/lib/videos/viewer";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  POST: apiRoute<{ id: string; track_id: string }>(
    { permission: "predictions:create" },
    async ({ req, params, principal }) => {
      const { count } = trackReviewSchema.parse(await readOptionalJson(req));
      const result = await sendTrackToReview(
        getDb(),
        viewerOf(principal),
        parseId(params.id, "video"),
        parseId(params.track_id, "track"),
        count,
      );
      return NextResponse.json(result, { status: 201 });
    },
  ),
});
