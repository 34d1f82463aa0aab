import { expect, it } from "vitest";
import { burnDown, lastDays } from "@/lib/stats/days";

it("lists the last days in UTC, oldest first, across a month's end", () => {
  expect(lastDays(new Date("2026-12-02T23:30:00Z"), 4)).toEqual([
    "2026-11-29",
    "2026-11-30",
    "2026-12-01",
    "2026-12-02",
  ]);
  expect(lastDays(new Date("2026-12-02T00:00:00Z"), 1)).toEqual(["2026-12-02"]);
  expect(lastDays(new Date())).toHaveLength(30);
});

it("walks the queue back from now: a day ends with the next day's faces, less its arrivals, plus its decisions", () => {
  const days = ["2026-11-28", "2026-11-29", "2026-11-30"];
  // 10 open now; on the 30th 4 faces came and 1 was decided; on the 29th 2 decided; the 28th is before both.
  const entered = new Map([["2026-11-30", 4]]);
  const decided = new Map([
    ["2026-11-29", 2],
    ["2026-11-30", 1],
    ["2026-11-27", 50],
  ]);
  expect(burnDown(days, 10, entered, decided)).toEqual([9, 7, 10]);
});

it("never goes below zero where the record and the count disagree", () => {
  expect(burnDown(["a", "b"], 1, new Map([["b", 5]]), new Map())).toEqual([0, 1]);
});
