// POST /api/training-jobs/:id/cancel — stop a queued or running job
import { NextResponse } from "next/server";
import { apiMethods, apiRoute, parseId } from "@/lib/api/handler";
import { getDb } from "@/lib/db/client";
import { requestCancel } from "@/lib/jobs/cancel-job";
import { presentJob } from "@/lib/jobs/present";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  POST: apiRoute<{ id: string }>({ permission: "training:manage" }, async ({ params, principal }) => {
    const job = await requestCancel(getDb(), principal.userId, parseId(params.id, "training job"));
    return NextResponse.json({ job: presentJob(job) });
  }),
});
