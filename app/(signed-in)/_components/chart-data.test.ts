import { expect, it } from "vitest";
import { epochAxis, lastValues, shares, shortDay, stackTotals, withAlpha } from "./chart-data";

it.each([
  [[1, 2, 3, 4, 5, 6, 7], { min: 1, max: 7 }],
  [[1], { min: 0.5, max: 1.5 }],
  [[], { min: 0.5, max: 1.5 }],
  [[3, 1, 2], { min: 1, max: 3 }],
])("the epoch axis of %j is %j: the epochs run, not those planned", (epochs, axis) => {
  expect(epochAxis(epochs)).toEqual(axis);
});

it("turns counts into shares, and nothing into zeros", () => {
  expect(shares([1, 3, 0])).toEqual([0.25, 0.75, 0]);
  expect(shares([0, 0])).toEqual([0, 0]);
});

it("sums stacked series position by position", () => {
  expect(
    stackTotals([
      [1, 2, 3],
      [0, 5, 1],
    ]),
  ).toEqual([1, 7, 4]);
  expect(stackTotals([])).toEqual([]);
});

it("summarises each series by its last value, skipping gaps and empty series", () => {
  const summary = lastValues(
    [
      {
        name: "Training loss",
        points: [
          { x: 1, y: 0.9 },
          { x: 2, y: 0.5 },
        ],
      },
      {
        name: "Validation loss",
        points: [
          { x: 1, y: 0.8 },
          { x: 2, y: null },
        ],
      },
      { name: "Nothing", points: [] },
    ],
    (y) => y.toFixed(2),
  );
  expect(summary).toEqual({ x: 2, text: "Training loss 0.50, Validation loss 0.80" });
  expect(lastValues([{ name: "Empty", points: [] }], String)).toBeNull();
});

it("writes a UTC day short", () => {
  expect(shortDay("2026-11-30")).toBe("30 Nov");
});

it.each([
  ["#2f62b0", "rgba(47, 98, 176, 0.2)"],
  ["#fff", "rgba(255, 255, 255, 0.2)"],
  ["rgb(1 2 3)", "rgb(1 2 3)"],
])("gives %s an alpha: %s", (color, out) => {
  expect(withAlpha(color, 0.2)).toBe(out);
});
