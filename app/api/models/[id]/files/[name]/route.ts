// GET /api/models/:id/files/:name — a version's model.json, metadata.json or weight shard, for in-browser inference
import { apiMethods, apiRoute, parseId } from "@/lib/api/handler";
import { getDb } from "@/lib/db/client";
import { cachedFileResponse } from "@/lib/http/cached-file";
import { readVersionFile } from "@/lib/registry/model-files";
import { modelFileQuerySchema } from "@/lib/registry/schemas";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  GET: apiRoute<{ id: string; name: string }>({ permission: "models:read" }, async ({ req, params }) => {
    const { v } = modelFileQuerySchema.parse(Object.fromEntries(req.nextUrl.searchParams));
    const file = await readVersionFile(getDb(), parseId(params.id, "model version"), params.name);
    return cachedFileResponse(req, file, { immutable: v === file.checksum });
  }),
});
