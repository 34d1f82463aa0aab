import "server-only";
import type { Db } from "@/lib/db/client";
import { audit } from "@/lib/audit/audit";
import { verifyPassword } from "@/lib/auth/password";
import type { RoleName } from "@/lib/auth/permissions";
import {
  normaliseEmail,
  reserveSignInAttempt,
  settleSuccessfulAttempt,
  throttleKeys,
} from "@/lib/auth/sign-in-throttle";

/**
 * An argon2id hash (same parameters as lib/auth/password.ts) of a random password nobody knows.
 * Unknown e-mails are checked against it so that they cost what a real account costs: the answer
 * time must not tell whether an account exists.
 */
export const DUMMY_PASSWORD_HASH =
  "$argon2id$v=19$m=19456,t=2,p=1$T4Jh5Pp/SF0WMpwM2wCQ5A$zYVJKhigIUgT2sRrR1KhNz43aqFf08HMJBupNBRzn7o";

export interface SignedInUser {
  id: number;
  email: string;
  name: string | null;
  role: RoleName;
  sessionVersion: number;
}

export type SignInOutcome =
  | { ok: true; user: SignedInUser }
  | { ok: false; throttled: false }
  | { ok: false; throttled: true; retryAfterMs: number; locked: boolean };

/**
 * Checks an e-mail and password under the sign-in throttle (lib/auth/sign-in-throttle.ts) and
 * audits the outcome. Every path that reaches the password check does the same work: one
 * reservation, one user lookup, one argon2 verification, one audit row.
 */
export async function signInWithPassword(
  db: Db,
  input: { email: string; password: string; address: string | null },
  verify: (hash: string, password: string) => Promise<boolean> = verifyPassword,
): Promise<SignInOutcome> {
  const email = normaliseEmail(input.email);
  const keys = throttleKeys(email, input.address);
  const reservation = await reserveSignInAttempt(db, keys);
  if (!reservation.admitted) {
    return { ok: false, throttled: true, retryAfterMs: reservation.retryAfterMs, locked: reservation.locked };
  }
  const user = await db.user.findUnique({ where: { email } });
  const passwordOk = await verify(user?.passwordHash ?? DUMMY_PASSWORD_HASH, input.password);
  const where = input.address ?? "unknown";
  if (user && passwordOk && !user.disabledAt) {
    await settleSuccessfulAttempt(db, keys);
    await audit(db, {
      actorId: user.id,
      action: "auth.sign-in",
      targetType: "user",
      targetId: user.id,
      details: { address: where },
    });
    return {
      ok: true,
      user: { id: user.id, email: user.email, name: user.name, role: user.role, sessionVersion: user.sessionVersion },
    };
  }
  // Never the password; the e-mail as typed, so a mistyped address can be recognised.
  const reason = !user ? "unknown-account" : user.disabledAt ? "disabled" : "wrong-password";
  await audit(db, {
    actorId: null,
    action: "auth.sign-in-failed",
    targetType: "user",
    targetId: user?.id ?? null,
    details: { email, reason, address: where },
  });
  for (const k of keys) {
    const failures = reservation.failures[k.key];
    // Exactly at the threshold: the one failure that armed the lock is the one that reports it.
    if (k.policy.lockAt !== null && failures === k.policy.lockAt) {
      await audit(db, {
        actorId: null,
        action: "auth.lockout",
        targetType: "sign-in",
        targetId: k.key,
        details: { email, failures, address: where },
      });
    }
  }
  return { ok: false, throttled: false };
}
