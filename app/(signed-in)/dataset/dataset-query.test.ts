import { describe, expect, it } from "vitest";
import { apiFilters, countText, listQuery, readState, roundEstimate, withChanges } from "./dataset-query";

describe("the dataset browser's address", () => {
  it("reads filters, sort, view and the open face, ignoring unknown and empty parameters", () => {
    const state = readState(
      new URLSearchParams("predicted=happy&verdict=&sort=-margin&view=table&face=12&colour=red&golden=true"),
    );
    expect(state).toEqual({
      filters: { predicted: "happy", golden: "true" },
      sort: "-margin",
      view: "table",
      face: 12,
    });
    expect(readState(new URLSearchParams("sort=random&view=list&face=-3"))).toEqual({
      filters: {},
      sort: "newest",
      view: "grid",
      face: null,
    });
  });

  it("writes changes in a fixed order, leaving out defaults and cleared values", () => {
    const params = new URLSearchParams("face=3&predicted=sad&view=table");
    expect(withChanges(params, { sort: "oldest", golden: "true" })).toBe(
      "?view=table&predicted=sad&golden=true&sort=oldest&face=3",
    );
    expect(withChanges(params, { view: "grid", sort: "newest", predicted: "", face: null })).toBe("");
  });

  it("sends picked days as the reader's whole days, and other filters as they are", () => {
    const f = apiFilters({ from: "2026-11-02", to: "2026-11-03", predicted: "fear", upload: "4" });
    expect(new Date(f.from!).getTime()).toBe(new Date(2026, 10, 2).getTime());
    expect(new Date(f.to!).getTime()).toBe(new Date(2026, 10, 4).getTime() - 1);
    expect(f).toMatchObject({ predicted: "fear", upload: "4" });
    // Not a day: left for the server to accept or refuse.
    expect(apiFilters({ from: "2026-11-02T10:00:00Z" }).from).toBe("2026-11-02T10:00:00Z");
    expect(listQuery({ filters: { verdict: "none" }, sort: "newest" }, 60, "abc")).toBe(
      "verdict=none&limit=60&cursor=abc",
    );
  });

  it("counts exactly, or about, to three figures", () => {
    expect(countText({ count: 37, exact: true })).toBe("37 faces");
    expect(countText({ count: 1, exact: true })).toBe("1 face");
    expect(countText({ count: 12_437, exact: false })).toBe("about 12,400 faces");
    expect(roundEstimate(1_234_567)).toBe(1_230_000);
  });
});
