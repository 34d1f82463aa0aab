// GET /api/videos/:id/file — the stored video, with byte ranges for seeking (owner or admin)
import { apiMethods, apiRoute, parseId } from "@/lib/api/handler";
import { getDb } from "@/lib/db/client";
import { serveVideoFile } from "@/lib/videos/serve-file";
import { viewerOf } from "@/lib/videos/viewer";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  GET: apiRoute<{ id: string }>({ permission: "predictions:create" }, async ({ req, params, principal }) => {
    return serveVideoFile(getDb(), viewerOf(principal), parseId(params.id, "video"), req.headers.get("range"));
  }),
});
