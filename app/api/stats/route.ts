// GET /api/stats — the dashboard's figures: queue and burn-down, verdicts per day, labels, golden-set accuracy
import { NextResponse } from "next/server";
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { roleCan } from "@/lib/auth/permissions";
import { getDb } from "@/lib/db/client";
import { dashboardStats } from "@/lib/stats/dashboard-stats";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  GET: apiRoute({ permission: "stats:read" }, async ({ principal }) =>
    NextResponse.json(
      await dashboardStats(
        getDb(),
        // Figures per reviewer go with the permission to see reviewers' figures.
        roleCan(principal.role, "agreement:read")
          ? { kind: "everyone" }
          : { kind: "own", reviewerId: principal.userId },
      ),
    ),
  ),
});
