import { describe, expect, it } from "vitest";
import { spread, summarizeOrders, type OrderRun } from "./report";

/** A run: its baseline [vs FER+, vs original], then per checkpoint [name, corrections, vs FER+, vs original] (null: no version). */
function run(
  order: string,
  baseline: [number, number],
  rows: [string, number, number | null, number | null][],
): OrderRun {
  return {
    order,
    baseline: { ferplus: { accuracy: baseline[0] }, original: { accuracy: baseline[1] } },
    rows: rows.map(([checkpoint, verdicts, ferplus, original]) => ({
      checkpoint,
      verdicts,
      score:
        ferplus === null || original === null
          ? null
          : { ferplus: { accuracy: ferplus }, original: { accuracy: original } },
    })),
  };
}

describe("spread", () => {
  it.each([
    [[2, 4, 9], { mean: 5, sd: Math.sqrt(13), min: 2, max: 9 }],
    [[0.03], { mean: 0.03, sd: 0, min: 0.03, max: 0.03 }],
  ])("%j → %j", (xs, expected) => {
    const s = spread(xs);
    expect(s.mean).toBeCloseTo(expected.mean, 12);
    expect(s.sd).toBeCloseTo(expected.sd, 12);
    expect([s.min, s.max]).toEqual([expected.min, expected.max]);
  });
});

describe("summarizeOrders", () => {
  it("takes each run's change against its own seed's baseline, per order and checkpoint", () => {
    const summary = summarizeOrders([
      // seed 1: baseline 0.50 / 0.60
      run(
        "uncertain",
        [0.5, 0.6],
        [
          ["100", 100, 0.52, 0.59],
          ["300", 300, 0.55, 0.58],
        ],
      ),
      run(
        "newest",
        [0.5, 0.6],
        [
          ["100", 100, 0.51, 0.6],
          ["300", 300, 0.53, 0.6],
        ],
      ),
      // seed 2: another holdout, another baseline
      run(
        "uncertain",
        [0.6, 0.7],
        [
          ["100", 100, 0.64, 0.69],
          ["300", 300, 0.66, 0.66],
        ],
      ),
      run(
        "newest",
        [0.6, 0.7],
        [
          ["100", 100, 0.6, 0.7],
          ["300", 300, 0.62, 0.71],
        ],
      ),
    ]);
    expect(summary.map((s) => [s.order, s.checkpoint, s.runs])).toEqual([
      ["uncertain", "100", 2],
      ["uncertain", "300", 2],
      ["newest", "100", 2],
      ["newest", "300", 2],
    ]);
    const [u100, u300, n100] = summary;
    expect(u100!.dFerplus!.mean).toBeCloseTo(0.03, 12);
    expect(u100!.dFerplus!.sd).toBeCloseTo(Math.sqrt(0.0002), 12);
    expect([u100!.dFerplus!.min, u100!.dFerplus!.max].map((x) => +x.toFixed(12))).toEqual([0.02, 0.04]);
    expect(u100!.dOriginal!.mean).toBeCloseTo(-0.01, 12);
    expect(u100!.dOriginal!.sd).toBeCloseTo(0, 12);
    expect(u300!.dFerplus!.mean).toBeCloseTo(0.055, 12);
    expect(u300!.dOriginal!.mean).toBeCloseTo(-0.03, 12);
    expect(n100!.dFerplus!.mean).toBeCloseTo(0.005, 12);
    expect(u100!.corrections).toEqual({ min: 100, max: 100 });
  });

  it("sorts checkpoints by count with all last, groups end (N) of every seed, and leaves a failed job out of the changes", () => {
    const summary = summarizeOrders([
      run(
        "random",
        [0.5, 0.5],
        [
          ["1000", 1000, 0.6, 0.5],
          ["100", 100, null, null],
          ["all", 2375, 0.7, 0.45],
        ],
      ),
      run(
        "random",
        [0.5, 0.5],
        [
          ["100", 100, 0.52, 0.5],
          ["1000", 1000, 0.58, 0.49],
          ["all", 2380, 0.72, 0.47],
        ],
      ),
      run("arrival", [0.5, 0.5], [["end (120)", 120, 0.51, 0.5]]),
      run("arrival", [0.5, 0.5], [["end (131)", 131, 0.53, 0.5]]),
    ]);
    expect(summary.map((s) => [s.order, s.checkpoint])).toEqual([
      ["random", "100"],
      ["random", "1000"],
      ["random", "all"],
      ["arrival", "end"],
    ]);
    const [r100, , all, end] = summary;
    // The failed job's corrections still count; its (missing) version does not.
    expect(r100!.runs).toBe(1);
    expect(r100!.corrections).toEqual({ min: 100, max: 100 });
    expect(r100!.dFerplus!.mean).toBeCloseTo(0.02, 12);
    expect(r100!.dFerplus!.sd).toBe(0);
    expect(all!.corrections).toEqual({ min: 2375, max: 2380 });
    expect(end!.corrections).toEqual({ min: 120, max: 131 });
    expect(end!.dFerplus!.mean).toBeCloseTo(0.02, 12);
  });

  it("has no changes where no run measured a version", () => {
    const [only] = summarizeOrders([run("uncertain", [0.5, 0.5], [["100", 100, null, null]])]);
    expect(only).toEqual({
      order: "uncertain",
      checkpoint: "100",
      corrections: { min: 100, max: 100 },
      runs: 0,
      dFerplus: null,
      dOriginal: null,
    });
  });
});
