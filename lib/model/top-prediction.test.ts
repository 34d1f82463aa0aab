import { describe, expect, it } from "vitest";
import { EMOTION_LABELS } from "@/lib/model/labels";
import { topMargin, topPrediction } from "@/lib/model/top-prediction";

describe("topMargin", () => {
  it.each([
    [[0.7, 0.05, 0.25], 0.45],
    [[0.5, 0.5], 0],
    [[1], 1],
    [[], 0],
  ])("%j → %d", (probs, margin) => {
    expect(topMargin(probs)).toBeCloseTo(margin, 12);
  });
});

describe("topPrediction", () => {
  it.each([
    [[0.05, 0.7, 0.25], { label: "disgust", confidence: 0.7, margin: 0.45 }],
    // Equal highest: the first of them, margin 0.
    [[0.1, 0.45, 0.45], { label: "disgust", confidence: 0.45, margin: 0 }],
    [[1], { label: "angry", confidence: 1, margin: 1 }],
  ])("%j → %j", (probs, expected) => {
    const got = topPrediction(probs, EMOTION_LABELS);
    expect(got.label).toBe(expected.label);
    expect(got.confidence).toBe(expected.confidence);
    expect(got.margin).toBeCloseTo(expected.margin, 12);
  });

  it("names a class past the labels by its index, and refuses an empty vector", () => {
    expect(topPrediction([0.2, 0.8], ["a"]).label).toBe("1");
    expect(() => topPrediction([], EMOTION_LABELS)).toThrow("no probabilities");
  });
});
