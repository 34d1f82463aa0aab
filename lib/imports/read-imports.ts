import "server-only";
import type { Db } from "@/lib/db/client";
import type { Import } from "@/lib/db/generated/prisma/client";
import { AppError } from "@/lib/errors/app-error";
import { importErrorSchema, type ImportStatusName } from "@/lib/imports/schemas";
import { z } from "zod";

const storedErrors = z.array(importErrorSchema).catch([]);

/** An import as the API answers it. */
export function presentImport(row: Import) {
  return {
    id: row.id,
    status: row.status.toLowerCase() as ImportStatusName,
    kind: row.kind as "images" | "zip" | "feedback",
    is_face_crop: row.isFaceCrop,
    total: row.total,
    processed: row.processed,
    faces: row.faces,
    duplicates: row.duplicates,
    errors: storedErrors.parse(row.errors),
    error: row.error,
    created_at: row.createdAt,
    started_at: row.startedAt,
    finished_at: row.finishedAt,
  };
}

/** One import, for its owner or an admin; anyone else is told it does not exist (404). */
export async function getImport(db: Db, id: number, reader: { userId: number; role: string }) {
  const row = await db.import.findFirst({
    where: { id, ...(reader.role === "ADMIN" ? {} : { userId: reader.userId }) },
  });
  if (!row) throw new AppError("not_found", `No import ${id}.`);
  return presentImport(row);
}

/** The caller's 20 most recent imports, newest first (the Upload page finds a running one here). */
export async function listImports(db: Db, userId: number) {
  const rows = await db.import.findMany({ where: { userId }, orderBy: { id: "desc" }, take: 20 });
  return { imports: rows.map(presentImport) };
}
