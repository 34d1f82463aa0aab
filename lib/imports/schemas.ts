import { z } from "zod";
import { faceCropFlagSchema } from "@/lib/uploads/schemas";

/** Largest POST /api/imports body: all the files together, or one zip (100 MiB). */
export const MAX_IMPORT_BYTES = 100 * 1024 * 1024;
/** Most files in one import: photos sent together, or entries of one zip. */
export const MAX_IMPORT_FILES = 2000;
/** Per-file errors kept on an import; the count of processed files goes on past it. */
export const MAX_IMPORT_ERRORS = 1000;

/**
 * POST /api/imports as `multipart/form-data`: the field `file` repeated, once per photo (JPEG, PNG or
 * WebP, each up to 10 MB), or once with a zip; recognised by content, not by name or declared type.
 */
export const importFormSchema = z.object({
  file: z.file().meta({
    description:
      "A photo, repeated for each photo; or one zip of photos, or of the previous tool's " +
      "`feedback_log.csv` with its `feedback_images/` folder.",
  }),
  is_face_crop: faceCropFlagSchema,
});

/** What an import is, lowercased for the API. */
export const importStatuses = ["queued", "running", "done", "failed"] as const;
export type ImportStatusName = (typeof importStatuses)[number];

/** One file (or CSV row) that could not be imported, and why. */
export const importErrorSchema = z.object({ file: z.string(), message: z.string() });
export type ImportFileError = z.infer<typeof importErrorSchema>;

/** The files received, in processing order, as stored on the Import row. */
export const importSourcesSchema = z.array(
  z.object({ name: z.string(), file: z.string(), bytes: z.number().int().nonnegative() }),
);
export type ImportSources = z.infer<typeof importSourcesSchema>;
