// GET /api/review/next — claim the next face to review (204 when the queue is empty)
import { NextResponse } from "next/server";
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { getDb } from "@/lib/db/client";
import { nextQuerySchema } from "@/lib/review/schemas";
import { claimNext, countRemaining, getQueueItem } from "@/lib/review/queue";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  GET: apiRoute({ permission: "review:work" }, async ({ req, principal }) => {
    const query = nextQuerySchema.parse(Object.fromEntries(req.nextUrl.searchParams));
    const db = getDb();
    const claimed = await claimNext(db, principal.userId, query);
    if (claimed === null) return new Response(null, { status: 204 });
    // A claim from the queue read both in its own statement; a control reads them now.
    const [item, remaining] = await Promise.all([
      getQueueItem(db, claimed),
      claimed.read?.remaining ?? countRemaining(db),
    ]);
    return NextResponse.json({
      ...item,
      queue: { remaining: remaining.faces, verdicts_needed: remaining.verdicts },
    });
  }),
});
