import { z } from "zod";
import { EMOTION_LABELS, type EmotionLabel } from "@/lib/model/labels";

/** The previous (Streamlit) tool's `feedback_log.csv` columns; the export writes them first. */
export const FEEDBACK_CSV_COLUMNS = [
  "timestamp",
  "predicted_emotion",
  "confidence",
  "corrected_emotion",
  "image_path",
] as const;
/** What the export adds after them; the import ignores these. */
export const EXPORT_EXTRA_COLUMNS = ["reviewer", "verdict", "model_version", "crop_sha256"] as const;
export const EXPORT_COLUMNS = [...FEEDBACK_CSV_COLUMNS, ...EXPORT_EXTRA_COLUMNS] as const;

export type FeedbackCsvColumn = (typeof FEEDBACK_CSV_COLUMNS)[number];

const ISO_LIKE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * A CSV timestamp as an instant: ISO 8601 / Python `isoformat()` / `str(datetime)` (date, or date
 * and time, optional fraction, optional zone), or Unix seconds. A time without a zone is read as
 * UTC, not the importing machine's zone, so the same file gives the same instants (and the same
 * import keys) wherever it is imported. Returns null for anything else, including impossible dates.
 */
export function parseTimestamp(raw: string): Date | null {
  const s = raw.trim();
  if (/^\d+(\.\d+)?$/.test(s)) {
    const d = new Date(Math.round(Number(s) * 1000));
    return Number.isFinite(d.getTime()) ? d : null;
  }
  const m = ISO_LIKE.exec(s);
  if (!m) return null;
  const [, y, mo, d, h = "0", mi = "0", sec = "0", frac = "", zone = "Z"] = m;
  const parts = [y, mo, d, h, mi, sec].map(Number) as [number, number, number, number, number, number];
  const [year, month, day, hour, minute, second] = parts;
  const ms = Math.floor(Number(`0.${frac || "0"}`) * 1000);
  const local = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(local);
  // Date.UTC rolls 2024-02-30 over into March; a date that does not survive the trip is invalid.
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second
  ) {
    return null;
  }
  return new Date(local - zoneOffsetMinutes(zone) * 60_000);
}

function zoneOffsetMinutes(zone: string): number {
  if (zone.toUpperCase() === "Z") return 0;
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || "0"));
}

/** An emotion label as the previous tool wrote it ("Happy", " sad ") → the app's label. */
export function matchEmotionLabel(raw: string): EmotionLabel | null {
  const l = raw.trim().toLowerCase();
  return (EMOTION_LABELS as readonly string[]).includes(l) ? (l as EmotionLabel) : null;
}

const emotion = z.string().transform((raw, ctx) => {
  const label = matchEmotionLabel(raw);
  if (!label) {
    ctx.addIssue({
      code: "custom",
      message: `unknown emotion "${raw.trim()}" (expected one of ${EMOTION_LABELS.join(", ")})`,
    });
    return z.NEVER;
  }
  return label;
});

/** One row of `feedback_log.csv` (values as strings, as the CSV reader gives them). */
export const feedbackRowSchema = z.object({
  timestamp: z.string().transform((raw, ctx) => {
    const at = parseTimestamp(raw);
    if (!at) {
      ctx.addIssue({ code: "custom", message: `unreadable timestamp "${raw.trim()}"` });
      return z.NEVER;
    }
    return at;
  }),
  predicted_emotion: emotion,
  confidence: z
    .string()
    .trim()
    .regex(/^(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/, "confidence is not a number")
    .transform(Number)
    .pipe(z.number().min(0, "confidence must be between 0 and 1").max(1, "confidence must be between 0 and 1")),
  corrected_emotion: emotion,
  image_path: z.string().trim().min(1, "image_path is empty"),
});
export type FeedbackRow = z.output<typeof feedbackRowSchema>;

/** Columns whose errors make a row count as "bad label" in the import summary. */
export const LABEL_COLUMNS: readonly string[] = ["predicted_emotion", "corrected_emotion"];

export const exportFormats = ["csv", "jsonl"] as const;
export type ExportFormat = (typeof exportFormats)[number];

/** GET /api/export/feedback.csv query. */
export const exportQuerySchema = z.object({
  format: z.enum(exportFormats).default("csv"),
});

/** The dataset export's columns after the previous tool's: what training elsewhere may want to filter on. */
export const DATASET_EXTRA_COLUMNS = [
  "face_id",
  "crop_sha256",
  "label_state",
  "support",
  "verdicts",
  "golden",
  "model_version",
  "upload_id",
  "flags",
] as const;
export const DATASET_COLUMNS = [...FEEDBACK_CSV_COLUMNS, ...DATASET_EXTRA_COLUMNS] as const;
