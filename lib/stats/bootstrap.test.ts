import { describe, expect, it } from "vitest";
import { bootstrapMacroF1Interval, macroF1 } from "@/lib/stats/bootstrap";

describe("macroF1", () => {
  it.each([
    // Perfect: 1. Two classes, the one face of class 1 called class 0: F1 0.8 and 0 → 0.4.
    [
      [
        [3, 0],
        [0, 2],
      ],
      1,
    ],
    [
      [
        [2, 0],
        [1, 0],
      ],
      (0.8 + 0) / 2,
    ],
    // A class absent from truth and prediction does not count.
    [
      [
        [2, 0, 0],
        [0, 2, 0],
        [0, 0, 0],
      ],
      1,
    ],
    // scikit-learn: f1_score([0,0,1,1,2,2], [0,1,1,1,2,0], average="macro") = 0.6555…
    [
      [
        [1, 1, 0],
        [0, 2, 0],
        [1, 0, 1],
      ],
      (0.5 + 0.8 + 2 / 3) / 3,
    ],
  ])("%j → %f", (confusion, f1) => {
    expect(macroF1(confusion)).toBeCloseTo(f1, 12);
  });
});

describe("bootstrapMacroF1Interval", () => {
  const twelve = [
    [4, 1, 0],
    [1, 3, 0],
    [0, 1, 2],
  ];

  it("holds the figure itself, is seeded, and is wide on twelve faces", () => {
    const ci = bootstrapMacroF1Interval(twelve)!;
    const f1 = macroF1(twelve);
    expect(ci.low).toBeLessThan(f1);
    expect(ci.high).toBeGreaterThan(f1);
    expect(ci.high - ci.low).toBeGreaterThan(0.25);
    expect(bootstrapMacroF1Interval(twelve)).toEqual(ci);
  });

  it("narrows when the same mix comes from a hundred times the faces", () => {
    const many = twelve.map((row) => row.map((x) => x * 100));
    const small = bootstrapMacroF1Interval(twelve)!;
    const large = bootstrapMacroF1Interval(many, { rounds: 300 })!;
    expect(large.high - large.low).toBeLessThan((small.high - small.low) / 4);
  });

  it("is a point for a perfect matrix, and null for an empty one", () => {
    expect(
      bootstrapMacroF1Interval([
        [5, 0],
        [0, 5],
      ]),
    ).toEqual({ low: 1, high: 1 });
    expect(bootstrapMacroF1Interval([[0]])).toBeNull();
  });
});
