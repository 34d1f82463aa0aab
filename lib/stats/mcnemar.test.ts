import { describe, expect, it } from "vitest";
import { countAgreement, mcnemarExact, mcnemarFromCounts } from "@/lib/stats/mcnemar";

describe("mcnemarExact", () => {
  it.each([
    // Fagerland, Lydersen & Laake (2013), "The McNemar test for binary matched-pairs data", the
    // airway hyper-responsiveness example: 1 and 7 discordant pairs, exact conditional p = 0.070.
    [1, 7, 18 / 256],
    // Binomial tails by hand: 2 · (1 + 10) / 2¹⁰ and 2 / 2⁵.
    [1, 9, 22 / 1024],
    [0, 5, 2 / 32],
    [0, 6, 2 / 64],
    // Symmetric, and never above 1.
    [7, 1, 18 / 256],
    [3, 3, 1],
    [0, 0, 1],
  ])("b = %i, c = %i → p = %f", (b, c, p) => {
    expect(mcnemarExact(b, c)).toBeCloseTo(p, 12);
  });

  it("agrees with a textbook value at three decimals", () => {
    expect(mcnemarExact(1, 7).toFixed(3)).toBe("0.070");
  });
});

describe("mcnemarFromCounts", () => {
  it("never calls a difference of five faces or fewer significant", () => {
    // 12 faces: 10 right against 5 right. Even if the five faces are all the one version's, p = 1/16.
    const v = mcnemarFromCounts(10, 5, 12);
    expect(v).toMatchObject({ kind: "bounded", significant: false });
    if (v.kind === "bounded") expect(v.pMin).toBeCloseTo(2 / 32, 12);
  });

  it("knows a difference is significant when every pairing makes it so", () => {
    // 30 faces: 30 right against 10 right; b − c = 20, b + c at most 20: p = 2 / 2²⁰.
    expect(mcnemarFromCounts(30, 10, 30)).toMatchObject({ significant: true });
  });

  it("says it cannot tell when the pairing decides", () => {
    // 100 faces, 60 against 50: b − c = 10, b + c from 10 (p ≈ 0.002) to 90 (p ≈ 0.34).
    const v = mcnemarFromCounts(60, 50, 100);
    expect(v.significant).toBeNull();
    if (v.kind === "bounded") {
      expect(v.pMin).toBeLessThan(0.05);
      expect(v.pMax).toBeCloseTo(mcnemarExact(50, 40), 12);
      expect(v.pMax).toBeGreaterThan(0.05);
    }
  });

  it("bounds every pairing the counts allow (p grows with the discordant faces)", () => {
    for (let d = 0; d <= 12; d++) {
      let last = 0;
      for (let m = d; m <= 60; m += 2) {
        const p = mcnemarExact((m + d) / 2, (m - d) / 2);
        expect(p).toBeGreaterThanOrEqual(last - 1e-15);
        last = p;
      }
    }
  });
});

describe("countAgreement", () => {
  it("counts faces right by both, by one side only, and by neither", () => {
    expect(countAgreement([true, true, false, false, true], [true, false, true, false, false])).toEqual({
      both: 1,
      first_only: 2,
      second_only: 1,
      neither: 1,
    });
    expect(() => countAgreement([true], [])).toThrow(/1 results for 0 faces/);
  });
});
