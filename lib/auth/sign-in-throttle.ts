import "server-only";
import type { Db } from "@/lib/db/client";

/**
 * Sign-in throttling, counted in the `SignInThrottle` table so that every web server sees the same
 * counts. An attempt is counted as a failure when it *starts* (reserveSignInAttempt) and forgiven
 * when it succeeds: the check and the count are then one atomic upsert, so a burst of parallel
 * guesses cannot all pass the check before any of them has been counted.
 */
export interface ThrottlePolicy {
  /** From this many failures in the window on, the next attempt must wait (250 ms, doubling). */
  delayFrom: number;
  /** This many failures in the window lock the key for `lockSeconds`; null = never locks. */
  lockAt: number | null;
}

export const WINDOW_SECONDS = 15 * 60;
export const LOCK_SECONDS = 15 * 60;
export const BASE_DELAY_MS = 250;
export const MAX_DELAY_MS = 4000;

export const policies = {
  /** One account: 5 misses start the delay, 10 within 15 minutes lock it for 15 minutes. */
  account: { delayFrom: 5, lockAt: 10 },
  /**
   * One client address behind a trusted proxy: looser, since colleagues may share an address, but
   * it stops one client spraying guesses across many accounts.
   */
  address: { delayFrom: 20, lockAt: 100 },
  /**
   * Every client whose address is unknown (no trusted proxy) shares this bucket. It slows a spray
   * down but never locks: a lock here would lock the whole team out.
   */
  unknownAddress: { delayFrom: 20, lockAt: null },
} as const satisfies Record<string, ThrottlePolicy>;

export interface ThrottleKey {
  key: string;
  policy: ThrottlePolicy;
  /** A success clears the count (the account's own), or only forgives this attempt (an address). */
  onSuccess: "reset" | "forgive";
}

export function throttleKeys(email: string, address: string | null): ThrottleKey[] {
  return [
    { key: `account:${normaliseEmail(email)}`, policy: policies.account, onSuccess: "reset" },
    address
      ? { key: `address:${address}`, policy: policies.address, onSuccess: "forgive" }
      : { key: "address:unknown", policy: policies.unknownAddress, onSuccess: "forgive" },
  ];
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The wait after `failures` misses under a policy, in ms (0 = none). */
export function delayAfter(failures: number, policy: ThrottlePolicy): number {
  if (failures < policy.delayFrom) return 0;
  return Math.min(BASE_DELAY_MS * 2 ** Math.min(failures - policy.delayFrom, 30), MAX_DELAY_MS);
}

export type Reservation =
  { admitted: true; failures: Record<string, number> } | { admitted: false; retryAfterMs: number; locked: boolean };

// The database's clock in UTC (Prisma's convention for `timestamp` columns), so web servers whose
// clocks disagree still agree on when a delay or a lock ends. clock_timestamp(), not now(): now()
// is when the transaction began, and an attempt that waited for another's row lock would then
// compare the other's fresh times with its own older one and be refused for no reason. Rounded to
// the columns' milliseconds (timestamp(3)) before any comparison: a time stored rounded *up*
// (05:21:00.1047 kept as .105) would otherwise lie ahead of a later, unrounded clock (.1049), and
// an attempt that need not wait was refused (seen: one of twenty simultaneous attempts).
const NOW = `((clock_timestamp() AT TIME ZONE 'UTC')::timestamp(3))`;
const FRESH = `t."windowStartedAt" <= ${NOW} - make_interval(secs => ${WINDOW_SECONDS})`;
const COUNT = `(CASE WHEN ${FRESH} THEN 1 ELSE t."failures" + 1 END)`;

// $1 key, $2 delayFrom, $3 lockAt (null = never). The WHERE of the upsert is the gate: a row that
// is locked or still waiting is left as it is and nothing is returned.
const RESERVE = `
INSERT INTO "SignInThrottle" AS t ("key", "failures", "windowStartedAt", "nextAttemptAt", "lockedUntil")
VALUES ($1, 1, ${NOW}, ${NOW}, NULL)
ON CONFLICT ("key") DO UPDATE SET
  "failures" = ${COUNT},
  "windowStartedAt" = CASE WHEN ${FRESH} THEN ${NOW} ELSE t."windowStartedAt" END,
  "nextAttemptAt" = ${NOW} + CASE WHEN ${COUNT} >= $2::int
    THEN make_interval(secs => LEAST(${BASE_DELAY_MS} * power(2, LEAST(${COUNT} - $2::int, 30)), ${MAX_DELAY_MS}) / 1000.0)
    ELSE interval '0' END,
  "lockedUntil" = CASE WHEN $3::int IS NOT NULL AND ${COUNT} >= $3::int
    THEN ${NOW} + make_interval(secs => ${LOCK_SECONDS}) ELSE NULL END
WHERE COALESCE(t."lockedUntil", '-infinity') <= ${NOW} AND t."nextAttemptAt" <= ${NOW}
RETURNING "failures"`;

const WAIT = `
SELECT CEIL(EXTRACT(EPOCH FROM GREATEST(COALESCE("lockedUntil", '-infinity'), "nextAttemptAt") - ${NOW}) * 1000)::int AS "waitMs",
       COALESCE("lockedUntil" > ${NOW}, false) AS "locked"
FROM "SignInThrottle" WHERE "key" = $1`;

class Refused extends Error {
  constructor(
    readonly retryAfterMs: number,
    readonly locked: boolean,
  ) {
    super("sign-in attempt refused");
  }
}

/**
 * Counts one attempt against every key, or none: when any key is locked or still waiting, the
 * whole attempt is refused and no count changes. Keys are always taken in the same order
 * (account, then address), so two attempts cannot deadlock on each other's rows.
 */
export async function reserveSignInAttempt(db: Db, keys: ThrottleKey[]): Promise<Reservation> {
  await pruneStaleRows(db);
  try {
    return await db.$transaction(async (tx) => {
      const failures: Record<string, number> = {};
      for (const k of keys) {
        const rows = await tx.$queryRawUnsafe<{ failures: number }[]>(
          RESERVE,
          k.key,
          k.policy.delayFrom,
          k.policy.lockAt,
        );
        const row = rows[0];
        if (!row) {
          const wait = (await tx.$queryRawUnsafe<{ waitMs: number; locked: boolean }[]>(WAIT, k.key))[0];
          throw new Refused(Math.max(wait?.waitMs ?? 0, 1), wait?.locked ?? false);
        }
        failures[k.key] = row.failures;
      }
      return { admitted: true as const, failures };
    });
  } catch (err) {
    if (err instanceof Refused) return { admitted: false, retryAfterMs: err.retryAfterMs, locked: err.locked };
    throw err;
  }
}

/** A successful sign-in: the account starts afresh; an address only gets this attempt back. */
export async function settleSuccessfulAttempt(db: Db, keys: ThrottleKey[]): Promise<void> {
  for (const k of keys) {
    if (k.onSuccess === "reset") {
      await db.$executeRawUnsafe(`DELETE FROM "SignInThrottle" WHERE "key" = $1`, k.key);
    } else {
      await db.$executeRawUnsafe(
        `UPDATE "SignInThrottle" SET "failures" = GREATEST("failures" - 1, 0) WHERE "key" = $1`,
        k.key,
      );
    }
  }
}

/**
 * Rows whose window, delay and lock are all over say nothing any more; each attempt clears a few,
 * so guesses at many made-up e-mails do not grow the table without end.
 */
async function pruneStaleRows(db: Db): Promise<void> {
  await db.$executeRawUnsafe(`
    DELETE FROM "SignInThrottle" WHERE "key" IN (
      SELECT "key" FROM "SignInThrottle"
      WHERE "windowStartedAt" < ${NOW} - make_interval(secs => ${WINDOW_SECONDS})
        AND COALESCE("lockedUntil", '-infinity') < ${NOW} AND "nextAttemptAt" < ${NOW}
      LIMIT 50 FOR UPDATE SKIP LOCKED)`);
}
