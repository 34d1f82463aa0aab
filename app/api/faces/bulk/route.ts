// POST /api/faces/bulk — a bulk action on listed faces or on every face matching a filter
import { NextResponse } from "next/server";
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { readJson } from "@/lib/api/body";
import { getDb } from "@/lib/db/client";
import { faceBulkSchema } from "@/lib/dataset/schemas";
import { bulkAction } from "@/lib/dataset/bulk";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  POST: apiRoute({ permission: "models:manage" }, async ({ req, principal }) => {
    const input = faceBulkSchema.parse(await readJson(req));
    return NextResponse.json(await bulkAction(getDb(), principal.userId, input));
  }),
});
