// GET /api/health — database, active model version and compute backend (public, no secrets)
import { NextResponse } from "next/server";
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { getHealth } from "@/lib/health/health";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  GET: apiRoute({ public: true }, async () => {
    const health = await getHealth();
    return NextResponse.json(health, { status: health.status === "ok" ? 200 : 503 });
  }),
});
