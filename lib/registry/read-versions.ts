import "server-only";
import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { IMPORTED_ARTIFACT } from "@/lib/registry/model-versions";
import { presentHistoryEntry, presentWithDetail } from "@/lib/registry/present";

// What the presenters show beside a version: its parent, who activated it, the job that made it.
const detail = {
  parent: { select: { version: true } },
  activatedBy: { select: { id: true, email: true } },
  producedBy: { select: { id: true, snapshotSize: true, snapshotHash: true } },
} as const;

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
    history: audit.map(presentHistoryEntry),
  };
}

/**
 * The active version as a client that predicts by itself needs it (the live view): its id, number,
 * name and checksum (which names its files' content, see model-files), or null when there is none
 * or it has no files (imported verdicts).
 */
export async function findActiveVersionFiles(db: Db) {
  const v = await db.modelVersion.findFirst({
    where: { status: "ACTIVE", artifactPath: { not: IMPORTED_ARTIFACT } },
    select: { id: true, version: true, name: true, checksum: true },
  });
  return v;
}
