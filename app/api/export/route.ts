// GET /api/export?format=csv|jsonl|imagefolder&<filters> — the labelled dataset for training elsewhere, streamed
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { getDb } from "@/lib/db/client";
import { datasetExportQuerySchema } from "@/lib/dataset/schemas";
import { datasetContent, openDatasetExport } from "@/lib/feedback-io/export-dataset";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  GET: apiRoute({ permission: "export:read" }, async ({ req }) => {
    const { format, ...filter } = datasetExportQuerySchema.parse(Object.fromEntries(req.nextUrl.searchParams));
    const { contentType, fileName } = datasetContent[format];
    const body = await openDatasetExport(getDb(), format, { ...filter, sort: "newest", limit: 50 });
    return new Response(body, {
      headers: {
        "content-type": contentType,
        "content-disposition": `attachment; filename=${fileName}`,
        "cache-control": "no-store",
      },
    });
  }),
});
