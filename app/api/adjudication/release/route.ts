// POST /api/adjudication/release — give back a claimed conflict (Skip)
import { NextResponse } from "next/server";
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { readJson } from "@/lib/api/body";
import { getDb } from "@/lib/db/client";
import { adjudicationReleaseSchema } from "@/lib/review/schemas";
import { releaseConflict } from "@/lib/review/adjudication";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  POST: apiRoute({ permission: "adjudication:work" }, async ({ req, principal }) => {
    const { face_id } = adjudicationReleaseSchema.parse(await readJson(req));
    await releaseConflict(getDb(), principal.userId, face_id);
    return NextResponse.json({ released: face_id });
  }),
});
