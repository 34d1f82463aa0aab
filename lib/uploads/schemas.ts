import { z } from "zod";

/** `is_face_crop`: a JSON boolean, or the text a form field carries ("true", "1", "on", …). */
export const faceCropFlagSchema = z
  .union([z.boolean(), z.enum(["true", "false", "1", "0", "on", "off", ""])])
  .meta({ description: "Take the whole image as one face (a crop) instead of detecting faces in it.", default: false })
  .optional()
  .transform((v) => v === true || v === "true" || v === "1" || v === "on");

/** POST /api/predictions as JSON: the image as base64 (a `data:` URL prefix is allowed). */
export const predictionJsonSchema = z.object({
  image_base64: z.string().min(1, "image_base64 is empty"),
  is_face_crop: faceCropFlagSchema,
});

/**
 * POST /api/predictions as `multipart/form-data`: the photo in the field `image` (JPEG, PNG or
 * WebP, recognised by content, not by name or declared type), and optionally `is_face_crop`.
 */
export const predictionFormSchema = z.object({
  image: z.file(),
  is_face_crop: faceCropFlagSchema,
});
