/**
 * When a supervised process dies, how long to wait before starting it again, and when to stop
 * trying. Pure, so the launcher's behaviour after a crash can be tested without processes.
 *
 * Exits of runs shorter than `stableAfterMs` form a streak: the wait doubles along it (1 s, 2 s,
 * 4 s … up to the cap) so a crash loop does not spin the CPU, and at `crashLimit` the launcher gives
 * up, because restarting again will not help (a held port, a broken build, an unreachable database).
 * A run that lasted `stableAfterMs` ends the streak: a server that crashes once a day restarts in 1 s.
 *
 * Counting runs rather than exits per minute of wall time gives the same answer for five crashes in
 * a minute, and also catches a loop whose every start takes long (a slow machine, a big model).
 */
export interface RestartPolicy {
  /** Short runs in a row that make the launcher give up. */
  crashLimit: number;
  /** A run at least this long is not a crash loop. */
  stableAfterMs: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  crashLimit: 5,
  stableAfterMs: 60_000,
  firstDelayMs: 1_000,
  maxDelayMs: 30_000,
};

export type RestartDecision =
  { restart: true; delayMs: number; shortRunsInARow: number } | { restart: false; shortRunsInARow: number };

/**
 * The decision after a process exited having run `ranForMs`; `shortRunsBefore` is the previous
 * decision's `shortRunsInARow` (0 for a first exit).
 */
export function decideAfterExit(policy: RestartPolicy, shortRunsBefore: number, ranForMs: number): RestartDecision {
  const shortRunsInARow = ranForMs >= policy.stableAfterMs ? 1 : shortRunsBefore + 1;
  if (shortRunsInARow >= policy.crashLimit) return { restart: false, shortRunsInARow };
  const delayMs = Math.min(policy.firstDelayMs * 2 ** (shortRunsInARow - 1), policy.maxDelayMs);
  return { restart: true, delayMs, shortRunsInARow };
}
