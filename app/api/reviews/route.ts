// POST /api/reviews — record a verdict; GET /api/reviews — history with filters
import { NextResponse } from "next/server";
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { readJson } from "@/lib/api/body";
import { getDb } from "@/lib/db/client";
import { roleCan } from "@/lib/auth/permissions";
import { historyQuerySchema, reviewInputSchema } from "@/lib/review/schemas";
import { listHistory, presentReview, recordVerdict } from "@/lib/review/verdicts";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  POST: apiRoute({ permission: "review:work" }, async ({ req, principal }) => {
    const input = reviewInputSchema.parse(await readJson(req));
    const { review, created, duplicate } = await recordVerdict(getDb(), principal.userId, input);
    return NextResponse.json(
      { review: presentReview(review), ...(duplicate ? { duplicate: true } : {}) },
      { status: created ? 201 : 200 },
    );
  }),
  GET: apiRoute({ permission: "history:read" }, async ({ req, principal }) => {
    const query = historyQuerySchema.parse(Object.fromEntries(req.nextUrl.searchParams));
    return NextResponse.json(await listHistory(getDb(), query, { admin: roleCan(principal.role, "models:manage") }));
  }),
});
