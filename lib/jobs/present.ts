import "server-only";
import type { TrainingJob } from "@/lib/db/generated/prisma/client";

export function presentJob(
  j: TrainingJob & { baseVersion?: { version: number } | null; candidate?: { version: number; status: string } | null },
) {
  return {
    id: j.id,
    status: j.status,
    params: j.params,
    base_version: j.baseVersion?.version ?? null,
    candidate_version: j.candidate
      ? { version: j.candidate.version, status: j.candidate.status, id: j.candidateVersionId }
      : null,
    snapshot_hash: j.snapshotHash,
    snapshot_size: j.snapshotSize,
    progress: j.progress,
    curves: j.curves,
    training_set: j.trainingSet,
    error: j.error,
    decision: j.decision,
    worker: j.workerId,
    created_at: j.createdAt.toISOString(),
    started_at: j.startedAt?.toISOString() ?? null,
    finished_at: j.finishedAt?.toISOString() ?? null,
    heartbeat_at: j.heartbeatAt?.toISOString() ?? null,
    cancel_requested_at: j.cancelRequestedAt?.toISOString() ?? null,
  };
}
