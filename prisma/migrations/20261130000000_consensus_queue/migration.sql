-- Consensus and a queue that stays fast: overlap (several verdicts per face), control faces,
-- "not a face" / "can't tell" verdicts, adjudication, and a per-face review state kept by triggers.

-- AlterEnum (the new values are compared as text below: a value added in this transaction cannot be used as the enum yet)
ALTER TYPE "Verdict" ADD VALUE 'NOT_A_FACE';
ALTER TYPE "Verdict" ADD VALUE 'UNSURE';

-- CreateEnum
CREATE TYPE "ReviewState" AS ENUM ('OPEN', 'AGREED', 'CONFLICT', 'ADJUDICATED');

-- The claim moves from the prediction to the face's review state.
ALTER TABLE "Prediction" DROP CONSTRAINT "Prediction_claimedById_fkey";
ALTER TABLE "Prediction" DROP COLUMN "claimedById", DROP COLUMN "claimExpiresAt";
DROP INDEX "Prediction_margin_idx";

-- AlterTable
ALTER TABLE "Face" ADD COLUMN "goldenLabel" TEXT;

-- AlterTable: each verdict names its face; a reviewer judges a face once (their last verdict counts).
ALTER TABLE "Review" ADD COLUMN "faceId" INTEGER,
  ADD COLUMN "control" BOOLEAN NOT NULL DEFAULT false,
  ADD COLUMN "durationMs" INTEGER;
UPDATE "Review" r SET "faceId" = p."faceId" FROM "Prediction" p WHERE p."id" = r."predictionId";
DELETE FROM "Review" r USING "Review" newer
  WHERE newer."faceId" = r."faceId" AND newer."reviewerId" = r."reviewerId"
    AND (newer."updatedAt", newer."id") > (r."updatedAt", r."id");
ALTER TABLE "Review" ALTER COLUMN "faceId" SET NOT NULL;
CREATE UNIQUE INDEX "Review_faceId_reviewerId_key" ON "Review"("faceId", "reviewerId");
ALTER TABLE "Review" ADD CONSTRAINT "Review_faceId_fkey" FOREIGN KEY ("faceId") REFERENCES "Face"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateTable
CREATE TABLE "FaceState" (
    "faceId" INTEGER NOT NULL,
    "predictionId" INTEGER NOT NULL,
    "margin" DOUBLE PRECISION NOT NULL,
    "predictedAt" TIMESTAMP(3) NOT NULL,
    "shuffle" DOUBLE PRECISION NOT NULL,
    "needed" INTEGER NOT NULL,
    "verdicts" INTEGER NOT NULL DEFAULT 0,
    "open" BOOLEAN NOT NULL DEFAULT true,
    "state" "ReviewState" NOT NULL DEFAULT 'OPEN',
    "consensusLabel" TEXT,
    "support" INTEGER NOT NULL DEFAULT 0,
    "disputed" BOOLEAN NOT NULL DEFAULT false,
    "suspect" BOOLEAN NOT NULL DEFAULT false,
    "secondLook" BOOLEAN NOT NULL DEFAULT false,
    "claimedById" INTEGER,
    "claimedAt" TIMESTAMP(3),
    "claimExpiresAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FaceState_pkey" PRIMARY KEY ("faceId")
);
CREATE UNIQUE INDEX "FaceState_predictionId_key" ON "FaceState"("predictionId");
CREATE INDEX "FaceState_state_idx" ON "FaceState"("state");
ALTER TABLE "FaceState" ADD CONSTRAINT "FaceState_faceId_fkey" FOREIGN KEY ("faceId") REFERENCES "Face"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "FaceState" ADD CONSTRAINT "FaceState_predictionId_fkey" FOREIGN KEY ("predictionId") REFERENCES "Prediction"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "FaceState" ADD CONSTRAINT "FaceState_claimedById_fkey" FOREIGN KEY ("claimedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- The queue's orders read only open faces (partial indexes: Prisma's schema cannot express them,
-- so they live here alone).
CREATE INDEX "FaceState_open_margin_idx" ON "FaceState"("margin", "faceId") WHERE "open";
CREATE INDEX "FaceState_open_newest_idx" ON "FaceState"("predictedAt" DESC, "faceId" DESC) WHERE "open";
CREATE INDEX "FaceState_open_shuffle_idx" ON "FaceState"("shuffle", "faceId") WHERE "open";
CREATE INDEX "FaceState_open_suspect_idx" ON "FaceState"("margin", "faceId") WHERE "open" AND "suspect";
CREATE INDEX "FaceState_conflict_idx" ON "FaceState"("faceId") WHERE "state" = 'CONFLICT';
CREATE INDEX "Face_golden_idx" ON "Face"("id") WHERE "golden";

-- CreateTable
CREATE TABLE "QueueTally" (
    "shard" INTEGER NOT NULL,
    "openFaces" INTEGER NOT NULL DEFAULT 0,
    "verdictsNeeded" INTEGER NOT NULL DEFAULT 0,
    "conflicts" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "QueueTally_pkey" PRIMARY KEY ("shard")
);

-- CreateTable
CREATE TABLE "ReviewSettings" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "verdictsPerFace" INTEGER NOT NULL DEFAULT 1,
    "extraReviewShare" DOUBLE PRECISION NOT NULL DEFAULT 0.1,
    "controlShare" DOUBLE PRECISION NOT NULL DEFAULT 0.05,
    "controlMinAccuracy" DOUBLE PRECISION,
    "controlMinAnswers" INTEGER NOT NULL DEFAULT 20,
    "seed" TEXT NOT NULL DEFAULT 'emotion-loop',
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedById" INTEGER,

    CONSTRAINT "ReviewSettings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Adjudication" (
    "id" SERIAL NOT NULL,
    "faceId" INTEGER NOT NULL,
    "label" TEXT NOT NULL,
    "note" TEXT,
    "adjudicatorId" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Adjudication_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Adjudication_faceId_key" ON "Adjudication"("faceId");
ALTER TABLE "Adjudication" ADD CONSTRAINT "Adjudication_faceId_fkey" FOREIGN KEY ("faceId") REFERENCES "Face"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Adjudication" ADD CONSTRAINT "Adjudication_adjudicatorId_fkey" FOREIGN KEY ("adjudicatorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- A number in [0, 1) from a seed and a face id: the same faces get the extra verdict for the same seed.
CREATE FUNCTION review_share_key(seed TEXT, face_id INTEGER) RETURNS DOUBLE PRECISION
LANGUAGE sql IMMUTABLE AS $$
  SELECT ('x' || substr(md5(seed || ':' || face_id), 1, 8))::bit(32)::bigint / 4294967296.0
$$;

-- Verdicts a face needs under the current settings (defaults when no settings row exists).
CREATE FUNCTION face_needed(face_id INTEGER) RETURNS INTEGER
LANGUAGE sql STABLE AS $$
  SELECT COALESCE(s."verdictsPerFace", 1)
       + CASE WHEN review_share_key(COALESCE(s."seed", 'emotion-loop'), face_id) < COALESCE(s."extraReviewShare", 0.1)
              THEN 1 ELSE 0 END
  FROM (SELECT 1) AS one LEFT JOIN "ReviewSettings" s ON s."id" = 1
$$;

-- Recomputes one face's review state from its verdicts, adjudication and golden flag. It locks the
-- state row first, so two verdicts on one face are counted one after the other, each seeing the other.
-- Suspect: the prediction the queue served (made before any verdict on the face, so never trained on
-- it) gives the consensus label under 0.10 while another label has 0.70 or more.
CREATE FUNCTION refresh_face_state(face_id INTEGER) RETURNS VOID
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
  SELECT p."probabilities", m."labels" INTO probs, model_labels
  FROM "Prediction" p JOIN "ModelVersion" m ON m."id" = p."modelVersionId" WHERE p."id" = st."predictionId";

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
    "updatedAt" = now()
  WHERE "faceId" = face_id;
END
$$;

-- A new prediction puts its face in the queue (or becomes the face's served prediction).
CREATE FUNCTION prediction_enters_queue() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "FaceState" ("faceId", "predictionId", "margin", "predictedAt", "shuffle", "needed")
  VALUES (NEW."faceId", NEW."id", NEW."margin", NEW."createdAt", random(), face_needed(NEW."faceId"))
  ON CONFLICT ("faceId") DO UPDATE SET
    "predictionId" = EXCLUDED."predictionId", "margin" = EXCLUDED."margin", "predictedAt" = EXCLUDED."predictedAt"
  WHERE "FaceState"."predictionId" < EXCLUDED."predictionId";
  PERFORM refresh_face_state(NEW."faceId");
  RETURN NULL;
END
$$;
CREATE TRIGGER "Prediction_enters_queue" AFTER INSERT ON "Prediction"
  FOR EACH ROW EXECUTE FUNCTION prediction_enters_queue();

CREATE FUNCTION review_refreshes_face() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM refresh_face_state(OLD."faceId"); END IF;
  IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW."faceId" <> OLD."faceId") THEN
    PERFORM refresh_face_state(NEW."faceId");
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER "Review_refreshes_face" AFTER INSERT OR UPDATE OR DELETE ON "Review"
  FOR EACH ROW EXECUTE FUNCTION review_refreshes_face();
CREATE TRIGGER "Adjudication_refreshes_face" AFTER INSERT OR UPDATE OR DELETE ON "Adjudication"
  FOR EACH ROW EXECUTE FUNCTION review_refreshes_face();

CREATE FUNCTION golden_refreshes_face() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_face_state(NEW."id");
  RETURN NULL;
END
$$;
CREATE TRIGGER "Face_golden_refreshes_face" AFTER UPDATE OF "golden" ON "Face"
  FOR EACH ROW WHEN (OLD."golden" IS DISTINCT FROM NEW."golden") EXECUTE FUNCTION golden_refreshes_face();

-- QueueTally follows FaceState: one statement-level trigger per event adds the difference the
-- statement made, per shard, and writes nothing when nothing counted changed (a claim, say).
CREATE FUNCTION face_state_tally() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "QueueTally" AS t ("shard", "openFaces", "verdictsNeeded", "conflicts")
    SELECT "faceId" % 16, count(*) FILTER (WHERE "open"),
           COALESCE(sum(GREATEST("needed" - "verdicts", 0)) FILTER (WHERE "open"), 0),
           count(*) FILTER (WHERE "state" = 'CONFLICT')
    FROM new_rows GROUP BY 1
    ON CONFLICT ("shard") DO UPDATE SET "openFaces" = t."openFaces" + EXCLUDED."openFaces",
      "verdictsNeeded" = t."verdictsNeeded" + EXCLUDED."verdictsNeeded", "conflicts" = t."conflicts" + EXCLUDED."conflicts";
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "QueueTally" AS t ("shard", "openFaces", "verdictsNeeded", "conflicts")
    SELECT "faceId" % 16, -count(*) FILTER (WHERE "open"),
           -COALESCE(sum(GREATEST("needed" - "verdicts", 0)) FILTER (WHERE "open"), 0),
           -count(*) FILTER (WHERE "state" = 'CONFLICT')
    FROM old_rows GROUP BY 1
    ON CONFLICT ("shard") DO UPDATE SET "openFaces" = t."openFaces" + EXCLUDED."openFaces",
      "verdictsNeeded" = t."verdictsNeeded" + EXCLUDED."verdictsNeeded", "conflicts" = t."conflicts" + EXCLUDED."conflicts";
  ELSE
    INSERT INTO "QueueTally" AS t ("shard", "openFaces", "verdictsNeeded", "conflicts")
    SELECT shard, sum(o), sum(v), sum(c) FROM (
      SELECT "faceId" % 16 AS shard, CASE WHEN "open" THEN 1 ELSE 0 END AS o,
             CASE WHEN "open" THEN GREATEST("needed" - "verdicts", 0) ELSE 0 END AS v,
             CASE WHEN "state" = 'CONFLICT' THEN 1 ELSE 0 END AS c
      FROM new_rows
      UNION ALL
      SELECT "faceId" % 16, CASE WHEN "open" THEN -1 ELSE 0 END,
             CASE WHEN "open" THEN -GREATEST("needed" - "verdicts", 0) ELSE 0 END,
             CASE WHEN "state" = 'CONFLICT' THEN -1 ELSE 0 END
      FROM old_rows
    ) AS d GROUP BY shard HAVING sum(o) <> 0 OR sum(v) <> 0 OR sum(c) <> 0
    ON CONFLICT ("shard") DO UPDATE SET "openFaces" = t."openFaces" + EXCLUDED."openFaces",
      "verdictsNeeded" = t."verdictsNeeded" + EXCLUDED."verdictsNeeded", "conflicts" = t."conflicts" + EXCLUDED."conflicts";
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER "FaceState_tally_insert" AFTER INSERT ON "FaceState"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION face_state_tally();
CREATE TRIGGER "FaceState_tally_update" AFTER UPDATE ON "FaceState"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION face_state_tally();
CREATE TRIGGER "FaceState_tally_delete" AFTER DELETE ON "FaceState"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION face_state_tally();
-- TRUNCATE fires no row or transition triggers: it empties the tally with it.
CREATE FUNCTION face_state_truncated() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "QueueTally";
  RETURN NULL;
END
$$;
CREATE TRIGGER "FaceState_tally_truncate" AFTER TRUNCATE ON "FaceState"
  FOR EACH STATEMENT EXECUTE FUNCTION face_state_truncated();

-- Existing faces: reviewed ones keep the verdicts they have (done as they were); unreviewed ones need
-- what the settings ask. The golden label is the face's latest verdict, as it was shown before.
INSERT INTO "FaceState" ("faceId", "predictionId", "margin", "predictedAt", "shuffle", "needed")
SELECT DISTINCT ON (p."faceId") p."faceId", p."id", p."margin", p."createdAt", random(),
       CASE WHEN EXISTS (SELECT 1 FROM "Review" r WHERE r."faceId" = p."faceId")
            THEN (SELECT count(*) FROM "Review" r WHERE r."faceId" = p."faceId")::int
            ELSE face_needed(p."faceId") END
FROM "Prediction" p ORDER BY p."faceId", p."id" DESC;
SELECT refresh_face_state("faceId") FROM "FaceState" WHERE "verdicts" = 0 AND EXISTS (SELECT 1 FROM "Review" r WHERE r."faceId" = "FaceState"."faceId");
UPDATE "Face" f SET "goldenLabel" = (
  SELECT CASE r."verdict"::text WHEN 'CORRECT' THEN p."label" ELSE COALESCE(r."correctedLabel", p."label") END
  FROM "Review" r JOIN "Prediction" p ON p."id" = r."predictionId"
  WHERE r."faceId" = f."id" ORDER BY r."updatedAt" DESC, r."id" DESC LIMIT 1)
WHERE f."golden";

-- A verdict written without its face (an older writer, a data move) takes its prediction's.
CREATE FUNCTION review_fills_face() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."faceId" IS NULL THEN
    SELECT p."faceId" INTO NEW."faceId" FROM "Prediction" p WHERE p."id" = NEW."predictionId";
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER "Review_fills_face" BEFORE INSERT ON "Review"
  FOR EACH ROW EXECUTE FUNCTION review_fills_face();
