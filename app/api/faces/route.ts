// GET /api/faces — the dataset browser: faces with filters, a sort and keyset pagination
import { NextResponse } from "next/server";
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { getDb } from "@/lib/db/client";
import { roleCan } from "@/lib/auth/permissions";
import { faceQuerySchema } from "@/lib/dataset/schemas";
import { listFaces } from "@/lib/dataset/browse";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  GET: apiRoute({ permission: "faces:read" }, async ({ req, principal }) => {
    const query = faceQuerySchema.parse(Object.fromEntries(req.nextUrl.searchParams));
    return NextResponse.json(
      await listFaces(getDb(), query, { userId: principal.userId, admin: roleCan(principal.role, "agreement:read") }),
    );
  }),
});
