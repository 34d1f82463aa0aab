// GET /api/training-jobs/:id — a job's state, progress, curves and log
import { NextResponse } from "next/server";
import { apiMethods, apiRoute, parseId } from "@/lib/api/handler";
import { getDb } from "@/lib/db/client";
import { getJob } from "@/lib/jobs/get-job";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  GET: apiRoute<{ id: string }>({ permission: "training:manage" }, async ({ params }) => {
    return NextResponse.json({ job: await getJob(getDb(), parseId(params.id, "training job")) });
  }),
});
