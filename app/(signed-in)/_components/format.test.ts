import { describe, expect, it } from "vitest";
import { formatAccuracy, formatDelta, formatDuration, formatScore } from "./format";

describe("formatDelta", () => {
  it.each([
    [0.021, "points", "+2.1 pts"],
    [-0.2, "points", "−20.0 pts"],
    [0.0001, "points", "±0 pts"],
    [0.0134, "score", "+0.013"],
    [-0.0004, "score", "±0"],
    [-3, "count", "−3"],
    [0, "count", "±0"],
  ] as const)("%s as %s → %s", (d, unit, text) => {
    expect(formatDelta(d, unit)).toBe(text);
  });
});

describe("formatDuration", () => {
  it.each([
    [0.4, "0 s"],
    [59, "59 s"],
    [75, "1 min 15 s"],
    [120, "2 min"],
    [4000, "1 h 6 min"],
    [-1, "—"],
    [Number.NaN, "—"],
  ])("%s s → %s", (s, text) => {
    expect(formatDuration(s)).toBe(text);
  });
});

it("shows accuracy as a percentage and scores as decimals", () => {
  expect(formatAccuracy(0.7234)).toBe("72.3%");
  expect(formatScore(0.65)).toBe("0.650");
});
