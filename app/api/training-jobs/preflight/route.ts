// GET /api/training-jobs/preflight — what a retrain would train on now, per class, and whether it can run
import { NextResponse } from "next/server";
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { getDb } from "@/lib/db/client";
import { preflightQuerySchema } from "@/worker/params";
import { trainingPreflight } from "@/lib/dataset/preflight";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  GET: apiRoute({ permission: "training:manage" }, async ({ req }) => {
    const q = preflightQuerySchema.parse(Object.fromEntries(req.nextUrl.searchParams));
    return NextResponse.json(
      await trainingPreflight(getDb(), { minSamples: q.min_samples, aggregation: q.label_aggregation }),
    );
  }),
});
