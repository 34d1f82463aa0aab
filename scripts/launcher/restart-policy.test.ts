import { describe, expect, it } from "vitest";
import { decideAfterExit, DEFAULT_RESTART_POLICY, type RestartPolicy } from "@/scripts/launcher/restart-policy";

const policy: RestartPolicy = { crashLimit: 5, stableAfterMs: 60_000, firstDelayMs: 1_000, maxDelayMs: 6_000 };

/** Feeds run lengths through the policy one exit after another, as the launcher does. */
function run(runLengthsMs: number[], p = policy) {
  let streak = 0;
  return runLengthsMs.map((ran) => {
    const d = decideAfterExit(p, streak, ran);
    streak = d.shortRunsInARow;
    return d;
  });
}

describe("decideAfterExit", () => {
  it("doubles the wait along a streak of short runs, up to the cap, then gives up at the limit", () => {
    expect(run([500, 500, 500, 500, 500])).toEqual([
      { restart: true, delayMs: 1_000, shortRunsInARow: 1 },
      { restart: true, delayMs: 2_000, shortRunsInARow: 2 },
      { restart: true, delayMs: 4_000, shortRunsInARow: 3 },
      { restart: true, delayMs: 6_000, shortRunsInARow: 4 },
      { restart: false, shortRunsInARow: 5 },
    ]);
  });

  it.each([
    [
      "a process that runs a minute or more between crashes restarts at once, forever",
      [60_000, 3_600_000, 61_000, 60_000, 90_000, 60_000],
      [1, 1, 1, 1, 1, 1],
    ],
    ["a long run ends a streak", [100, 100, 100, 100_000, 100], [1, 2, 3, 1, 2]],
    ["four quick crashes, a stable run, four more", [1, 1, 1, 1, 60_000, 1, 1, 1], [1, 2, 3, 4, 1, 2, 3, 4]],
  ])("%s", (_name, runs, streaks) => {
    const decisions = run(runs);
    expect(decisions.every((d) => d.restart)).toBe(true);
    expect(decisions.map((d) => d.shortRunsInARow)).toEqual(streaks);
  });

  it("gives up on a loop whose every start is slow, not only on five crashes within a minute", () => {
    expect(run([50_000, 50_000, 50_000, 50_000, 50_000]).at(-1)).toEqual({ restart: false, shortRunsInARow: 5 });
  });

  it("the defaults give up at the fifth short run and wait 1, 2, 4, 8 s before that", () => {
    const decisions = run([2_000, 2_000, 2_000, 2_000, 2_000], DEFAULT_RESTART_POLICY);
    expect(decisions.map((d) => (d.restart ? d.delayMs : "give up"))).toEqual([1_000, 2_000, 4_000, 8_000, "give up"]);
  });
});
