// GET /api/tokens — your API tokens; POST /api/tokens — create one (signed-in session only)
import { NextResponse } from "next/server";
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { readJson } from "@/lib/api/body";
import { getDb } from "@/lib/db/client";
import { createTokenSchema } from "@/lib/auth/schemas";
import { createApiToken, listApiTokens } from "@/lib/auth/tokens";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  GET: apiRoute({ permission: "tokens:manage-own" }, async ({ principal }) => {
    const tokens = await listApiTokens(getDb(), principal.userId);
    return NextResponse.json({
      tokens: tokens.map((t) => ({
        id: t.id,
        name: t.name,
        prefix: t.prefix,
        created_at: t.createdAt,
        last_used_at: t.lastUsedAt,
        revoked_at: t.revokedAt,
        expires_at: t.expiresAt,
      })),
    });
  }),
  POST: apiRoute({ permission: "tokens:manage-own", sessionOnly: true }, async ({ req, principal }) => {
    const input = createTokenSchema.parse(await readJson(req));
    const t = await createApiToken(getDb(), principal.userId, {
      name: input.name,
      expiresInDays: input.expires_in_days,
    });
    return NextResponse.json(
      {
        token: { id: t.id, name: t.name, prefix: t.prefix, created_at: t.createdAt, expires_at: t.expiresAt },
        secret: t.token,
      },
      { status: 201 },
    );
  }),
});
