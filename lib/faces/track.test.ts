import { describe, expect, it } from "vitest";
import { IouTracker, iou } from "@/lib/faces/track";

const box = (x: number, y: number, s = 10) => ({ x, y, width: s, height: s });

describe("iou", () => {
  it("is 1 for the same box, 0 for boxes apart or touching, and the hand-computed share otherwise", () => {
    expect(iou(box(0, 0), box(0, 0))).toBe(1);
    expect(iou(box(0, 0), box(10, 0))).toBe(0);
    expect(iou(box(0, 0), box(50, 50))).toBe(0);
    // Overlap 5×10 = 50 of a union 100 + 100 − 50 = 150.
    expect(iou(box(0, 0), box(5, 0))).toBeCloseTo(1 / 3, 12);
  });
});

describe("IouTracker", () => {
  it("keeps a moving face on one track and gives a new face a new id", () => {
    const t = new IouTracker();
    expect(t.update([box(0, 0)])).toEqual([1]);
    expect(t.update([box(2, 1)])).toEqual([1]);
    expect(t.update([box(100, 100), box(3, 2)])).toEqual([2, 1]);
  });

  it("never swaps two faces close together: the larger overlap wins first", () => {
    const t = new IouTracker();
    expect(t.update([box(0, 0), box(8, 0)])).toEqual([1, 2]);
    // Both move right by 3: box 2 now overlaps track 1 a little and track 2 a lot.
    expect(t.update([box(11, 0), box(3, 0)])).toEqual([2, 1]);
  });

  it("bridges missed detections up to maxMissed frames, then ends the track and never reuses its id", () => {
    const t = new IouTracker({ maxMissed: 1 });
    expect(t.update([box(0, 0)])).toEqual([1]);
    expect(t.update([])).toEqual([]);
    expect(t.update([box(1, 0)])).toEqual([1]);
    t.update([]);
    t.update([]);
    expect(t.update([box(1, 0)])).toEqual([2]);
  });

  it("starts a new track when the overlap is below minIou", () => {
    const t = new IouTracker({ minIou: 0.5 });
    t.update([box(0, 0)]);
    expect(t.update([box(5, 0)])).toEqual([2]); // IoU 1/3
  });
});
