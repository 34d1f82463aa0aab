import { z } from "zod";
import { idSchema, queryCountSchema, queryIdSchema } from "@/lib/ids/ids";

/** POST /api/golden; shared by the route and the golden-set page. */
export const goldenChangeSchema = z
  .object({
    face_ids: z.array(idSchema).min(1).max(10_000),
    golden: z.boolean(),
  })
  .strict();
export type GoldenChange = z.infer<typeof goldenChangeSchema>;

/** GET /api/golden query: a page of the golden set, newest first. */
export const goldenPageSchema = z.object({
  limit: queryCountSchema(1, 1000).optional(),
  before: queryIdSchema.optional(),
});
