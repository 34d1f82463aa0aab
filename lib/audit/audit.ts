import "server-only";
import type { Prisma } from "@/lib/db/generated/prisma/client";
import type { AuditAction } from "@/lib/audit/actions";

type Tx = Pick<Prisma.TransactionClient, "auditLog">;

/** Who did what to what. Written inside the same transaction as the change where there is one. */
export function audit(
  db: Tx,
  entry: {
    actorId: number | null;
    action: AuditAction;
    targetType: string;
    targetId?: string | number | null;
    details?: Prisma.InputJsonValue;
  },
) {
  return db.auditLog.create({
    data: {
      actorId: entry.actorId,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId == null ? null : String(entry.targetId),
      details: entry.details,
    },
  });
}
