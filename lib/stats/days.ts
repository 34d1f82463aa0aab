/** The dashboard's window: the last 30 days, today included, in UTC. */
export const STATS_DAYS = 30;

const DAY_MS = 86_400_000;

/** The last `count` UTC dates up to and including `now`'s, oldest first, as `YYYY-MM-DD`. */
export function lastDays(now: Date, count = STATS_DAYS): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: count }, (_, i) => new Date(today - (count - 1 - i) * DAY_MS).toISOString().slice(0, 10));
}

/**
 * Faces left in the queue at the end of each day, walked back from the count now: the end of a day
 * had the faces of the next end, less those that entered the day after, plus those decided then.
 * `entered` and `decided` are per day (`YYYY-MM-DD` → faces); the last day's figure is `openNow`.
 */
export function burnDown(
  days: readonly string[],
  openNow: number,
  entered: ReadonlyMap<string, number>,
  decided: ReadonlyMap<string, number>,
): number[] {
  const remaining = new Array<number>(days.length).fill(0);
  let at = openNow;
  for (let i = days.length - 1; i >= 0; i--) {
    remaining[i] = Math.max(0, at);
    const day = days[i]!;
    at = at - (entered.get(day) ?? 0) + (decided.get(day) ?? 0);
  }
  return remaining;
}
