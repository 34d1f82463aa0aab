-- The label a verdict gives its face, in SQL: the same rule as verdictLabel (lib/dataset/verdict-label.ts)
-- for queries that read labels from many verdicts at once (agreement, data moves).
CREATE FUNCTION verdict_label(verdict "Verdict", corrected TEXT, predicted TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE verdict::text
           WHEN 'CORRECT' THEN predicted
           WHEN 'NOT_A_FACE' THEN 'not_a_face'
           WHEN 'UNSURE' THEN 'unsure'
           ELSE COALESCE(corrected, predicted) END
$$;
