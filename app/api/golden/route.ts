// GET /api/golden — the golden set; POST /api/golden — add or remove reviewed faces (admins)
import { NextResponse } from "next/server";
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { readJson } from "@/lib/api/body";
import { getDb } from "@/lib/db/client";
import { listGolden, setGolden } from "@/lib/dataset/golden";
import { goldenChangeSchema, goldenPageSchema } from "@/lib/dataset/schemas";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  GET: apiRoute({ permission: "models:manage" }, async ({ req }) => {
    const page = goldenPageSchema.parse(Object.fromEntries(req.nextUrl.searchParams));
    return NextResponse.json(await listGolden(getDb(), page));
  }),
  POST: apiRoute({ permission: "models:manage" }, async ({ req, principal }) => {
    const change = goldenChangeSchema.parse(await readJson(req));
    return NextResponse.json(await setGolden(getDb(), principal.userId, change));
  }),
});
