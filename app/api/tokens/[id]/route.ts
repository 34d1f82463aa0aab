// DELETE /api/tokens/:id — revoke one of your API tokens
import { NextResponse } from "next/server";
import { apiMethods, apiRoute, parseId } from "@/lib/api/handler";
import { getDb } from "@/lib/db/client";
import { revokeApiToken } from "@/lib/auth/tokens";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  DELETE: apiRoute<{ id: string }>({ permission: "tokens:manage-own" }, async ({ params, principal }) => {
    const id = parseId(params.id, "token");
    await revokeApiToken(getDb(), principal.userId, id);
    return NextResponse.json({ revoked: id });
  }),
});
