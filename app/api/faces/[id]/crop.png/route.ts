// GET /api/faces/:id/crop.png — the stored 48x48 face crop
import { apiMethods, apiRoute, parseId } from "@/lib/api/handler";
import { AppError } from "@/lib/errors/app-error";
import { getDb } from "@/lib/db/client";
import { readFeedbackFile } from "@/lib/storage/files";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  GET: apiRoute<{ id: string }>({ permission: "faces:read" }, async ({ params }) => {
    const id = parseId(params.id, "face");
    const face = await getDb().face.findUnique({ where: { id }, select: { cropPath: true } });
    if (!face) throw new AppError("not_found", `No face ${id}.`);
    const png = await readFeedbackFile(face.cropPath).catch(() => {
      throw new AppError("not_found", `The crop file of face ${id} is missing.`);
    });
    return new Response(new Uint8Array(png), {
      headers: { "content-type": "image/png", "cache-control": "private, max-age=31536000, immutable" },
    });
  }),
});
