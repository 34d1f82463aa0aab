// POST /api/training-jobs — queue a retrain (202); GET /api/training-jobs — recent jobs
import { NextResponse } from "next/server";
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { readOptionalJson } from "@/lib/api/body";
import { getDb } from "@/lib/db/client";
import { getDatabaseUrl } from "@/lib/db/url";
import { trainingParamsSchema } from "@/worker/params";
import { getProducer } from "@/lib/jobs/queue";
import { listJobs } from "@/lib/jobs/list-jobs";
import { requestTrainingJob } from "@/lib/jobs/request-job";
import { assertTrainable } from "@/lib/dataset/preflight";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  POST: apiRoute({ permission: "training:manage" }, async ({ req, principal }) => {
    const params = trainingParamsSchema.parse(await readOptionalJson(req));
    const db = getDb();
    const job = await requestTrainingJob(db, await getProducer(getDatabaseUrl()), principal.userId, params, {
      // A job that could only fail for want of data is refused before anything is created.
      preflight: () => assertTrainable(db, { minSamples: params.min_samples, aggregation: params.label_aggregation }),
    });
    return NextResponse.json({ job_id: job.id, status: job.status }, { status: 202 });
  }),
  GET: apiRoute({ permission: "training:manage" }, async () => {
    return NextResponse.json({ jobs: await listJobs(getDb()) });
  }),
});
