-- The locks an upload takes before it writes its content files and rows, in one round trip: the
-- upload's content hash (when the same bytes must not be stored twice), then each content file it
-- will write, in name order (two uploads that share files lock them in the same order). Another
-- upload that would write or rely on one of those files waits until this transaction ends, so an
-- upload that fails can remove the files it created before anyone has relied on them. Returns the
-- earlier upload of the same bytes taken the same way, read after the locks (a fresh snapshot), or
-- NULL. The lock keys are the app's (lib/db/advisory-locks.ts).
CREATE FUNCTION lock_upload(
  content_key INTEGER, content_sha TEXT, face_crop BOOLEAN, file_key INTEGER, files TEXT[]
) RETURNS INTEGER
LANGUAGE plpgsql AS $$
DECLARE
  f TEXT;
  earlier INTEGER;
BEGIN
  IF content_sha IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(content_key, hashtext(content_sha));
  END IF;
  FOR f IN SELECT DISTINCT x FROM unnest(files) AS x ORDER BY x LOOP
    PERFORM pg_advisory_xact_lock(file_key, hashtext(f));
  END LOOP;
  IF content_sha IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT u."id" INTO earlier FROM "Upload" u
  WHERE u."sha256" = content_sha AND u."isFaceCrop" = face_crop
  ORDER BY u."id" LIMIT 1;
  RETURN earlier;
END
$$;
