import "server-only";
import type { Db } from "@/lib/db/client";

export function logLine(message: string, at = new Date()): string {
  return `${at.toISOString()} ${message}\n`;
}

export async function appendLog(db: Pick<Db, "$executeRaw">, jobId: number, message: string): Promise<void> {
  await db.$executeRaw`UPDATE "TrainingJob" SET "log" = "log" || ${logLine(message)} WHERE "id" = ${jobId}`;
}
