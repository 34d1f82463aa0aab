import { describe, expect, it } from "vitest";
import { parseServerTiming, StageTimes } from "@/lib/uploads/stage-times";

describe("StageTimes", () => {
  it("adds up each stage's runs, keeps the order they first ran in, and reads back from its header", async () => {
    const times = new StageTimes();
    const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
    await times.time("decode", () => wait(5));
    await times.time("model", () => wait(5));
    await times.time("decode", () => wait(5));
    expect(Object.keys(times.ms)).toEqual(["decode", "model"]);
    expect(times.ms.decode).toBeGreaterThanOrEqual(9);
    const parsed = parseServerTiming(times.header());
    expect(Object.keys(parsed)).toEqual(["decode", "model"]);
    expect(parsed.decode).toBeCloseTo(times.ms.decode!, 1);
  });

  it("times a stage that throws, and the error still reaches the caller", async () => {
    const times = new StageTimes();
    await expect(times.time("store", () => Promise.reject(new Error("disk full")))).rejects.toThrow("disk full");
    expect(times.ms.store).toBeGreaterThanOrEqual(0);
  });

  it("skips entries without a duration and reads none from no header", () => {
    expect(parseServerTiming('cache;desc="hit", db;dur=3.5')).toEqual({ db: 3.5 });
    expect(parseServerTiming(null)).toEqual({});
  });
});
