import "server-only";
import type { Db } from "@/lib/db/client";
import { VERDICT_API_NAMES, verdictLabel, type VerdictApiName } from "@/lib/dataset/verdict-label";
import { csvLine } from "@/lib/feedback-io/csv";
import { openTextPageStream } from "@/lib/feedback-io/page-stream";
import { EXPORT_COLUMNS, type ExportFormat } from "@/lib/feedback-io/schemas";

/** One verdict as exported: the previous tool's columns first, so the file imports back. */
export interface FeedbackRecord {
  /** When the verdict was given (ISO 8601, UTC). */
  timestamp: string;
  predicted_emotion: string;
  confidence: number;
  /** The corrected label, or the predicted one for a confirmed face. */
  corrected_emotion: string;
  /** The crop, relative to FEEDBACK_IMAGES_DIR. */
  image_path: string;
  /** The reviewer's e-mail. */
  reviewer: string;
  verdict: VerdictApiName;
  model_version: number;
  crop_sha256: string;
}

export const exportContent: Record<ExportFormat, { contentType: string; fileName: string }> = {
  csv: { contentType: "text/csv; charset=utf-8", fileName: "feedback.csv" },
  jsonl: { contentType: "application/x-ndjson", fileName: "feedback.jsonl" },
};

const DEFAULT_PAGE_SIZE = 500;

/**
 * Every verdict, oldest first, a page at a time. Keyset paging on the review id: each page is one
 * indexed range query, however deep into the table, and rows written during the export are
 * neither skipped nor repeated among those before it.
 */
export async function* feedbackRecordPages(db: Db, opts: { pageSize?: number } = {}): AsyncGenerator<FeedbackRecord[]> {
  const take = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  let after = 0;
  for (;;) {
    const rows = await db.review.findMany({
      where: { id: { gt: after } },
      orderBy: { id: "asc" },
      take,
      select: {
        id: true,
        verdict: true,
        correctedLabel: true,
        createdAt: true,
        reviewer: { select: { email: true } },
        prediction: {
          select: {
            label: true,
            confidence: true,
            modelVersion: { select: { version: true } },
            face: { select: { cropPath: true, cropSha256: true } },
          },
        },
      },
    });
    if (rows.length === 0) return;
    yield rows.map((r) => ({
      timestamp: r.createdAt.toISOString(),
      predicted_emotion: r.prediction.label,
      confidence: r.prediction.confidence,
      corrected_emotion: verdictLabel(r, r.prediction.label),
      image_path: r.prediction.face.cropPath,
      reviewer: r.reviewer.email,
      verdict: VERDICT_API_NAMES[r.verdict],
      model_version: r.prediction.modelVersion.version,
      crop_sha256: r.prediction.face.cropSha256,
    }));
    if (rows.length < take) return;
    after = rows[rows.length - 1]?.id ?? after;
  }
}

function formatPage(format: ExportFormat, records: FeedbackRecord[]): string {
  if (format === "jsonl") return records.map((r) => JSON.stringify(r) + "\n").join("");
  return records.map((r) => csvLine(EXPORT_COLUMNS.map((c) => r[c]))).join("");
}

/** The export as a byte stream, a page at a time (see openTextPageStream). */
export function openFeedbackExport(
  db: Db,
  format: ExportFormat,
  opts: { pageSize?: number } = {},
): Promise<ReadableStream<Uint8Array>> {
  return openTextPageStream(feedbackRecordPages(db, opts), {
    header: format === "csv" ? csvLine(EXPORT_COLUMNS) : "",
    render: (records) => formatPage(format, records),
    name: "feedback",
  });
}
