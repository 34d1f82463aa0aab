import { describe, expect, it } from "vitest";
import { computeMetrics } from "@/training/metrics";

describe("computeMetrics", () => {
  it("matches figures computed by hand on four samples", () => {
    // truth:     a  a  b  c
    // predicted: a  b  b  a   (confidences 0.9, 0.6, 0.7, 0.5)
    const m = computeMetrics(
      ["a", "b", "c"],
      [0, 0, 1, 2],
      [
        [0.9, 0.05, 0.05],
        [0.3, 0.6, 0.1],
        [0.2, 0.7, 0.1],
        [0.5, 0.3, 0.2],
      ],
    );
    expect(m.n).toBe(4);
    expect(m.accuracy).toBe(0.5);
    expect(m.confusion).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [1, 0, 0],
    ]);
    // a: P 1/2, R 1/2, F1 1/2; b: P 1/2, R 1, F1 2/3; c: 0
    expect(m.per_class.a).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    expect(m.per_class.b?.f1).toBeCloseTo(2 / 3, 12);
    expect(m.per_class.c).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(m.macro_f1).toBeCloseTo((0.5 + 2 / 3 + 0) / 3, 12);
    // bins: 0.9 → [0.9,1) acc 1; 0.6 → [0.6,0.7) acc 0; 0.7 → [0.7,0.8) acc 1; 0.5 → [0.5,0.6) acc 0
    // ECE = (|0.9-1| + |0.6-0| + |0.7-1| + |0.5-0|) / 4 = (0.1+0.6+0.3+0.5)/4 = 0.375
    expect(m.ece).toBeCloseTo(0.375, 12);
  });

  it("is empty-safe", () => {
    expect(computeMetrics(["a", "b"], [], [])).toMatchObject({ n: 0, accuracy: 0, macro_f1: 0, ece: 0 });
  });
});
