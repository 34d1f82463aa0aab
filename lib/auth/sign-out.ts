import "server-only";
import type { Db } from "@/lib/db/client";
import { audit } from "@/lib/audit/audit";

/**
 * Sign-out ends the session on the server, not only in the browser: bumping the user's
 * sessionVersion makes every session issued before refuse (including copies of this cookie and the
 * user's other browsers, as sessions are not tracked one by one). A session already ended by an
 * earlier bump changes nothing and is not audited again.
 */
export async function endSessionsAtSignOut(
  db: Db,
  session: { userId: number; sessionVersion: number },
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const { count } = await tx.user.updateMany({
      where: { id: session.userId, sessionVersion: session.sessionVersion },
      data: { sessionVersion: { increment: 1 } },
    });
    if (count === 0) return false;
    await audit(tx, { actorId: session.userId, action: "auth.sign-out", targetType: "user", targetId: session.userId });
    return true;
  });
}
