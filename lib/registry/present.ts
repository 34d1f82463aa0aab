import "server-only";
import type { Db } from "@/lib/db/client";
import type { ModelVersion } from "@/lib/db/generated/prisma/client";
import { AppError } from "@/lib/errors/app-error";
import { TEST_TIME_AUGMENTATION_MODES, type TestTimeAugmentation } from "@/lib/model/metadata";

/** metadata.testTimeAugmentation as stored when the version was registered ("none" when absent). */
function testTimeAugmentationOf(metadata: unknown): TestTimeAugmentation {
  const mode = (metadata as { testTimeAugmentation?: unknown } | null)?.testTimeAugmentation;
  return TEST_TIME_AUGMENTATION_MODES.find((m) => m === mode) ?? "none";
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
    checksum: v.checksum,
    metrics: v.metrics,
    parent_id: v.parentId,
    created_at: v.createdAt.toISOString(),
    activated_at: v.activatedAt?.toISOString() ?? null,
  };
}

const detail = {
  parent: { select: { version: true } },
  activatedBy: { select: { id: true, email: true } },
  producedBy: { select: { id: true, snapshotSize: true, snapshotHash: true } },
} as const;

type VersionWithDetail = ModelVersion & {
  parent: { version: number } | null;
  activatedBy: { id: number; email: string } | null;
  producedBy: { id: number; snapshotSize: number | null; snapshotHash: string | null } | null;
};

function presentWithDetail(v: VersionWithDetail) {
  return {
    ...presentVersion(v),
    parent_version: v.parent?.version ?? null,
    activated_by: v.activatedBy,
    job: v.producedBy ? { id: v.producedBy.id, snapshot_size: v.producedBy.snapshotSize, snapshot_hash: v.producedBy.snapshotHash } : null,
  };
}

export async function listVersions(db: Db) {
  const rows = await db.modelVersion.findMany({ orderBy: { version: "desc" }, include: detail });
  return rows.map(presentWithDetail);
}

/** One version and the active one, so a candidate can be read beside what it would replace. */
export async function getVersionDetail(db: Db, id: number) {
  const v = await db.modelVersion.findUnique({ where: { id }, include: detail });
  if (!v) throw new AppError("not_found", `No model version ${id}.`);
  const active = await db.modelVersion.findFirst({ where: { status: "ACTIVE" }, include: detail });
  const audit = await db.auditLog.findMany({
    where: { targetType: "model_version", targetId: String(id) },
    orderBy: { id: "desc" },
    take: 50,
    include: { actor: { select: { email: true } } },
  });
  return {
    model: presentWithDetail(v),
    active: active ? presentWithDetail(active) : null,
    history: audit.map((a) => ({ action: a.action, actor: a.actor?.email ?? null, details: a.details, at: a.createdAt.toISOString() })),
  };
}
