import { describe, expect, it } from "vitest";
import { spreadProbabilities } from "@/lib/feedback-io/probabilities";
import { EMOTION_LABELS } from "@/lib/model/labels";

describe("spreadProbabilities", () => {
  it.each([
    ["happy", 0.7],
    ["angry", 1],
    ["neutral", 0],
    ["fear", 0.1],
  ])("puts the confidence at %s (%d), shares the rest evenly and sums to 1", (label, confidence) => {
    const probs = spreadProbabilities(EMOTION_LABELS, label, confidence);
    expect(probs).toHaveLength(7);
    expect(probs[EMOTION_LABELS.indexOf(label as (typeof EMOTION_LABELS)[number])]).toBe(confidence);
    const others = probs.filter((_, i) => EMOTION_LABELS[i] !== label);
    for (const p of others) expect(p).toBeCloseTo((1 - confidence) / 6, 12);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it.each([
    ["an unknown label", "contempt", 0.5],
    ["a confidence above 1", "happy", 1.2],
    ["a negative confidence", "happy", -0.1],
    ["NaN", "happy", Number.NaN],
  ])("refuses %s", (_what, label, confidence) => {
    expect(() => spreadProbabilities(EMOTION_LABELS, label, confidence)).toThrow(RangeError);
  });
});
