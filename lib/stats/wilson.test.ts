import { describe, expect, it } from "vitest";
import { intervalsOverlap, wilsonInterval } from "@/lib/stats/wilson";

describe("wilsonInterval", () => {
  // Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table II, method 3
  // (score interval without continuity correction), to four places.
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])("%i of %i → %f to %f", (x, n, low, high) => {
    const ci = wilsonInterval(x, n)!;
    expect(ci.low).toBeCloseTo(low, 4);
    expect(ci.high).toBeCloseTo(high, 4);
  });

  it("is exact at the ends and symmetric around one half", () => {
    expect(wilsonInterval(12, 12)).toMatchObject({ high: 1 });
    expect(wilsonInterval(12, 12)!.low).toBeCloseTo(1 - wilsonInterval(0, 12)!.high, 12);
    const half = wilsonInterval(6, 12)!;
    expect(half.low + half.high).toBeCloseTo(1, 12);
  });

  it.each([
    [0, 0],
    [-1, 10],
    [11, 10],
  ])("has no interval for %i of %i", (x, n) => {
    expect(wilsonInterval(x, n)).toBeNull();
  });

  it("narrows as the faces grow", () => {
    const small = wilsonInterval(9, 12)!;
    const large = wilsonInterval(900, 1200)!;
    expect(large.high - large.low).toBeLessThan((small.high - small.low) / 5);
  });

  it("tells whether two intervals overlap", () => {
    expect(intervalsOverlap({ low: 0.1, high: 0.5 }, { low: 0.5, high: 0.9 })).toBe(true);
    expect(intervalsOverlap({ low: 0.1, high: 0.4 }, { low: 0.5, high: 0.9 })).toBe(false);
  });
});

// The dashboard's golden-set figures: 8/10 is the textbook example (e.g. Newcombe 1998, method 3).
it.each([
  [8, 10, 0.4902, 0.9433],
  [0, 10, 0, 0.2775],
  [10, 10, 0.7225, 1],
  [50, 100, 0.4038, 0.5962],
  [1, 1, 0.2065, 1],
])("%i of %i → [%f, %f]", (successes, n, low, high) => {
  const ci = wilsonInterval(successes, n)!;
  expect(ci.low).toBeCloseTo(low, 4);
  expect(ci.high).toBeCloseTo(high, 4);
});
