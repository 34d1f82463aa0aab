-- What a training run learned from and validated on (reviewed and replayed faces), so its page can
-- say what the validation curve measured. Null for jobs from before, and for jobs that never trained.
ALTER TABLE "TrainingJob" ADD COLUMN "trainingSet" JSONB;
