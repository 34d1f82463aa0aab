// GET /api/golden — the golden set; POST /api/golden — add or remove reviewed faces (admins)
import { NextResponse } from "next/server";
import { z } from "zod";
import { apiRoute, readJson } from "@/lib/api/handler";
import { getDb } from "@/lib/db/client";
import { listGolden, setGolden } from "@/lib/jobs/golden";
import { goldenChangeSchema } from "@/lib/jobs/schemas";

const pageSchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  before: z.coerce.number().int().positive().optional(),
});

export const GET = apiRoute({ permission: "models:read" }, async ({ req }) => {
  const page = pageSchema.parse(Object.fromEntries(req.nextUrl.searchParams));
  return NextResponse.json(await listGolden(getDb(), page));
});

export const POST = apiRoute({ permission: "models:manage" }, async ({ req, principal }) => {
  const change = goldenChangeSchema.parse(await readJson(req));
  return NextResponse.json(await setGolden(getDb(), principal.userId, change));
});
