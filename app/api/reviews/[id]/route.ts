// DELETE /api/reviews/:id — undo one of your own verdicts
import { NextResponse } from "next/server";
import { apiMethods, apiRoute, parseId } from "@/lib/api/handler";
import { getDb } from "@/lib/db/client";
import { undoVerdict } from "@/lib/review/verdicts";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  DELETE: apiRoute<{ id: string }>({ permission: "review:work" }, async ({ params, principal }) => {
    const result = await undoVerdict(getDb(), principal.userId, parseId(params.id, "verdict"));
    return NextResponse.json({ undone: true, ...result });
  }),
});
