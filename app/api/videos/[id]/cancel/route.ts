// POST /api/videos/:id/cancel — stop a queued or running analysis (owner or admin)
import { NextResponse } from "next/server";
import { apiMethods, apiRoute, parseId } from "@/lib/api/handler";
import { getDb } from "@/lib/db/client";
import { cancelVideo } from "@/lib/videos/cancel-video";
import { presentVideoRow } from "@/lib/videos/read-video";
import { viewerOf } from "@/lib/videos/viewer";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  POST: apiRoute<{ id: string }>({ permission: "predictions:create" }, async ({ params, principal }) => {
    const video = await cancelVideo(getDb(), viewerOf(principal), parseId(params.id, "video"));
    return NextResponse.json({ video: presentVideoRow(video) });
  }),
});
