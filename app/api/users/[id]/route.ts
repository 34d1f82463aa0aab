// PATCH /api/users/:id — disable / enable a user or change the role (admins)
import { NextResponse } from "next/server";
import { apiMethods, apiRoute, parseId } from "@/lib/api/handler";
import { readJson } from "@/lib/api/body";
import { getDb } from "@/lib/db/client";
import { updateUserSchema } from "@/lib/auth/schemas";
import { updateUser } from "@/lib/auth/users";
import { presentUser } from "@/lib/auth/present";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  PATCH: apiRoute<{ id: string }>({ permission: "users:manage" }, async ({ req, params, principal }) => {
    const id = parseId(params.id, "user");
    const change = updateUserSchema.parse(await readJson(req));
    const user = await updateUser(getDb(), principal.userId, id, change);
    return NextResponse.json({ user: presentUser(user) });
  }),
});
