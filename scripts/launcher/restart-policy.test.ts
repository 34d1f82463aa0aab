import { describe, expect, it } from "vitest";
import { decideAfterCrash, DEFAULT_RESTART_POLICY, type RestartPolicy } from "@/scripts/launcher/restart-policy";

const policy: RestartPolicy = { crashLimit: 5, windowMs: 60_000, firstDelayMs: 1_000, maxDelayMs: 6_000 };

/** Feeds crash times through the policy one by one, as the launcher does. */
function run(times: number[], p = policy) {
  let crashes: number[] = [];
  return times.map((t) => {
    const r = decideAfterCrash(p, crashes, t);
    crashes = r.crashes;
    return r.decision;
  });
}

describe("decideAfterCrash", () => {
  it("doubles the wait for each crash inside the window, up to the cap, then gives up at the limit", () => {
    const decisions = run([0, 1_000, 3_000, 7_000, 13_000]);
    expect(decisions).toEqual([
      { restart: true, delayMs: 1_000, crashesInWindow: 1 },
      { restart: true, delayMs: 2_000, crashesInWindow: 2 },
      { restart: true, delayMs: 4_000, crashesInWindow: 3 },
      { restart: true, delayMs: 6_000, crashesInWindow: 4 },
      { restart: false, crashesInWindow: 5 },
    ]);
  });

  it.each([
    ["crashes spread wider than the window never give up", [0, 61_000, 122_000, 183_000, 244_000, 305_000], [1, 1, 1, 1, 1, 1]],
    ["the wait falls back once older crashes leave the window", [0, 1_000, 2_000, 62_500], [1, 2, 3, 1]],
    ["four quick crashes, then a quiet minute, then four more", [0, 1, 2, 3, 70_000, 70_001, 70_002, 70_003], [1, 2, 3, 4, 1, 2, 3, 4]],
  ])("%s", (_name, times, inWindow) => {
    const decisions = run(times);
    expect(decisions.every((d) => d.restart)).toBe(true);
    expect(decisions.map((d) => d.crashesInWindow)).toEqual(inWindow);
  });

  it("the defaults give up at the fifth crash within a minute and wait at most 8 s before that", () => {
    const decisions = run([0, 2_000, 5_000, 10_000, 20_000], DEFAULT_RESTART_POLICY);
    expect(decisions.map((d) => (d.restart ? d.delayMs : "give up"))).toEqual([1_000, 2_000, 4_000, 8_000, "give up"]);
  });
});
