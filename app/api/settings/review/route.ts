// GET /api/settings/review — overlap and control settings; PUT — change them (applies to faces still open)
import { NextResponse } from "next/server";
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { readJson } from "@/lib/api/body";
import { getDb } from "@/lib/db/client";
import { reviewSettingsSchema } from "@/lib/review/schemas";
import { getReviewSettings, presentReviewSettings, updateReviewSettings } from "@/lib/review/settings";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  GET: apiRoute({ permission: "settings:manage" }, async () => {
    return NextResponse.json({ settings: presentReviewSettings(await getReviewSettings(getDb(), { fresh: true })) });
  }),
  PUT: apiRoute({ permission: "settings:manage" }, async ({ req, principal }) => {
    const input = reviewSettingsSchema.parse(await readJson(req));
    const { settings, faces_affected } = await updateReviewSettings(getDb(), principal.userId, input);
    return NextResponse.json({ settings: presentReviewSettings(settings), faces_affected });
  }),
});
