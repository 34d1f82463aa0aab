-- A reviewer's first verdict on a face in one statement (POST /api/reviews): the prediction and its
-- labels, the lease check under the face's row lock, the insert and the lease's release took six
-- round trips from the app. It stores only a first verdict; when the reviewer already judged the face
-- (a repeat, or a change of mind) it stores nothing and answers 'judged', and the app takes its
-- general path. Outcomes: 'created', 'judged', 'no_prediction', 'bad_label' (with the model's labels
-- and its prediction, for the message), 'claimed_by_another' (with the lease's end).
CREATE FUNCTION record_first_verdict(
  prediction_id INTEGER, reviewer_id INTEGER, verdict_in "Verdict", corrected_in TEXT, note_in TEXT
) RETURNS TABLE (
  outcome TEXT, labels TEXT[], predicted TEXT, claim_until TIMESTAMP(3),
  review_id INTEGER, face_id INTEGER, control BOOLEAN, duration_ms INTEGER, created_at TIMESTAMP(3),
  updated_at TIMESTAMP(3)
)
LANGUAGE plpgsql AS $$
DECLARE
  pred_face INTEGER;
  pred_label TEXT;
  model_labels TEXT[];
  claimed_by INTEGER;
  claimed_until TIMESTAMP(3);
  held_ms INTEGER;
  is_golden BOOLEAN;
  mine BOOLEAN;
  r "Review"%ROWTYPE;
BEGIN
  SELECT p."faceId", p."label", m."labels" INTO pred_face, pred_label, model_labels
  FROM "Prediction" p JOIN "ModelVersion" m ON m."id" = p."modelVersionId"
  WHERE p."id" = prediction_id;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'no_prediction', NULL::TEXT[], NULL::TEXT, NULL::TIMESTAMP(3), NULL::INTEGER,
      NULL::INTEGER, NULL::BOOLEAN, NULL::INTEGER, NULL::TIMESTAMP(3), NULL::TIMESTAMP(3);
    RETURN;
  END IF;
  IF verdict_in = 'INCORRECT'
     AND (corrected_in IS NULL OR NOT (corrected_in = ANY (model_labels)) OR corrected_in = pred_label) THEN
    RETURN QUERY SELECT 'bad_label', model_labels, pred_label, NULL::TIMESTAMP(3), NULL::INTEGER,
      NULL::INTEGER, NULL::BOOLEAN, NULL::INTEGER, NULL::TIMESTAMP(3), NULL::TIMESTAMP(3);
    RETURN;
  END IF;

  -- The row lock orders this verdict after any claim being taken on the same face.
  SELECT s."claimedById", s."claimExpiresAt", (extract(epoch FROM (now() - s."claimedAt")) * 1000)::INTEGER,
         f."golden"
    INTO claimed_by, claimed_until, held_ms, is_golden
  FROM "FaceState" s JOIN "Face" f ON f."id" = s."faceId"
  WHERE s."faceId" = pred_face FOR UPDATE OF s;

  IF EXISTS (SELECT 1 FROM "Review" x WHERE x."faceId" = pred_face AND x."reviewerId" = reviewer_id) THEN
    RETURN QUERY SELECT 'judged', NULL::TEXT[], NULL::TEXT, NULL::TIMESTAMP(3), NULL::INTEGER,
      NULL::INTEGER, NULL::BOOLEAN, NULL::INTEGER, NULL::TIMESTAMP(3), NULL::TIMESTAMP(3);
    RETURN;
  END IF;
  IF claimed_by IS NOT NULL AND claimed_by <> reviewer_id AND claimed_until > now() THEN
    RETURN QUERY SELECT 'claimed_by_another', NULL::TEXT[], NULL::TEXT, claimed_until, NULL::INTEGER,
      NULL::INTEGER, NULL::BOOLEAN, NULL::INTEGER, NULL::TIMESTAMP(3), NULL::TIMESTAMP(3);
    RETURN;
  END IF;
  mine := claimed_by IS NOT NULL AND claimed_by = reviewer_id;

  INSERT INTO "Review" ("predictionId", "faceId", "reviewerId", "verdict", "correctedLabel", "note", "control",
                        "durationMs", "createdAt", "updatedAt")
  VALUES (prediction_id, pred_face, reviewer_id, verdict_in,
          CASE WHEN verdict_in = 'INCORRECT' THEN corrected_in END, note_in, COALESCE(is_golden, false),
          CASE WHEN mine AND held_ms IS NOT NULL THEN greatest(0, held_ms) END,
          -- In UTC, as the app writes its own times, whatever the server's time zone.
          now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
  ON CONFLICT DO NOTHING
  RETURNING * INTO r;
  IF NOT FOUND THEN
    -- The same reviewer's other request stored a verdict on this face first.
    RETURN QUERY SELECT 'judged', NULL::TEXT[], NULL::TEXT, NULL::TIMESTAMP(3), NULL::INTEGER,
      NULL::INTEGER, NULL::BOOLEAN, NULL::INTEGER, NULL::TIMESTAMP(3), NULL::TIMESTAMP(3);
    RETURN;
  END IF;
  IF mine THEN
    UPDATE "FaceState" SET "claimedById" = NULL, "claimedAt" = NULL, "claimExpiresAt" = NULL
    WHERE "faceId" = pred_face AND "claimedById" = reviewer_id;
  END IF;
  RETURN QUERY SELECT 'created', NULL::TEXT[], NULL::TEXT, NULL::TIMESTAMP(3), r."id", r."faceId", r."control",
    r."durationMs", r."createdAt", r."updatedAt";
END
$$;
