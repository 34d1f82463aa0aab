/**
 * When a supervised process dies, how long to wait before starting it again, and when to stop
 * trying. Pure, so the launcher's behaviour after a crash can be tested without processes.
 *
 * The wait doubles with each crash inside the window (1 s, 2 s, 4 s, … up to the cap) and falls back
 * to the first delay once the process has stayed up for a whole window: a server that crashes once
 * a day restarts at once, one that crashes in a loop does not spin the CPU. Too many crashes inside
 * the window mean restarting does not help (a held port, a broken build), so the launcher gives up.
 */
export interface RestartPolicy {
  /** Crashes of one process within `windowMs` that make the launcher give up. */
  crashLimit: number;
  windowMs: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  crashLimit: 5,
  windowMs: 60_000,
  firstDelayMs: 1_000,
  maxDelayMs: 30_000,
};

export type RestartDecision =
  | { restart: true; delayMs: number; crashesInWindow: number }
  | { restart: false; crashesInWindow: number };

/**
 * The decision after a crash at `now`, and the crash times to remember for the next one.
 * `earlier` holds the times of earlier crashes (as returned by the previous call).
 */
export function decideAfterCrash(
  policy: RestartPolicy,
  earlier: readonly number[],
  now: number,
): { decision: RestartDecision; crashes: number[] } {
  const crashes = [...earlier.filter((t) => now - t < policy.windowMs), now];
  const n = crashes.length;
  if (n >= policy.crashLimit) return { decision: { restart: false, crashesInWindow: n }, crashes };
  const delayMs = Math.min(policy.firstDelayMs * 2 ** (n - 1), policy.maxDelayMs);
  return { decision: { restart: true, delayMs, crashesInWindow: n }, crashes };
}
