-- Bulk imports: many photos, a zip of photos, or a zip in the previous tool's layout, processed by
-- a worker from a spool folder (see the Import model).
CREATE TYPE "ImportStatus" AS ENUM ('QUEUED', 'RUNNING', 'DONE', 'FAILED');

CREATE TABLE "Import" (
    "id" SERIAL NOT NULL,
    "userId" INTEGER NOT NULL,
    "status" "ImportStatus" NOT NULL DEFAULT 'QUEUED',
    "kind" TEXT NOT NULL,
    "isFaceCrop" BOOLEAN NOT NULL DEFAULT false,
    "sources" JSONB NOT NULL,
    "spoolDir" TEXT NOT NULL,
    "total" INTEGER NOT NULL DEFAULT 0,
    "processed" INTEGER NOT NULL DEFAULT 0,
    "faces" INTEGER NOT NULL DEFAULT 0,
    "duplicates" INTEGER NOT NULL DEFAULT 0,
    "errors" JSONB NOT NULL DEFAULT '[]',
    "error" TEXT,
    "workerId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "heartbeatAt" TIMESTAMP(3),

    CONSTRAINT "Import_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "Import_userId_createdAt_idx" ON "Import"("userId", "createdAt");
CREATE INDEX "Import_status_idx" ON "Import"("status");

ALTER TABLE "Import" ADD CONSTRAINT "Import_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
