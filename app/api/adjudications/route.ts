// POST /api/adjudications — an admin's final label for a face
import { NextResponse } from "next/server";
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { readJson } from "@/lib/api/body";
import { getDb } from "@/lib/db/client";
import { adjudicationInputSchema } from "@/lib/review/schemas";
import { adjudicate } from "@/lib/review/adjudication";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  POST: apiRoute({ permission: "adjudication:work" }, async ({ req, principal }) => {
    const input = adjudicationInputSchema.parse(await readJson(req));
    return NextResponse.json({ adjudication: await adjudicate(getDb(), principal.userId, input) }, { status: 201 });
  }),
});
