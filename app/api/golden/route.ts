// GET /api/golden — the golden set; POST /api/golden — add or remove reviewed faces (admins)
import { NextResponse } from "next/server";
import { apiRoute, readJson } from "@/lib/api/handler";
import { getDb } from "@/lib/db/client";
import { listGolden, setGolden } from "@/lib/jobs/golden";
import { goldenChangeSchema } from "@/lib/jobs/schemas";

export const GET = apiRoute({ permission: "models:read" }, async () => {
  return NextResponse.json(await listGolden(getDb()));
});

export const POST = apiRoute({ permission: "models:manage" }, async ({ req, principal }) => {
  const change = goldenChangeSchema.parse(await readJson(req));
  return NextResponse.json(await setGolden(getDb(), principal.userId, change));
});
