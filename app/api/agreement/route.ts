// GET /api/agreement — agreement among reviewers, each reviewer against the others, control accuracy
import { NextResponse } from "next/server";
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { getDb } from "@/lib/db/client";
import { agreementSummary } from "@/lib/review/agreement";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  GET: apiRoute({ permission: "agreement:read" }, async () => NextResponse.json(await agreementSummary(getDb()))),
});
