-- Noise flags follow the model in use. A face's `suspect` flag is judged with the active version's
-- own probabilities on it (FaceScore, written by the worker's face scorer), except where that
-- version, or a version it was fine-tuned from, trained on the face: there the flag keeps the
-- prediction the queue served, made before any verdict on the face, so held out from every version
-- that trained on it. "flagsVersionId" is the version the flags were judged for; the scorer works
-- through the faces with a consensus whose flags were judged for another.

-- One row per face and version: `kind` 'scored' (its probabilities, in the version's label order),
-- 'trained' (its lineage trained on the face's crop) or 'unreadable' (the crop file could not be
-- read; the served prediction stands in).
CREATE TABLE "FaceScore" (
    "faceId" INTEGER NOT NULL,
    "modelVersionId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "probabilities" DOUBLE PRECISION[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FaceScore_pkey" PRIMARY KEY ("faceId", "modelVersionId"),
    CONSTRAINT "FaceScore_kind_check" CHECK ("kind" IN ('scored', 'trained', 'unreadable')),
    CONSTRAINT "FaceScore_probabilities_check" CHECK (("kind" = 'scored') = ("probabilities" IS NOT NULL))
);
CREATE INDEX "FaceScore_modelVersionId_idx" ON "FaceScore"("modelVersionId");
ALTER TABLE "FaceScore" ADD CONSTRAINT "FaceScore_faceId_fkey" FOREIGN KEY ("faceId") REFERENCES "Face"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "FaceScore" ADD CONSTRAINT "FaceScore_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "FaceState" ADD COLUMN "flagsVersionId" INTEGER;
-- The scorer's work: faces with a consensus whose flags were judged for a version other than the
-- active one (only those can be suspect). The predicate's column is in other indexes already, so a
-- verdict's update of the row stays as HOT as it was.
CREATE INDEX "FaceState_flags_version_idx" ON "FaceState"("flagsVersionId") WHERE "consensusLabel" IS NOT NULL;

-- As before (20261130000000_consensus_queue), with the probabilities for the suspect flag taken
-- from the active version's score of the face when there is one.
CREATE OR REPLACE FUNCTION refresh_face_state(face_id INTEGER) RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
  st "FaceState"%ROWTYPE;
  labels_ranked TEXT[];
  counts_ranked BIGINT[];
  total INTEGER;
  adjudicated TEXT;
  is_golden BOOLEAN;
  probs DOUBLE PRECISION[];
  model_labels TEXT[];
  active_id INTEGER;
  score_kind TEXT;
  flags_version INTEGER;
  p_given DOUBLE PRECISION;
  p_other DOUBLE PRECISION;
  new_state "ReviewState";
  consensus TEXT;
  support_n INTEGER;
  is_suspect BOOLEAN := false;
  need INTEGER;
  second BOOLEAN;
BEGIN
  SELECT * INTO st FROM "FaceState" WHERE "faceId" = face_id FOR UPDATE;
  IF NOT FOUND THEN RETURN; END IF;

  SELECT array_agg(l ORDER BY c DESC, l), array_agg(c ORDER BY c DESC, l), COALESCE(sum(c), 0)
    INTO labels_ranked, counts_ranked, total
  FROM (
    SELECT CASE r."verdict"::text
             WHEN 'CORRECT' THEN p."label"
             WHEN 'INCORRECT' THEN COALESCE(r."correctedLabel", p."label")
             WHEN 'NOT_A_FACE' THEN 'not_a_face'
             ELSE 'unsure' END AS l,
           count(*) AS c
    FROM "Review" r JOIN "Prediction" p ON p."id" = r."predictionId"
    WHERE r."faceId" = face_id AND NOT r."control"
    GROUP BY 1
  ) AS votes;

  SELECT a."label" INTO adjudicated FROM "Adjudication" a WHERE a."faceId" = face_id;
  SELECT f."golden" INTO is_golden FROM "Face" f WHERE f."id" = face_id;

  -- The face's score by the active version, if the scorer has been there (one probe of the
  -- primary key: most faces have a score from no version or one).
  SELECT s."kind", s."probabilities", m."labels", m."id" INTO score_kind, probs, model_labels, active_id
    FROM "FaceScore" s JOIN "ModelVersion" m ON m."id" = s."modelVersionId"
    WHERE s."faceId" = face_id AND m."status" = 'ACTIVE'
    ORDER BY m."activatedAt" DESC NULLS LAST LIMIT 1;
  IF score_kind = 'scored' THEN
    flags_version := active_id;
  ELSE
    SELECT p."probabilities", m."labels", p."modelVersionId" INTO probs, model_labels, flags_version
    FROM "Prediction" p JOIN "ModelVersion" m ON m."id" = p."modelVersionId" WHERE p."id" = st."predictionId";
    -- Trained on or unreadable: judged for the active version with the held-out prediction.
    IF score_kind IS NOT NULL THEN flags_version := active_id; END IF;
  END IF;

  need := st."needed";
  second := st."secondLook";
  IF adjudicated IS NOT NULL THEN
    new_state := 'ADJUDICATED';
    consensus := adjudicated;
    support_n := COALESCE(counts_ranked[array_position(labels_ranked, adjudicated)], 0);
  ELSE
    IF total > 0 AND (array_length(counts_ranked, 1) = 1 OR counts_ranked[1] > counts_ranked[2]) THEN
      consensus := labels_ranked[1];
    END IF;
    support_n := COALESCE(counts_ranked[1], 0);
    IF consensus IS NOT NULL AND array_position(model_labels, consensus) IS NOT NULL THEN
      p_given := probs[array_position(model_labels, consensus)];
      SELECT max(v) INTO p_other FROM unnest(probs) WITH ORDINALITY AS x(v, i)
        WHERE i <> array_position(model_labels, consensus);
      is_suspect := p_given < 0.10 AND p_other >= 0.70;
    END IF;
    -- A suspect face goes back for one more verdict, once; the queue never serves it to the same reviewer.
    IF is_suspect AND NOT second AND total >= need AND NOT COALESCE(is_golden, false) THEN
      need := total + 1;
      second := true;
    END IF;
    IF total < need THEN
      new_state := 'OPEN';
    ELSIF consensus IS NOT NULL THEN
      new_state := 'AGREED';
    ELSE
      new_state := 'CONFLICT';
    END IF;
  END IF;

  UPDATE "FaceState" SET
    "needed" = need,
    "secondLook" = second,
    "verdicts" = total,
    "state" = new_state,
    "open" = new_state = 'OPEN' AND NOT COALESCE(is_golden, false),
    "consensusLabel" = consensus,
    "support" = support_n,
    "disputed" = COALESCE(array_length(labels_ranked, 1), 0) > 1,
    "suspect" = is_suspect,
    "flagsVersionId" = flags_version,
    "updatedAt" = now()
  WHERE "faceId" = face_id;
END
$$;
