import { z } from "zod";

/** POST /api/golden; shared by the route and the golden-set page. */
export const goldenChangeSchema = z
  .object({
    face_ids: z.array(z.coerce.number().int().positive()).min(1).max(10_000),
    golden: z.boolean(),
  })
  .strict();
export type GoldenChange = z.infer<typeof goldenChangeSchema>;
