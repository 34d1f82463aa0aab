-- Video files: uploaded, analysed in the background (frames sampled, faces followed and predicted).
CREATE TYPE "VideoStatus" AS ENUM ('QUEUED', 'RUNNING', 'DONE', 'FAILED', 'CANCELLED');

CREATE TABLE "Video" (
    "id" SERIAL NOT NULL,
    "userId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "bytes" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "filePath" TEXT,
    "fps" DOUBLE PRECISION NOT NULL,
    "targetEmotions" TEXT[],
    "status" "VideoStatus" NOT NULL DEFAULT 'QUEUED',
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "durationS" DOUBLE PRECISION,
    "width" INTEGER,
    "height" INTEGER,
    "framesSampled" INTEGER,
    "message" TEXT,
    "error" TEXT,
    "modelVersionId" INTEGER,
    "workerId" TEXT,
    "heartbeatAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Video_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "VideoTrack" (
    "id" SERIAL NOT NULL,
    "videoId" INTEGER NOT NULL,
    "trackNo" INTEGER NOT NULL,
    "frames" JSONB NOT NULL,

    CONSTRAINT "VideoTrack_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "Video_userId_createdAt_idx" ON "Video"("userId", "createdAt");
CREATE INDEX "Video_status_idx" ON "Video"("status");
CREATE UNIQUE INDEX "VideoTrack_videoId_trackNo_key" ON "VideoTrack"("videoId", "trackNo");

ALTER TABLE "Video" ADD CONSTRAINT "Video_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "VideoTrack" ADD CONSTRAINT "VideoTrack_videoId_fkey" FOREIGN KEY ("videoId") REFERENCES "Video"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A video frame sent to review is a normal upload that remembers where it came from.
ALTER TABLE "Upload" ADD COLUMN "videoId" INTEGER, ADD COLUMN "videoTimeS" DOUBLE PRECISION, ADD COLUMN "videoTrack" INTEGER;
CREATE INDEX "Upload_videoId_videoTrack_idx" ON "Upload"("videoId", "videoTrack");
ALTER TABLE "Upload" ADD CONSTRAINT "Upload_videoId_fkey" FOREIGN KEY ("videoId") REFERENCES "Video"("id") ON DELETE SET NULL ON UPDATE CASCADE;
