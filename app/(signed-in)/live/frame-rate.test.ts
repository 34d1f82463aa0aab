import { describe, expect, it } from "vitest";
import { FrameRate } from "./frame-rate";

describe("FrameRate", () => {
  it("frames per second over the recent frames, and their mean costs", () => {
    let t = 0;
    const rate = new FrameRate(() => t);
    expect(rate.current("wasm")).toMatchObject({ fps: 0, frames: 0, detectMs: 0 });
    for (let i = 0; i < 5; i++) {
      t = i * 100;
      rate.frame("wasm", 40, 20 + i, 2, i === 0);
    }
    expect(rate.current("wasm")).toEqual({
      backend: "wasm",
      fps: 10,
      detectMs: 40,
      modelMs: 22,
      frames: 5,
      faces: 2,
      fullDetections: 1,
    });
  });

  it("forgets frames beyond its window, so a slowdown shows within seconds", () => {
    let t = 0;
    const rate = new FrameRate(() => t);
    for (let i = 0; i < 30; i++) {
      rate.frame("webgl", 1, 1, 1);
      t += 10;
    }
    for (let i = 0; i < 30; i++) {
      rate.frame("webgl", 1, 1, 1);
      t += 1000;
    }
    expect(rate.current("webgl").fps).toBeCloseTo(1, 5);
    expect(rate.current("webgl").frames).toBe(60);
  });
});
