// GET /api/faces/:id — a face with its predictions, consensus, verdicts and flags
import { NextResponse } from "next/server";
import { apiMethods, apiRoute, parseId } from "@/lib/api/handler";
import { getDb } from "@/lib/db/client";
import { faceDetail } from "@/lib/review/face-detail";
import { roleCan } from "@/lib/auth/permissions";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  GET: apiRoute<{ id: string }>({ permission: "faces:read" }, async ({ params, principal }) => {
    const id = parseId(params.id, "face");
    return NextResponse.json(
      await faceDetail(getDb(), id, { userId: principal.userId, admin: roleCan(principal.role, "agreement:read") }),
    );
  }),
});
