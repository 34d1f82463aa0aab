// POST /api/videos — upload a video for background analysis (202); GET /api/videos — your videos
import { NextResponse } from "next/server";
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { getDb } from "@/lib/db/client";
import { getDatabaseUrl } from "@/lib/db/url";
import { getProducer } from "@/lib/jobs/queue";
import { createVideo } from "@/lib/videos/create-video";
import { listVideos } from "@/lib/videos/read-video";
import { receiveVideo } from "@/lib/videos/receive-video";
import { targetEmotionsSchema, videoFpsSchema } from "@/lib/videos/schemas";
import { viewerOf } from "@/lib/videos/viewer";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  POST: apiRoute({ permission: "predictions:create", body: "upload" }, async ({ req, principal }) => {
    const video = await receiveVideo(req, async (form) =>
      createVideo(getDb(), await getProducer(getDatabaseUrl()), principal.userId, {
        ...form.file,
        fps: videoFpsSchema.parse(form.get("fps")),
        targetEmotions: targetEmotionsSchema.parse(form.getAll("target_emotions")),
      }),
    );
    return NextResponse.json({ video_id: video.id, status: "queued" }, { status: 202 });
  }),
  GET: apiRoute({ permission: "predictions:create" }, async ({ principal }) => {
    return NextResponse.json(await listVideos(getDb(), viewerOf(principal)));
  }),
});
