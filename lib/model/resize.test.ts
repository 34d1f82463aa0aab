import { describe, expect, it } from "vitest";
import { resizeBilinear } from "@/lib/model/resize";

describe("resizeBilinear (half-pixel centres, as OpenCV INTER_LINEAR)", () => {
  it("upsamples a row as cv2.resize does: [0, 100] → [0, 25, 75, 100]", () => {
    // Output x samples the source at (x + ½) · ½ − ½: −¼ (clamped to 0), ¼, ¾, 1¼ (clamped to 1).
    expect(Array.from(resizeBilinear(Uint8Array.from([0, 100]), 2, 1, 1, 4, 1))).toEqual([0, 25, 75, 100]);
  });

  it("downsamples by averaging neighbours, without antialiasing: [0, 100, 200, 255] → [50, 228]", () => {
    // Output x samples at (x + ½) · 2 − ½ = ½ and 2½: halfway between pixels 0–1 and 2–3.
    expect(Array.from(resizeBilinear(Uint8Array.from([0, 100, 200, 255]), 4, 1, 1, 2, 1))).toEqual([50, 228]);
  });

  it("interpolates both axes and every channel on its own", () => {
    // 2×2 RGB: the red channel 0/100 across, the green channel 0/200 down, blue constant.
    const src = Uint8Array.from([0, 0, 9, 100, 0, 9, 0, 200, 9, 100, 200, 9]);
    const out = resizeBilinear(src, 2, 2, 3, 4, 4);
    const at = (x: number, y: number) => Array.from(out.subarray((y * 4 + x) * 3, (y * 4 + x) * 3 + 3));
    expect(at(0, 0)).toEqual([0, 0, 9]);
    expect(at(1, 2)).toEqual([25, 150, 9]);
    expect(at(3, 3)).toEqual([100, 200, 9]);
  });

  it("copies an image already at the size", () => {
    const src = Uint8Array.from([1, 2, 3, 4]);
    const out = resizeBilinear(src, 2, 2, 1, 2, 2);
    expect(Array.from(out)).toEqual([1, 2, 3, 4]);
    expect(out).not.toBe(src);
  });

  it("refuses pixels that do not match the size given", () => {
    expect(() => resizeBilinear(Uint8Array.from([1, 2, 3]), 2, 2, 1, 4, 4)).toThrow(/3 values, expected 2x2x1/);
  });
});
