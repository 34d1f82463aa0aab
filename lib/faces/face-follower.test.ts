import { describe, expect, it } from "vitest";
import { FaceFollower } from "./face-follower";
import type { Box } from "./square-box";

// The decisions alone: which frames are searched whole and which around the faces before. The
// searches are scripted here; region-search.test.ts runs the real detector on real photos.
const size = { width: 640, height: 480 };
const face = (x: number): Box => ({ x, y: 100, width: 60, height: 80 });

/** Records what the follower asked for; `regionsFind` decides what each region search finds. */
function scripted(wholeFrame: Box[], regionsFind: (regions: Box[]) => boolean[] = (r) => r.map(() => true)) {
  const calls: string[] = [];
  const detect = async () => {
    calls.push("full");
    return wholeFrame;
  };
  const inRegions = async (regions: Box[]): Promise<Box[]> => {
    calls.push(`regions:${regions.length}`);
    const found = regionsFind(regions);
    // Each region that finds its face finds it where the region is centred.
    return regions.flatMap((r, i) =>
      found[i] ? [{ x: r.x + r.width / 4, y: r.y + r.height / 4, width: r.width / 2, height: r.height / 2 }] : [],
    );
  };
  return { calls, detect, inRegions };
}

describe("FaceFollower", () => {
  it("searches the first frame whole, then only around its faces until a full detection is due", async () => {
    const f = new FaceFollower<Box>({ fullEverySeconds: 1 });
    const s = scripted([face(100), face(300)]);
    for (const t of [0, 0.25, 0.5, 0.75, 1, 1.25]) await f.next(t, size, s.detect, s.inRegions);
    expect(s.calls).toEqual(["full", "regions:2", "regions:2", "regions:2", "full", "regions:2"]);
    expect(f.counts()).toEqual({ frames: 6, fullDetections: 2, regionSearches: 4 });
  });

  it("searches each region around the face it follows, and passes on what the regions found", async () => {
    const f = new FaceFollower<Box>();
    const s = scripted([face(100)]);
    await f.next(0, size, s.detect, s.inRegions);
    let seen: Box[] = [];
    const next = await f.next(0.1, size, s.detect, async (regions) => {
      seen = regions;
      return s.inRegions(regions);
    });
    expect(next.full).toBe(false);
    // Twice the face's larger side, centred on it.
    expect(seen).toEqual([{ x: 50, y: 60, width: 160, height: 160 }]);
    expect(next.faces).toEqual([{ x: 90, y: 100, width: 80, height: 80 }]);
  });

  it("searches the same frame whole at once when a region loses its face, leaving out what it refuted", async () => {
    const f = new FaceFollower<Box>();
    let lost = true;
    const s = scripted([face(100), face(300)], (regions) => regions.map((_, i) => i === 0 || !lost));
    await f.next(0, size, s.detect, s.inRegions);
    const next = await f.next(0.1, size, s.detect, s.inRegions);
    // The whole frame shows face(300) again where its region found nothing: not taken for a face.
    expect(next).toEqual({ faces: [face(100)], full: true });
    expect(s.calls).toEqual(["full", "regions:2", "full"]);
    // The next frame follows the one face left, around it; the next periodic full detection
    // (1 s after the last) takes whatever it finds.
    lost = false;
    expect(await f.next(0.2, size, s.detect, s.inRegions)).toMatchObject({ full: false });
    expect(s.calls.at(-1)).toBe("regions:1");
    expect(await f.next(1.1, size, s.detect, s.inRegions)).toEqual({ faces: [face(100), face(300)], full: true });
  });

  it("keeps a lost face that the whole frame finds somewhere else (it moved beyond its region)", async () => {
    const f = new FaceFollower<Box>();
    let whole = [face(100), face(300)];
    const s = scripted([], (regions) => regions.map((_, i) => i === 0));
    const detect = async () => whole;
    await f.next(0, size, detect, s.inRegions);
    whole = [face(100), face(480)];
    expect(await f.next(0.1, size, detect, s.inRegions)).toEqual({ faces: [face(100), face(480)], full: true });
  });

  it("follows only boxes that overlap a face: a box a region found beside its face is left out", async () => {
    const f = new FaceFollower<Box>();
    const s = scripted([face(100)]);
    await f.next(0, size, s.detect, s.inRegions);
    const next = await f.next(0.1, size, s.detect, async () => [
      { x: 100, y: 100, width: 60, height: 80 },
      { x: 20, y: 20, width: 30, height: 30 },
    ]);
    expect(next).toEqual({ faces: [{ x: 100, y: 100, width: 60, height: 80 }], full: false });
  });

  it("searches every frame whole while there is no face, and when time goes backwards (a seek)", async () => {
    const f = new FaceFollower<Box>();
    const none = scripted([]);
    await f.next(0, size, none.detect, none.inRegions);
    await f.next(0.1, size, none.detect, none.inRegions);
    expect(none.calls).toEqual(["full", "full"]);

    const s = scripted([face(100)]);
    await f.next(0.2, size, s.detect, s.inRegions);
    await f.next(0.3, size, s.detect, s.inRegions);
    await f.next(0.1, size, s.detect, s.inRegions);
    expect(s.calls).toEqual(["full", "regions:1", "full"]);
  });

  it("always searches whole without a region search or with it turned off (the SSD detector)", async () => {
    const off = new FaceFollower<Box>({ regionSearch: false });
    const s = scripted([face(100)]);
    for (const t of [0, 0.1, 0.2]) await off.next(t, size, s.detect, s.inRegions);
    const without = new FaceFollower<Box>();
    for (const t of [0, 0.1]) await without.next(t, size, s.detect);
    expect(s.calls).toEqual(["full", "full", "full", "full", "full"]);
  });
});
