import { z } from "zod";
import { EMOTION_LABELS } from "@/lib/model/labels";

export const MIN_VIDEO_FPS = 0.1;
export const MAX_VIDEO_FPS = 10;
export const DEFAULT_VIDEO_FPS = 2;

/** `fps`: frames sampled per second of video, as the text a form field carries. */
export const videoFpsSchema = z
  .string()
  .meta({
    description: `Frames sampled per second of video, ${MIN_VIDEO_FPS} to ${MAX_VIDEO_FPS}.`,
    default: DEFAULT_VIDEO_FPS,
  })
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === "") return DEFAULT_VIDEO_FPS;
    const n = Number(v.trim());
    if (!Number.isFinite(n) || n < MIN_VIDEO_FPS || n > MAX_VIDEO_FPS) {
      ctx.addIssue({ code: "custom", message: `fps must be a number from ${MIN_VIDEO_FPS} to ${MAX_VIDEO_FPS}` });
      return z.NEVER;
    }
    return n;
  });

/**
 * `target_emotions`: emotions whose stretches are listed as segments; a comma-separated list, the
 * field repeated, or both. Each must be one of the model's seven labels; duplicates are dropped.
 */
export const targetEmotionsSchema = z
  .union([z.string(), z.array(z.string())])
  .meta({ description: `Comma-separated, or the field repeated: any of ${EMOTION_LABELS.join(", ")}.` })
  .optional()
  .transform((v, ctx) => {
    const parts = (v === undefined ? [] : Array.isArray(v) ? v : [v])
      .flatMap((s) => s.split(","))
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
    const unknown = parts.filter((p) => !(EMOTION_LABELS as readonly string[]).includes(p));
    if (unknown.length) {
      ctx.addIssue({
        code: "custom",
        message: `target_emotions: ${unknown.join(", ")} is not one of ${EMOTION_LABELS.join(", ")}`,
      });
      return z.NEVER;
    }
    return [...new Set(parts)];
  });

/**
 * POST /api/videos as `multipart/form-data`: the file in `video` (MP4, MOV or WebM, recognised by
 * content), optionally `fps` and `target_emotions`.
 */
export const videoFormSchema = z.object({
  video: z.file(),
  fps: videoFpsSchema,
  target_emotions: targetEmotionsSchema,
});

/** POST /api/videos/:id/tracks/:track_id/review */
export const trackReviewSchema = z
  .object({
    count: z
      .number()
      .int()
      .min(1)
      .max(20)
      .default(5)
      .describe("How many of the track's most uncertain frames (smallest margin between the top two labels) to send."),
  })
  .strict();
