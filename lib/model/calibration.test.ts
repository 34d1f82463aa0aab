import { describe, expect, it } from "vitest";
import {
  applyTemperature,
  expectedCalibrationError,
  fitTemperature,
  negativeLogLikelihood,
} from "@/lib/model/calibration";

/** A seeded uniform generator (mulberry32), so the synthetic faces are the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Faces whose true label is drawn from a known distribution q, served by a model that is over-
 * confident by a known factor: it reports q^(1/T0), renormalised. The right temperature is T0.
 */
function overconfident(n: number, t0: number, seed: number) {
  const rand = mulberry32(seed);
  const probs: Float32Array[] = [];
  const labels: number[] = [];
  for (let j = 0; j < n; j++) {
    const e = Array.from({ length: 7 }, () => Math.exp(rand() * 3));
    const sum = e.reduce((a, b) => a + b, 0);
    const qn = e.map((v) => v / sum);
    let u = rand();
    let y = 0;
    while (y < 6 && u >= qn[y]!) u -= qn[y++]!;
    labels.push(y);
    // q^T0 renormalised: sharper than the truth for T0 > 1, and temperature T0 undoes it.
    probs.push(applyTemperature(qn, 1 / t0));
  }
  return { probs, labels };
}

describe("applyTemperature", () => {
  it("keeps the order of the labels, softens above 1, sharpens below, and sums to 1", () => {
    const p = [0.7, 0.2, 0.1];
    const soft = applyTemperature(p, 2);
    const sharp = applyTemperature(p, 0.5);
    // p^(1/2) renormalised: √0.7, √0.2, √0.1 over their sum.
    const roots = p.map(Math.sqrt);
    const s = roots.reduce((a, b) => a + b, 0);
    roots.forEach((r, i) => expect(soft[i]).toBeCloseTo(r / s, 6));
    expect(sharp[0]).toBeGreaterThan(0.7);
    for (const q of [soft, sharp]) {
      expect(q.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      expect(q[0]).toBeGreaterThan(q[1]!);
      expect(q[1]).toBeGreaterThan(q[2]!);
    }
    expect(Array.from(applyTemperature(p, 1))).toEqual(Array.from(Float32Array.from(p)));
  });

  it("refuses a temperature that is not a positive number", () => {
    expect(() => applyTemperature([0.5, 0.5], 0)).toThrow(/positive/);
    expect(() => applyTemperature([0.5, 0.5], Number.NaN)).toThrow(/positive/);
  });
});

describe("fitTemperature", () => {
  it.each([1.8, 0.6])("recovers the over- or under-confidence a model was given (T0 = %s)", (t0) => {
    const { probs, labels } = overconfident(4000, t0, 7);
    const fit = fitTemperature(probs, labels);
    expect(fit.temperature).toBeGreaterThan(t0 * 0.9);
    expect(fit.temperature).toBeLessThan(t0 * 1.1);
    expect(fit.nllAfter).toBeLessThan(fit.nllBefore);
    // Calibrated, the confidence matches the accuracy: ECE falls to sampling noise.
    const calibrated = probs.map((p) => applyTemperature(p, fit.temperature));
    expect(expectedCalibrationError(calibrated, labels)).toBeLessThan(expectedCalibrationError(probs, labels));
    expect(expectedCalibrationError(calibrated, labels)).toBeLessThan(0.03);
  });

  it("leaves a calibrated model near T = 1, and fits nothing on too few faces", () => {
    const { probs, labels } = overconfident(4000, 1, 11);
    expect(Math.abs(fitTemperature(probs, labels).temperature - 1)).toBeLessThan(0.1);
    const few = overconfident(10, 3, 1);
    expect(fitTemperature(few.probs, few.labels)).toMatchObject({ temperature: 1, n: 10 });
  });
});

describe("negativeLogLikelihood and expectedCalibrationError", () => {
  it("match hand-computed values", () => {
    // −(ln 0.8 + ln 0.5) / 2
    expect(
      negativeLogLikelihood(
        [
          [0.8, 0.2],
          [0.5, 0.5],
        ],
        [0, 1],
      ),
    ).toBeCloseTo(-(Math.log(0.8) + Math.log(0.5)) / 2, 9);
    // Two faces at 0.9 (one right) in one bin: |0.5 − 0.9| = 0.4; two at 0.6, both right: |1 − 0.6| = 0.4.
    const probs = [
      [0.9, 0.1],
      [0.9, 0.1],
      [0.6, 0.4],
      [0.4, 0.6],
    ];
    expect(expectedCalibrationError(probs, [0, 1, 0, 1], 10)).toBeCloseTo(0.4, 9);
  });
});
