-- The dashboard's label counts (GET /api/stats) as index-only scans instead of reading every row:
-- the active version's predictions per label, and the consensus of decided faces per label.
CREATE INDEX "Prediction_modelVersionId_label_idx" ON "Prediction"("modelVersionId", "label");
-- Partial (decided faces only), so Prisma's schema cannot express it: it lives here alone.
CREATE INDEX "FaceState_decided_consensusLabel_idx" ON "FaceState"("consensusLabel") WHERE "state" IN ('AGREED', 'ADJUDICATED');
