// GET /api/videos/:id — a video's status, tracks, face-time summary and segments (owner or admin)
import { NextResponse } from "next/server";
import { apiMethods, apiRoute, parseId } from "@/lib/api/handler";
import { getDb } from "@/lib/db/client";
import { getVideo } from "@/lib/videos/read-video";
import { viewerOf } from "@/lib/videos/viewer";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  GET: apiRoute<{ id: string }>({ permission: "predictions:create" }, async ({ params, principal }) => {
    return NextResponse.json(await getVideo(getDb(), viewerOf(principal), parseId(params.id, "video")));
  }),
});
