-- 1. The label a verdict gives its face, in SQL: the same rule as verdictLabel (lib/dataset/verdict-label.ts)
-- for queries that read labels from many verdicts at once (agreement, data moves).
CREATE FUNCTION verdict_label(verdict "Verdict", corrected TEXT, predicted TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE verdict::text
           WHEN 'CORRECT' THEN predicted
           WHEN 'NOT_A_FACE' THEN 'not_a_face'
           WHEN 'UNSURE' THEN 'unsure'
           ELSE COALESCE(corrected, predicted) END
$$;

-- A new face's review state is what the column defaults say (open, no verdicts): recomputing it from
-- its (no) verdicts cost every upload a few queries for nothing. Only a newer prediction of a face
-- that already has a state is recomputed.
CREATE OR REPLACE FUNCTION prediction_enters_queue() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
DECLARE
  replaced BOOLEAN;
BEGIN
  INSERT INTO "FaceState" ("faceId", "predictionId", "margin", "predictedAt", "shuffle", "needed")
  VALUES (NEW."faceId", NEW."id", NEW."margin", NEW."createdAt", random(), face_needed(NEW."faceId"))
  ON CONFLICT ("faceId") DO UPDATE SET
    "predictionId" = EXCLUDED."predictionId", "margin" = EXCLUDED."margin", "predictedAt" = EXCLUDED."predictedAt"
  WHERE "FaceState"."predictionId" < EXCLUDED."predictionId"
  RETURNING xmax <> 0 INTO replaced;
  IF replaced THEN PERFORM refresh_face_state(NEW."faceId"); END IF;
  RETURN NULL;
END
$$;
