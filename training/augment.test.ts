import { describe, expect, it } from "vitest";
import { augmentPixels, type AugmentOptions } from "@/training/augment";
import { mulberry32 } from "@/training/random";

const none: AugmentOptions = { rotationDeg: 0, zoom: 0, shift: 0, flip: false, brightness: 0, contrast: 0 };
const gradient = (h: number, w: number) => Uint8Array.from({ length: h * w }, (_, i) => (i % w) * 5);

describe("augmentPixels", () => {
  it("is the identity with every distortion off, and leaves its input alone", () => {
    const px = gradient(8, 8);
    const copy = px.slice();
    expect(augmentPixels(px, 8, 8, 1, mulberry32(1), none)).toEqual(px);
    expect(px).toEqual(copy);
  });

  it("flips horizontally", () => {
    const px = gradient(4, 4);
    const out = augmentPixels(px, 4, 4, 1, () => 0, { ...none, flip: true });
    expect(Array.from(out.slice(0, 4))).toEqual([15, 10, 5, 0]);
  });

  it("is reproducible for a seed and differs across seeds", () => {
    const px = gradient(48, 48);
    const a = augmentPixels(px, 48, 48, 1, mulberry32(7));
    expect(augmentPixels(px, 48, 48, 1, mulberry32(7))).toEqual(a);
    expect(augmentPixels(px, 48, 48, 1, mulberry32(8))).not.toEqual(a);
  });
});
