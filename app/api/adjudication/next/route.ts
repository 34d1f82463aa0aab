// GET /api/adjudication/next — claim the next face whose verdicts conflict (204 when none is left)
import { NextResponse } from "next/server";
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { getDb } from "@/lib/db/client";
import { adjudicationNextSchema } from "@/lib/review/schemas";
import { adjudicationItem, claimConflict, countConflicts } from "@/lib/review/adjudication";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  GET: apiRoute({ permission: "adjudication:work" }, async ({ req, principal }) => {
    const query = adjudicationNextSchema.parse(Object.fromEntries(req.nextUrl.searchParams));
    const db = getDb();
    const faceId = await claimConflict(db, principal.userId, query.exclude);
    if (faceId === null) return new Response(null, { status: 204 });
    const [item, remaining] = await Promise.all([adjudicationItem(db, faceId), countConflicts(db)]);
    return NextResponse.json({ ...item, queue: { remaining } });
  }),
});
