// GET /api/openapi.json — the API's OpenAPI 3.1 document (public: it describes routes, holds no data)
import { NextResponse } from "next/server";
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { openApiDocument } from "./document";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  GET: apiRoute({ public: true }, async () =>
    NextResponse.json(openApiDocument(), { headers: { "cache-control": "no-cache" } }),
  ),
});
