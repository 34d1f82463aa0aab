// GET /api/models/:id — one version, with the active version's figures beside it
import { NextResponse } from "next/server";
import { apiMethods, apiRoute, parseId } from "@/lib/api/handler";
import { getDb } from "@/lib/db/client";
import { getVersionDetail } from "@/lib/registry/read-versions";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  GET: apiRoute<{ id: string }>({ permission: "models:read" }, async ({ params }) => {
    return NextResponse.json(await getVersionDetail(getDb(), parseId(params.id, "model version")));
  }),
});
