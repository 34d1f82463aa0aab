-- The dataset browser's sorts, each walked by an index with the face id as tie-breaker, so a page
-- deep into a million faces costs what the first does.
CREATE INDEX "FaceState_predictedAt_faceId_idx" ON "FaceState"("predictedAt", "faceId");
CREATE INDEX "FaceState_margin_faceId_idx" ON "FaceState"("margin", "faceId");
CREATE INDEX "Prediction_confidence_id_idx" ON "Prediction"("confidence", "id");

-- Bulk "exclude from training" (with a reason) and "include again".
ALTER TABLE "Face" ADD COLUMN "excludedAt" TIMESTAMP(3), ADD COLUMN "excludedReason" TEXT, ADD COLUMN "excludedById" INTEGER;
ALTER TABLE "Face" ADD CONSTRAINT "Face_excludedById_fkey" FOREIGN KEY ("excludedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
