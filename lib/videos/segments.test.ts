import { describe, expect, it } from "vitest";
import { dominantSegments, summarizeFaceTime } from "./segments";

/** Frames at 2 fps from a string of labels: h happy, s sad, n neutral, "." the face not found. */
function frames(pattern: string, fps = 2) {
  const names: Record<string, string> = { h: "happy", s: "sad", n: "neutral" };
  return [...pattern].flatMap((c, i) => (c === "." ? [] : [{ t: i / fps, label: names[c]! }]));
}

describe("dominantSegments", () => {
  it.each([
    ["a run of two", "nhhn", [[0.5, 1.5]]],
    ["one frame alone is not a segment", "nhnn", []],
    ["a gap of one other label is bridged", "hhshh", [[0, 2.5]]],
    ["a gap of one missing frame is bridged", "hh.hh", [[0, 2.5]]],
    ["two frames with one gap between them count", "hnh", [[0, 1.5]]],
    [
      "a gap of two ends the segment",
      "hhsshh",
      [
        [0, 1],
        [2, 3],
      ],
    ],
    [
      "a gap of two missing frames ends it too",
      "hh..hh",
      [
        [0, 1],
        [2, 3],
      ],
    ],
    ["the last frame's interval ends at the video's end", "nnhh", [[1, 1.9]]],
    ["no target frames", "nnnn", []],
  ])("%s", (_what, pattern, expected) => {
    const segments = dominantSegments([{ track_id: 1, frames: frames(pattern) }], ["happy"], 2, 1.9);
    expect(segments.map((s) => [s.start_s, Math.min(s.end_s, 99)])).toEqual(
      expected.map(([a, b]) => [a, Math.min(b!, 1.9)]),
    );
    for (const s of segments) expect(s).toMatchObject({ track_id: 1, emotion: "happy" });
  });

  it("lists each target of each track, sorted by start", () => {
    const segments = dominantSegments(
      [
        { track_id: 1, frames: frames("sshh") },
        { track_id: 2, frames: frames("hhss") },
      ],
      ["happy", "sad"],
      2,
      10,
    );
    expect(segments).toEqual([
      { track_id: 1, emotion: "sad", start_s: 0, end_s: 1 },
      { track_id: 2, emotion: "happy", start_s: 0, end_s: 1 },
      { track_id: 1, emotion: "happy", start_s: 1, end_s: 2 },
      { track_id: 2, emotion: "sad", start_s: 1, end_s: 2 },
    ]);
  });

  it("ignores emotions not asked for", () => {
    expect(dominantSegments([{ track_id: 1, frames: frames("hhhh") }], ["sad"], 2, 10)).toEqual([]);
  });

  it("works at a low rate (one frame in ten seconds)", () => {
    expect(dominantSegments([{ track_id: 3, frames: frames("hh", 0.1) }], ["happy"], 0.1, 15)).toEqual([
      { track_id: 3, emotion: "happy", start_s: 0, end_s: 15 },
    ]);
  });
});

describe("summarizeFaceTime", () => {
  const labels = ["happy", "sad", "neutral"];
  it("gives each label's share of all face frames, summing to 1", () => {
    const summary = summarizeFaceTime([{ frames: frames("hhs") }, { frames: frames("n") }], labels);
    expect(summary).toEqual({ happy: 0.5, sad: 0.25, neutral: 0.25 });
    expect(Object.values(summary).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it("is all zeros without faces", () => {
    expect(summarizeFaceTime([], labels)).toEqual({ happy: 0, sad: 0, neutral: 0 });
  });
});
