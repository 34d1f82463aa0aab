// POST /api/models/:id/activate — promote a candidate or roll back to an earlier version
import { NextResponse } from "next/server";
import { apiMethods, apiRoute, parseId } from "@/lib/api/handler";
import { readOptionalJson } from "@/lib/api/body";
import { getDb } from "@/lib/db/client";
import { activateVersion } from "@/lib/registry/model-versions";
import { presentVersion } from "@/lib/registry/present";
import { activateBodySchema } from "@/lib/registry/schemas";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  POST: apiRoute<{ id: string }>({ permission: "models:manage" }, async ({ req, params, principal }) => {
    const id = parseId(params.id, "model version");
    const { reason } = activateBodySchema.parse(await readOptionalJson(req));
    const version = await activateVersion(getDb(), {
      versionId: id,
      actorId: principal.userId,
      reason: reason || "activated by an admin",
    });
    return NextResponse.json({ model: presentVersion(version) });
  }),
});
