import { expect, it } from "vitest";
import { niceTicks } from "./line-chart";

it.each([
  [0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1]],
  [0, 2.2, [0, 0.5, 1, 1.5, 2]],
  [0, 0.07, [0, 0.02, 0.04, 0.06]],
  [1, 1, [1]],
])("ticks between %s and %s", (min, max, ticks) => {
  expect(niceTicks(min, max)).toEqual(ticks);
});
