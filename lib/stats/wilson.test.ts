import { expect, it } from "vitest";
import { wilsonInterval } from "@/lib/stats/wilson";

// Reference values: Wilson (1927); 8/10 is the textbook example (e.g. Newcombe 1998, method 3).
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

it("reaches 0 and 1 exactly at 0/n and n/n", () => {
  expect(wilsonInterval(0, 7)!.low).toBe(0);
  expect(wilsonInterval(7, 7)!.high).toBe(1);
});

it("has no interval without observations, and refuses more successes than trials", () => {
  expect(wilsonInterval(0, 0)).toBeNull();
  expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
});
