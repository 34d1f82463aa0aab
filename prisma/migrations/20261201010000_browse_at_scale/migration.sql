-- The dataset browser at a million faces: every filter and sort reads the review state's own table.

-- 1. The served prediction's label and confidence live beside its margin, so "predicted sad by
-- confidence" or "margin 0.2–0.3 by confidence" walk one index of one table instead of joining the
-- prediction of every face they pass.
ALTER TABLE "FaceState" ADD COLUMN "label" TEXT, ADD COLUMN "confidence" DOUBLE PRECISION;
UPDATE "FaceState" s SET "label" = p."label", "confidence" = p."confidence"
FROM "Prediction" p WHERE p."id" = s."predictionId";
ALTER TABLE "FaceState" ALTER COLUMN "label" SET NOT NULL, ALTER COLUMN "confidence" SET NOT NULL;
CREATE INDEX "FaceState_confidence_faceId_idx" ON "FaceState"("confidence", "faceId");
DROP INDEX "Prediction_confidence_id_idx";

-- 2. Rare states and flags, newest first and counted, from indexes of their own.
CREATE INDEX "FaceState_disputed_newest_idx" ON "FaceState"("predictedAt", "faceId") WHERE "disputed";
CREATE INDEX "FaceState_suspect_newest_idx" ON "FaceState"("predictedAt", "faceId") WHERE "suspect";
CREATE INDEX "FaceState_conflict_newest_idx" ON "FaceState"("predictedAt", "faceId") WHERE "state" = 'CONFLICT';

-- 3. A prediction that enters the queue brings its label and confidence.
CREATE OR REPLACE FUNCTION prediction_enters_queue() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
DECLARE
  replaced BOOLEAN;
BEGIN
  INSERT INTO "FaceState" ("faceId", "predictionId", "label", "confidence", "margin", "predictedAt", "shuffle", "needed")
  VALUES (NEW."faceId", NEW."id", NEW."label", NEW."confidence", NEW."margin", NEW."createdAt", random(),
          face_needed(NEW."faceId"))
  ON CONFLICT ("faceId") DO UPDATE SET
    "predictionId" = EXCLUDED."predictionId", "label" = EXCLUDED."label", "confidence" = EXCLUDED."confidence",
    "margin" = EXCLUDED."margin", "predictedAt" = EXCLUDED."predictedAt"
  WHERE "FaceState"."predictionId" < EXCLUDED."predictionId"
  RETURNING xmax <> 0 INTO replaced;
  IF replaced THEN PERFORM refresh_face_state(NEW."faceId"); END IF;
  RETURN NULL;
END
$$;
