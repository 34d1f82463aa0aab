// GET /api/users — list users; POST /api/users — create a user (admins)
import { NextResponse } from "next/server";
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { readJson } from "@/lib/api/body";
import { getDb } from "@/lib/db/client";
import { createUserSchema } from "@/lib/auth/schemas";
import { createUser, listUsers } from "@/lib/auth/users";
import { presentUser } from "@/lib/auth/present";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  GET: apiRoute({ permission: "users:manage" }, async () => {
    const users = await listUsers(getDb());
    return NextResponse.json({ users: users.map(presentUser) });
  }),
  POST: apiRoute({ permission: "users:manage" }, async ({ req, principal }) => {
    const input = createUserSchema.parse(await readJson(req));
    const user = await createUser(getDb(), principal.userId, input);
    return NextResponse.json({ user: presentUser(user) }, { status: 201 });
  }),
});
