// GET /api/detector/files/:name — the face detector's weights (as the server detects with), for in-browser detection
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { detectorFileQuerySchema, readDetectorFile } from "@/lib/faces/detector-files";
import { cachedFileResponse } from "@/lib/http/cached-file";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  GET: apiRoute<{ name: string }>({ permission: "models:read" }, async ({ req, params }) => {
    const { v } = detectorFileQuerySchema.parse(Object.fromEntries(req.nextUrl.searchParams));
    const file = await readDetectorFile(params.name);
    return cachedFileResponse(req, file, { immutable: v === file.version });
  }),
});
