import { describe, expect, it } from "vitest";
import { IouTracker } from "./track";
import { argmax, ProbabilitySmoother } from "./track-smoothing";

describe("ProbabilitySmoother", () => {
  it("a new track starts at its own probabilities, then moves alpha of the way each frame", () => {
    const s = new ProbabilitySmoother({ alpha: 0.5 });
    expect(s.update([1], [[1, 0]])).toEqual([[1, 0]]);
    expect(s.update([1], [[0, 1]])).toEqual([[0.5, 0.5]]);
    expect(s.update([1], [[0, 1]])).toEqual([[0.25, 0.75]]);
  });

  it("keeps a label steady through one frame that disagrees (no flicker)", () => {
    const s = new ProbabilitySmoother();
    const happy = [0.1, 0.6, 0.3];
    const blip = [0.1, 0.3, 0.6];
    const labels = [happy, happy, happy, blip, happy, happy].map((p) => argmax(s.update([7], [p])[0]!));
    expect(labels).toEqual([1, 1, 1, 1, 1, 1]);
    // Unsmoothed, the blip would have flipped the label for a frame.
    expect(argmax(blip)).toBe(2);
  });

  it("follows a lasting change within a few frames", () => {
    const s = new ProbabilitySmoother();
    for (let i = 0; i < 5; i++) s.update([1], [[0.8, 0.2]]);
    const labels = Array.from({ length: 6 }, () => argmax(s.update([1], [[0.2, 0.8]])[0]!));
    expect(labels.indexOf(1)).toBeGreaterThan(0);
    expect(labels.indexOf(1)).toBeLessThanOrEqual(3);
    expect(labels.at(-1)).toBe(1);
  });

  it("averages each track on its own, and forgets tracks not seen for a while", () => {
    const s = new ProbabilitySmoother({ alpha: 0.5, forgetAfter: 2 });
    expect(
      s.update(
        [1, 2],
        [
          [1, 0],
          [0, 1],
        ],
      ),
    ).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(
      s.update(
        [2, 1],
        [
          [1, 0],
          [0, 1],
        ],
      ),
    ).toEqual([
      [0.5, 0.5],
      [0.5, 0.5],
    ]);
    s.update([2], [[1, 0]]);
    s.update([2], [[1, 0]]);
    s.update([2], [[1, 0]]);
    expect(s.size).toBe(1);
    // Track 1 comes back as new: its own probabilities, not the old average.
    expect(s.update([1], [[0, 1]])).toEqual([[0, 1]]);
  });

  it("with the IoU tracker: two faces keep their own averages while they move", () => {
    const tracker = new IouTracker();
    const s = new ProbabilitySmoother({ alpha: 0.5 });
    const frame = (dx: number) => [
      { x: 10 + dx, y: 10, width: 50, height: 50 },
      { x: 200 + dx, y: 10, width: 50, height: 50 },
    ];
    s.update(tracker.update(frame(0)), [
      [1, 0],
      [0, 1],
    ]);
    // The faces are listed in the other order this frame; each still gets its own history.
    const [left, right] = frame(5);
    const out = s.update(tracker.update([right!, left!]), [
      [0, 1],
      [1, 0],
    ]);
    expect(out).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });

  it("refuses an alpha outside (0, 1] and mismatched inputs", () => {
    expect(() => new ProbabilitySmoother({ alpha: 0 })).toThrow(RangeError);
    expect(() => new ProbabilitySmoother().update([1, 2], [[1]])).toThrow();
  });
});

describe("argmax", () => {
  it.each([
    [[0.1, 0.7, 0.2], 1],
    [[0.5, 0.5], 0],
    [[], -1],
  ])("%j → %i", (values, index) => expect(argmax(values)).toBe(index));
});
