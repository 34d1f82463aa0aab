import { z } from "zod";

/** POST /api/models/:id/activate; shared by the route and the confirmation dialog's form. */
export const activateBodySchema = z
  .object({ reason: z.string().trim().max(500, "Keep the reason under 500 characters").optional() })
  .strict();
export type ActivateBody = z.infer<typeof activateBodySchema>;
