-- The dataset browser's sorts, each walked by an index with the face id as tie-breaker, so a page
-- deep into a million faces costs what the first does.
CREATE INDEX "FaceState_predictedAt_faceId_idx" ON "FaceState"("predictedAt", "faceId");
CREATE INDEX "FaceState_margin_faceId_idx" ON "FaceState"("margin", "faceId");
CREATE INDEX "Prediction_confidence_id_idx" ON "Prediction"("confidence", "id");
