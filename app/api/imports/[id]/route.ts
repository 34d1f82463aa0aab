// GET /api/imports/:id — an import's progress: counts and per-file errors (its owner or an admin)
import { NextResponse } from "next/server";
import { apiMethods, apiRoute, parseId } from "@/lib/api/handler";
import { getDb } from "@/lib/db/client";
import { getImport } from "@/lib/imports/read-imports";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  GET: apiRoute<{ id: string }>({ permission: "predictions:create" }, async ({ params, principal }) => {
    return NextResponse.json(await getImport(getDb(), parseId(params.id, "import"), principal));
  }),
});
