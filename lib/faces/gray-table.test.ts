import path from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import type { RgbImage } from "@/lib/images/decode";
import { grayRegion, sharpGrayTable } from "./gray-table";

async function sharpGray(img: RgbImage, box: { x: number; y: number; width: number; height: number }) {
  return new Uint8Array(
    await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
      .toColourspace("b-w")
      .extract({ left: box.x, top: box.y, width: box.width, height: box.height })
      .raw({ depth: "uchar" })
      .toBuffer(),
  );
}

describe("sharp's grey by table", () => {
  it("is sharp's toColourspace('b-w') exactly: a million random colours, and a photo's region", async () => {
    const table = await sharpGrayTable();
    expect(table.length).toBe(2 ** 24);
    let s = 7;
    const random: RgbImage = {
      data: Uint8Array.from({ length: 1000 * 1000 * 3 }, () => ((s = (s * 1103515245 + 12345) >>> 0), s >>> 24)),
      width: 1000,
      height: 1000,
      channels: 3,
    };
    const all = { x: 0, y: 0, width: 1000, height: 1000 };
    expect(Buffer.from(grayRegion(table, random, all).data).equals(Buffer.from(await sharpGray(random, all)))).toBe(
      true,
    );

    const { data, info } = await sharp(path.resolve("node_modules/@vladmandic/face-api/demo/sample2.jpg"))
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const photo: RgbImage = { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 };
    const box = { x: 301, y: 117, width: 257, height: 263 };
    const region = grayRegion(table, photo, box);
    expect(region).toMatchObject({ width: 257, height: 263, channels: 1 });
    expect(Buffer.from(region.data).equals(Buffer.from(await sharpGray(photo, box)))).toBe(true);
  }, 60_000);

  it("refuses a region that is not whole pixels inside the image", async () => {
    const table = await sharpGrayTable();
    const img: RgbImage = { data: new Uint8Array(10 * 10 * 3), width: 10, height: 10, channels: 3 };
    expect(() => grayRegion(table, img, { x: 5, y: 5, width: 6, height: 2 })).toThrow(/inside the 10×10 image/);
    expect(() => grayRegion(table, img, { x: 0.5, y: 0, width: 2, height: 2 })).toThrow(RangeError);
  });
});
