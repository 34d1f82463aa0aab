// POST /api/predictions — upload a photo (or a face crop); detect faces and predict each
import { NextResponse } from "next/server";
import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { AppError } from "@/lib/api/errors";
import { getDb } from "@/lib/db/client";
import { MAX_UPLOAD_BYTES } from "@/lib/images/decode";
import { processUpload } from "@/lib/uploads/process-upload";

const flag = z
  .union([z.boolean(), z.enum(["true", "false", "1", "0", "on", "off", ""])])
  .optional()
  .transform((v) => v === true || v === "true" || v === "1" || v === "on");

const jsonBody = z.object({ image_base64: z.string().min(1, "image_base64 is empty"), is_face_crop: flag });

export const POST = apiRoute({ permission: "predictions:create" }, async ({ req, principal }) => {
  const declared = Number(req.headers.get("content-length") ?? 0);
  // Multipart framing adds a little; anything far over the image limit is refused unread.
  if (declared > MAX_UPLOAD_BYTES + 64 * 1024) {
    throw new AppError("payload_too_large", `The image is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB.`);
  }
  const { bytes, isFaceCrop } = await readImage(req);
  const result = await processUpload(getDb(), principal.userId, bytes, { isFaceCrop });
  return NextResponse.json(result, { status: 201 });
});

async function readImage(req: Request): Promise<{ bytes: Buffer; isFaceCrop: boolean }> {
  const type = req.headers.get("content-type") ?? "";
  if (type.startsWith("multipart/form-data")) {
    let form: FormData;
    try {
      form = await req.formData();
    } catch {
      throw new AppError("bad_request", "Could not read the multipart form.");
    }
    const file = form.get("image");
    if (!(file instanceof Blob)) throw new AppError("bad_request", 'Send the photo in the multipart field "image".');
    const isFaceCrop = flag.parse(form.get("is_face_crop") ?? undefined);
    return { bytes: Buffer.from(await file.arrayBuffer()), isFaceCrop };
  }
  if (type.startsWith("application/json")) {
    let raw: unknown;
    try {
      raw = await req.json();
    } catch {
      throw new AppError("bad_request", "The request body must be JSON.");
    }
    const body = jsonBody.parse(raw);
    const base64 = body.image_base64.replace(/^data:[^;]+;base64,/, "");
    if (!/^[A-Za-z0-9+/=\s_-]+$/.test(base64)) throw new AppError("bad_request", "image_base64 is not base64.");
    return { bytes: Buffer.from(base64, "base64"), isFaceCrop: body.is_face_crop };
  }
  throw new AppError(
    "unsupported_media_type",
    'Send multipart/form-data with an "image" field, or JSON with "image_base64".',
  );
}
