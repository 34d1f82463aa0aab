// GET /api/training-jobs/preflight — what a retrain would train on now, per class, and whether it can run
import { NextResponse } from "next/server";
import { z } from "zod";
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { getDb } from "@/lib/db/client";
import { trainingParamsSchema } from "@/worker/params";
import { trainingPreflight } from "@/lib/dataset/preflight";

/** The job parameters the pre-flight depends on, as query parameters, with the job's own defaults. */
const preflightQuerySchema = trainingParamsSchema.pick({ min_samples: true, label_aggregation: true }).strict();

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  GET: apiRoute({ permission: "training:manage" }, async ({ req }) => {
    const q: z.infer<typeof preflightQuerySchema> = preflightQuerySchema.parse(
      Object.fromEntries(req.nextUrl.searchParams),
    );
    return NextResponse.json(
      await trainingPreflight(getDb(), { minSamples: q.min_samples, aggregation: q.label_aggregation }),
    );
  }),
});
