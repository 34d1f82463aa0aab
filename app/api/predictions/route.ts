// POST /api/predictions — upload a photo (or a face crop); detect faces and predict each (201), or
// point at the earlier upload of the same bytes (200, `duplicate_of`)
import { NextResponse } from "next/server";
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { readJson, readMultipart } from "@/lib/api/body";
import { AppError } from "@/lib/errors/app-error";
import { getDb } from "@/lib/db/client";
import { MAX_UPLOAD_BYTES } from "@/lib/images/decode";
import { processUpload } from "@/lib/uploads/process-upload";
import { StageTimes } from "@/lib/uploads/stage-times";
import { faceCropFlagSchema, predictionJsonSchema } from "@/lib/uploads/schemas";

const TOO_LARGE = `The image is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB.`;
// Multipart framing and the is_face_crop field add a little to the image itself.
const MAX_MULTIPART_BYTES = MAX_UPLOAD_BYTES + 64 * 1024;
// Base64 is 4 bytes for every 3, plus the JSON around it.
const MAX_BASE64_JSON_BYTES = Math.ceil((MAX_UPLOAD_BYTES * 4) / 3) + 64 * 1024;

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  POST: apiRoute({ permission: "predictions:create", body: "upload" }, async ({ req, principal }) => {
    const { bytes, isFaceCrop } = await readImage(req);
    const times = new StageTimes();
    const outcome = await processUpload(getDb(), principal.userId, bytes, { isFaceCrop, times });
    return NextResponse.json(outcome.result, {
      status: outcome.duplicate ? 200 : 201,
      headers: { "server-timing": times.header() },
    });
  }),
});

async function readImage(req: Request): Promise<{ bytes: Buffer; isFaceCrop: boolean }> {
  const type = req.headers.get("content-type") ?? "";
  if (type.startsWith("multipart/form-data")) {
    const form = await readMultipart(req, MAX_MULTIPART_BYTES, TOO_LARGE);
    const file = form.get("image");
    if (!(file instanceof Blob)) throw new AppError("bad_request", 'Send the photo in the multipart field "image".');
    const isFaceCrop = faceCropFlagSchema.parse(form.get("is_face_crop") ?? undefined);
    return { bytes: Buffer.from(await file.arrayBuffer()), isFaceCrop };
  }
  if (type.startsWith("application/json")) {
    const body = predictionJsonSchema.parse(await readJson(req, MAX_BASE64_JSON_BYTES));
    const base64 = body.image_base64.replace(/^data:[^;]+;base64,/, "");
    if (!/^[A-Za-z0-9+/=\s_-]+$/.test(base64)) throw new AppError("bad_request", "image_base64 is not base64.");
    return { bytes: Buffer.from(base64, "base64"), isFaceCrop: body.is_face_crop };
  }
  throw new AppError(
    "unsupported_media_type",
    'Send multipart/form-data with an "image" field, or JSON with "image_base64".',
  );
}
