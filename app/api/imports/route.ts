// POST /api/imports — many photos or one zip, imported in the background (202); GET /api/imports — your recent imports
import { NextResponse } from "next/server";
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { readMultipartStream } from "@/lib/api/body";
import { AppError } from "@/lib/errors/app-error";
import { getDb } from "@/lib/db/client";
import { getDatabaseUrl } from "@/lib/db/url";
import { getProducer } from "@/lib/jobs/queue";
import { createImport } from "@/lib/imports/create-import";
import { listImports } from "@/lib/imports/read-imports";
import { MAX_IMPORT_BYTES } from "@/lib/imports/schemas";
import { faceCropFlagSchema } from "@/lib/uploads/schemas";

const TOO_LARGE = `The files together are larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB; send them in parts.`;

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  POST: apiRoute({ permission: "predictions:create", body: "upload" }, async ({ req, principal }) => {
    if (!(req.headers.get("content-type") ?? "").startsWith("multipart/form-data")) {
      throw new AppError("unsupported_media_type", 'Send multipart/form-data with the files in the field "file".');
    }
    const form = await readMultipartStream(req, MAX_IMPORT_BYTES + 1024 * 1024, TOO_LARGE);
    const isFaceCrop = faceCropFlagSchema.parse(form.get("is_face_crop") ?? undefined);
    const files = form.getAll("file").filter((f): f is File => f instanceof File);
    if (files.reduce((n, f) => n + f.size, 0) > MAX_IMPORT_BYTES) {
      throw new AppError("payload_too_large", TOO_LARGE, { max_bytes: MAX_IMPORT_BYTES });
    }
    const db = getDb();
    const created = await createImport(db, await getProducer(getDatabaseUrl()), principal.userId, files, {
      isFaceCrop,
    });
    return NextResponse.json({ import_id: created.id, status: "queued" }, { status: 202 });
  }),
  GET: apiRoute({ permission: "predictions:create" }, async ({ principal }) => {
    return NextResponse.json(await listImports(getDb(), principal.userId));
  }),
});
