// GET /api/export/feedback.csv — every verdict as CSV, or JSON lines with ?format=jsonl
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { getDb } from "@/lib/db/client";
import { exportContent, openFeedbackExport } from "@/lib/feedback-io/export-feedback";
import { exportQuerySchema } from "@/lib/feedback-io/schemas";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({
  GET: apiRoute({ permission: "export:read" }, async ({ req }) => {
    const { format } = exportQuerySchema.parse(Object.fromEntries(req.nextUrl.searchParams));
    const { contentType, fileName } = exportContent[format];
    return new Response(await openFeedbackExport(getDb(), format), {
      headers: {
        "content-type": contentType,
        "content-disposition": `attachment; filename=${fileName}`,
        "cache-control": "no-store",
      },
    });
  }),
});
