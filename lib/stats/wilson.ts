/** z for a two-sided 95 % interval: the 97.5th percentile of the standard normal. */
export const Z_95 = 1.959963984540054;

/** Below this many faces a figure gets its interval and a warning beside it. */
export const SMALL_SAMPLE = 100;

export interface Interval {
  low: number;
  high: number;
}

/**
 * The Wilson score interval for a proportion, `successes` of `n` (Wilson, 1927; Newcombe, 1998).
 * Unlike the textbook p ± z·√(p(1−p)/n) it stays inside [0, 1] and does not collapse to a point at
 * 0 % or 100 %, which is what small evaluation sets give. Null when there are no trials.
 */
export function wilsonInterval(successes: number, n: number, z = Z_95): Interval | null {
  if (!(n > 0) || successes < 0 || successes > n) return null;
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At 0 and n the bound is exactly 0 or 1; rounding must not nudge it past.
  return {
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === n ? 1 : Math.min(1, centre + half),
  };
}

/** Whether two intervals share any value. */
export function intervalsOverlap(a: Interval, b: Interval): boolean {
  return a.low <= b.high && b.low <= a.high;
}
