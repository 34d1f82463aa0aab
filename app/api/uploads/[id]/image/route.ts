// GET /api/uploads/:id/image — the uploaded photo, EXIF orientation applied
import { apiMethods, apiRoute, parseId } from "@/lib/api/handler";
import { AppError } from "@/lib/errors/app-error";
import { getDb } from "@/lib/db/client";
import { readFeedbackFile, sniffImageType } from "@/lib/storage/files";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  GET: apiRoute<{ id: string }>({ permission: "faces:read" }, async ({ params }) => {
    const id = parseId(params.id, "upload");
    const upload = await getDb().upload.findUnique({ where: { id }, select: { imagePath: true } });
    if (!upload) throw new AppError("not_found", `No upload ${id}.`);
    const data = await readFeedbackFile(upload.imagePath).catch(() => {
      throw new AppError("not_found", `The image file of upload ${id} is missing.`);
    });
    return new Response(new Uint8Array(data), {
      headers: {
        "content-type": sniffImageType(data)?.mime ?? "application/octet-stream",
        "cache-control": "private, max-age=31536000, immutable",
      },
    });
  }),
});
