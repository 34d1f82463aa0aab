// POST /api/review/release — give back a claimed face (Skip)
import { NextResponse } from "next/server";
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { readJson } from "@/lib/api/body";
import { getDb } from "@/lib/db/client";
import { releaseSchema } from "@/lib/review/schemas";
import { releaseClaim } from "@/lib/review/queue";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  POST: apiRoute({ permission: "review:work" }, async ({ req, principal }) => {
    const { prediction_id } = releaseSchema.parse(await readJson(req));
    await releaseClaim(getDb(), principal.userId, prediction_id);
    return NextResponse.json({ released: prediction_id });
  }),
});
