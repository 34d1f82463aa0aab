import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { resizeLanczos3 } from "@/lib/model/resize-lanczos3";
import { samplePhoto } from "@/test/support/http";
import { cropGrayFrame, grayLikeSharp } from "./frame-crop";

describe("grayLikeSharp", () => {
  it("equals sharp's toColourspace('b-w') on a million colours but a handful, those off by one", async () => {
    const side = 1024;
    const rgb = new Uint8Array(side * side * 3);
    let s = 12345;
    for (let i = 0; i < rgb.length; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      rgb[i] = s >>> 24;
    }
    // Every grey, and every level of each primary.
    for (let v = 0; v < 256; v++) {
      rgb.set([v, v, v], v * 3);
      rgb.set([v, 0, 0], (256 + v) * 3);
      rgb.set([0, v, 0], (512 + v) * 3);
      rgb.set([0, 0, v], (768 + v) * 3);
    }
    const expected = await sharp(rgb, { raw: { width: side, height: side, channels: 3 } })
      .toColourspace("b-w")
      .raw()
      .toBuffer();
    const got = grayLikeSharp(rgb, 3);
    let differing = 0;
    let max = 0;
    for (let i = 0; i < got.length; i++) {
      if (got[i] !== expected[i]) differing++;
      max = Math.max(max, Math.abs(got[i]! - expected[i]!));
    }
    // 8 of these 1,048,576 (libvips' own linear-light table rounds a few colours the other way).
    expect(differing).toBeLessThanOrEqual(16);
    expect(max).toBeLessThanOrEqual(1);
  });

  it("reads RGBA (a canvas' pixels) the same as RGB", () => {
    const rgba = new Uint8ClampedArray([10, 200, 30, 255, 250, 0, 90, 0]);
    expect([...grayLikeSharp(rgba, 4)]).toEqual([...grayLikeSharp(new Uint8Array([10, 200, 30, 250, 0, 90]), 3)]);
  });
});

describe("cropGrayFrame", () => {
  // Square regions of the sample photos, from no resize to a 6.7× reduction, against sharp's crop.
  const cases = [1, 2, 3, 4, 5, 6].flatMap((n) => [48, 97, 150, 211, 320].map((side) => [n, side] as const));
  it.each(cases)("sample%i.jpg, a %i px square: within 3 grey levels of sharp, under 1 on average", async (n, side) => {
    const { data, info } = await sharp(samplePhoto(n)).toColourspace("b-w").raw().toBuffer({ resolveWithObject: true });
    const box = { x: 7, y: 3, width: side, height: side };
    const expected = await sharp(data, { raw: { width: info.width, height: info.height, channels: 1 } })
      .extract({ left: box.x, top: box.y, width: side, height: side })
      .resize(48, 48, { fit: "fill" })
      .toColourspace("b-w")
      .raw()
      .toBuffer();
    const got = cropGrayFrame(new Uint8Array(data), info.width, info.height, box);
    let sum = 0;
    let max = 0;
    for (let i = 0; i < got.length; i++) {
      const d = Math.abs(got[i]! - expected[i]!);
      sum += d;
      max = Math.max(max, d);
    }
    expect(max).toBeLessThanOrEqual(side === 48 ? 0 : 3);
    expect(sum / got.length).toBeLessThan(1);
  });

  it("refuses a box outside the image or not in whole pixels", () => {
    const gray = new Uint8Array(10 * 10);
    expect(() => cropGrayFrame(gray, 10, 10, { x: 5, y: 5, width: 6, height: 6 })).toThrow(RangeError);
    expect(() => cropGrayFrame(gray, 10, 10, { x: 0.5, y: 0, width: 4, height: 4 })).toThrow(RangeError);
  });
});

describe("resizeLanczos3", () => {
  it("returns a copy when the size is unchanged", () => {
    const src = new Uint8Array([1, 2, 3, 4]);
    const out = resizeLanczos3(src, 2, 2, 2, 2);
    expect([...out]).toEqual([1, 2, 3, 4]);
    expect(out).not.toBe(src);
  });
});
