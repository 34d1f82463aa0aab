import { describe, expect, it } from "vitest";
import { mcnemarFromCounts } from "@/lib/stats/mcnemar";
import { formatP, intervalText, smallSampleText, testText } from "./figure-text";

describe("figure text", () => {
  it.each([
    [0.0625, "0.063"],
    [0.38, "0.38"],
    [0.0004, "< 0.001"],
    [1, "1"],
  ])("p = %f reads %s", (p, text) => {
    expect(formatP(p)).toBe(text);
  });

  it("writes intervals and the small-sample warning", () => {
    expect(intervalText({ low: 0.5234, high: 0.8512 }, "percent")).toBe("95 % CI 52.3–85.1 %");
    expect(intervalText({ low: 0.4123, high: 0.8031 }, "score")).toBe("95 % CI 0.412–0.803");
    expect(smallSampleText(12)).toBe("n = 12: too few faces for this figure to mean much");
  });

  it.each([
    [{ kind: "exact" as const, p: 0.0703125, significant: false }, false, "not significant (McNemar p = 0.070)"],
    [{ kind: "exact" as const, p: 0.0214, significant: true }, true, "significant (McNemar p = 0.021)"],
    [mcnemarFromCounts(10, 7, 12), false, "not significant (McNemar p ≥ 0.25 whichever faces differ)"],
    [mcnemarFromCounts(30, 10, 30), true, "significant (McNemar p < 0.001 whichever faces differ)"],
  ])("puts a test in words: %j", (test, significant, text) => {
    expect(testText(test)).toEqual({ significant, text });
  });

  it("says when the figures cannot decide", () => {
    const t = testText(mcnemarFromCounts(60, 50, 100));
    expect(t.significant).toBeNull();
    expect(t.text).toMatch(/^significance unknown: McNemar p is between 0\.0\d+ and 0\.\d+/);
  });
});
