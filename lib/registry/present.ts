import "server-only";
import type { AuditLog, ModelVersion } from "@/lib/db/generated/prisma/client";
import {
  RESIZE_FILTERS,
  resizeFilterOf,
  TEST_TIME_AUGMENTATION_MODES,
  type TestTimeAugmentation,
} from "@/lib/model/metadata";

/** metadata.testTimeAugmentation as stored when the version was registered ("none" when absent). */
function testTimeAugmentationOf(metadata: unknown): TestTimeAugmentation {
  const mode = (metadata as { testTimeAugmentation?: unknown } | null)?.testTimeAugmentation;
  return TEST_TIME_AUGMENTATION_MODES.find((m) => m === mode) ?? "none";
}

/** metadata.resizeFilter as stored ("lanczos3", the project's own, when absent). */
function resizeFilterOfStored(metadata: unknown) {
  const filter = (metadata as { resizeFilter?: unknown } | null)?.resizeFilter;
  return resizeFilterOf({ resizeFilter: RESIZE_FILTERS.find((f) => f === filter) });
}

export function presentVersion(v: ModelVersion) {
  return {
    id: v.id,
    version: v.version,
    name: v.name,
    status: v.status,
    status_reason: v.statusReason,
    labels: v.labels,
    test_time_augmentation: testTimeAugmentationOf(v.metadata),
    resize_filter: resizeFilterOfStored(v.metadata),
    checksum: v.checksum,
    metrics: v.metrics,
    parent_id: v.parentId,
    created_at: v.createdAt.toISOString(),
    activated_at: v.activatedAt?.toISOString() ?? null,
  };
}

export type VersionWithDetail = ModelVersion & {
  parent: { version: number } | null;
  activatedBy: { id: number; email: string } | null;
  producedBy: { id: number; snapshotSize: number | null; snapshotHash: string | null } | null;
};

export function presentWithDetail(v: VersionWithDetail) {
  return {
    ...presentVersion(v),
    parent_version: v.parent?.version ?? null,
    activated_by: v.activatedBy,
    job: v.producedBy
      ? { id: v.producedBy.id, snapshot_size: v.producedBy.snapshotSize, snapshot_hash: v.producedBy.snapshotHash }
      : null,
  };
}

/** One entry of a version's history (its audit rows). */
export function presentHistoryEntry(a: AuditLog & { actor: { email: string } | null }) {
  return { action: a.action, actor: a.actor?.email ?? null, details: a.details, at: a.createdAt.toISOString() };
}
