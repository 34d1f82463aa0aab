import { z } from "zod";

/** POST /api/models/:id/activate; shared by the route and the confirmation dialog's form. */
export const activateBodySchema = z
  .object({ reason: z.string().trim().max(500, "Keep the reason under 500 characters").optional() })
  .strict();
export type ActivateBody = z.infer<typeof activateBodySchema>;

/** GET /api/models/:id/files/:name: `v`, the version's checksum, makes the URL name the content (cached for good). */
export const modelFileQuerySchema = z.object({
  v: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "v is a version's checksum: 64 hex digits")
    .optional(),
});
