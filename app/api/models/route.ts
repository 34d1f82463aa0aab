// GET /api/models — every model version with status, lineage and metrics
import { NextResponse } from "next/server";
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { getDb } from "@/lib/db/client";
import { listVersions } from "@/lib/registry/read-versions";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  GET: apiRoute({ permission: "models:read" }, async () => {
    return NextResponse.json({ models: await listVersions(getDb()) });
  }),
});
