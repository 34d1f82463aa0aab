import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { CROP_SIZE, type Box, centerSquare, cropFace, cropFaces, cropName, cropWholeImage, expandBox } from "./crop";

describe("expandBox", () => {
  it.each<[string, Box, number, number, number | undefined, Box]>([
    ["centre", { x: 40, y: 40, width: 20, height: 20 }, 100, 100, undefined, { x: 36, y: 36, width: 28, height: 28 }],
    [
      "tall box → square on its larger side",
      { x: 40, y: 30, width: 20, height: 30 },
      100,
      100,
      undefined,
      { x: 29, y: 24, width: 42, height: 42 },
    ],
    ["no margin", { x: 10, y: 10, width: 20, height: 20 }, 100, 100, 0, { x: 10, y: 10, width: 20, height: 20 }],
    [
      "left edge: shifted right",
      { x: 0, y: 40, width: 20, height: 20 },
      100,
      100,
      undefined,
      { x: 0, y: 36, width: 28, height: 28 },
    ],
    [
      "right edge: shifted left",
      { x: 85, y: 40, width: 15, height: 20 },
      100,
      100,
      undefined,
      { x: 72, y: 36, width: 28, height: 28 },
    ],
    [
      "bottom-right corner",
      { x: 90, y: 90, width: 10, height: 10 },
      100,
      100,
      undefined,
      { x: 86, y: 86, width: 14, height: 14 },
    ],
    [
      "box sticking out of the top-left corner",
      { x: -5, y: -5, width: 20, height: 20 },
      100,
      100,
      undefined,
      { x: 0, y: 0, width: 28, height: 28 },
    ],
    [
      "tiny image: square shrinks to the shorter side",
      { x: 2, y: 2, width: 6, height: 6 },
      10,
      8,
      undefined,
      { x: 1, y: 0, width: 8, height: 8 },
    ],
    ["1×1 image", { x: 0, y: 0, width: 1, height: 1 }, 1, 1, undefined, { x: 0, y: 0, width: 1, height: 1 }],
    [
      "zero-size box still gets a pixel",
      { x: 5, y: 5, width: 0, height: 0 },
      10,
      10,
      undefined,
      { x: 5, y: 5, width: 1, height: 1 },
    ],
    [
      "wide image, face as tall as the image",
      { x: 80, y: 0, width: 40, height: 50 },
      200,
      50,
      undefined,
      { x: 75, y: 0, width: 50, height: 50 },
    ],
    [
      "tall image",
      { x: 10, y: 150, width: 30, height: 30 },
      50,
      400,
      undefined,
      { x: 4, y: 144, width: 42, height: 42 },
    ],
    [
      "fractional detector box",
      { x: 10.4, y: 20.6, width: 30.2, height: 40.7 },
      200,
      200,
      undefined,
      { x: 0, y: 12, width: 57, height: 57 },
    ],
  ])("%s", (_name, box, w, h, margin, expected) => {
    expect(expandBox(box, w, h, margin)).toEqual(expected);
  });

  it("always returns a whole-pixel square inside the image", () => {
    // Deterministic pseudo-random cases (LCG) so a failure is reproducible.
    let seed = 42;
    const rand = () => (seed = (seed * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32;
    for (let i = 0; i < 500; i++) {
      const w = 1 + Math.floor(rand() * 500);
      const h = 1 + Math.floor(rand() * 500);
      const box = {
        x: rand() * w * 1.2 - w * 0.1,
        y: rand() * h * 1.2 - h * 0.1,
        width: rand() * w,
        height: rand() * h,
      };
      const r = expandBox(box, w, h, rand() * 0.5);
      expect([r.x, r.y, r.width, r.height].every(Number.isInteger)).toBe(true);
      expect(r.width).toBe(r.height);
      expect(r.width).toBeGreaterThanOrEqual(1);
      expect(r.x).toBeGreaterThanOrEqual(0);
      expect(r.y).toBeGreaterThanOrEqual(0);
      expect(r.x + r.width).toBeLessThanOrEqual(w);
      expect(r.y + r.height).toBeLessThanOrEqual(h);
    }
  });

  it("refuses an empty image", () => {
    expect(() => expandBox({ x: 0, y: 0, width: 1, height: 1 }, 0, 10)).toThrow(RangeError);
  });
});

it.each<[number, number, Box]>([
  [300, 200, { x: 50, y: 0, width: 200, height: 200 }],
  [200, 301, { x: 0, y: 50, width: 200, height: 200 }],
  [48, 48, { x: 0, y: 0, width: 48, height: 48 }],
])("centerSquare(%i, %i)", (w, h, expected) => {
  expect(centerSquare(w, h)).toEqual(expected);
});

/** 300×200, black, with a white 100×100 square at (150, 50). */
function target() {
  return sharp({ create: { width: 300, height: 200, channels: 3, background: "#000000" } }).composite([
    { input: { create: { width: 100, height: 100, channels: 3, background: "#ffffff" } }, left: 150, top: 50 },
  ]);
}

/** The same picture as RGBA in which the "white" square is fully transparent black: flattening must make it white. */
function targetWithHole() {
  const data = Buffer.alloc(300 * 200 * 4);
  for (let y = 0; y < 200; y++) {
    for (let x = 0; x < 300; x++) {
      const hole = x >= 150 && x < 250 && y >= 50 && y < 150;
      data[(y * 300 + x) * 4 + 3] = hole ? 0 : 255;
    }
  }
  return sharp(data, { raw: { width: 300, height: 200, channels: 4 } });
}

async function pixels(png: Buffer) {
  const meta = await sharp(png).metadata();
  const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { meta, min: Math.min(...data), max: Math.max(...data) };
}

describe("cropFace", () => {
  it.each<[string, () => Promise<Buffer>]>([
    ["PNG", () => target().png().toBuffer()],
    ["JPEG", () => target().jpeg({ quality: 95 }).toBuffer()],
    ["RGBA PNG with a transparent square", () => targetWithHole().png().toBuffer()],
    ["16-bit PNG", () => target().toColourspace("rgb16").png().toBuffer()],
  ])("makes a 48×48 8-bit single-channel PNG of the box from a %s", async (_name, make) => {
    const image = await make();

    const inside = await pixels(await cropFace(image, { x: 160, y: 60, width: 80, height: 80 }));
    const outside = await pixels(await cropFace(image, { x: 10, y: 10, width: 80, height: 80 }));

    expect(inside.meta).toMatchObject({
      format: "png",
      width: CROP_SIZE,
      height: CROP_SIZE,
      channels: 1,
      depth: "uchar",
    });
    expect(outside.meta).toMatchObject({
      format: "png",
      width: CROP_SIZE,
      height: CROP_SIZE,
      channels: 1,
      depth: "uchar",
    });
    expect(inside.min).toBeGreaterThan(230);
    expect(outside.max).toBeLessThan(25);
  });

  it("gives the same crop from decoded gray pixels as from the encoded image", async () => {
    const png = await target().png().toBuffer();
    const { data, info } = await sharp(png).toColourspace("b-w").raw().toBuffer({ resolveWithObject: true });
    const gray = { data: new Uint8Array(data), width: info.width, height: info.height, channels: 1 as const };
    const box = { x: 120, y: 30, width: 120, height: 120 };

    const [fromGray] = await cropFaces(gray, [box]);
    expect(fromGray).toEqual(await cropFace(png, box));
  });

  it.each<[string, Box]>([
    ["outside the image", { x: 250, y: 0, width: 100, height: 100 }],
    ["negative", { x: -1, y: 0, width: 10, height: 10 }],
    ["fractional", { x: 1.5, y: 0, width: 10, height: 10 }],
    ["empty", { x: 0, y: 0, width: 0, height: 10 }],
  ])("refuses a box that is %s", async (_name, box) => {
    await expect(cropFace(await target().png().toBuffer(), box)).rejects.toThrow(RangeError);
  });
});

describe("cropWholeImage", () => {
  it("crops the centred square of a non-square face image", async () => {
    // White centre square, black 50 px bands left and right that the crop must leave out.
    const image = await sharp({ create: { width: 300, height: 200, channels: 3, background: "#000000" } })
      .composite([
        { input: { create: { width: 200, height: 200, channels: 3, background: "#ffffff" } }, left: 50, top: 0 },
      ])
      .png()
      .toBuffer();

    const { meta, min } = await pixels(await cropWholeImage(image));

    expect(meta).toMatchObject({ format: "png", width: CROP_SIZE, height: CROP_SIZE, channels: 1 });
    expect(min).toBeGreaterThan(230);
  });

  it("keeps a 48×48 grayscale face crop as it is", async () => {
    const face = await sharp({
      create: {
        width: 48,
        height: 48,
        channels: 3,
        background: "#000000",
        noise: { type: "gaussian", mean: 128, sigma: 40 },
      },
    })
      .toColourspace("b-w")
      .png()
      .toBuffer();
    const before = await sharp(face).raw().toBuffer();

    const after = await sharp(await cropWholeImage(face))
      .raw()
      .toBuffer();

    expect(after).toEqual(before);
  });
});

describe("cropName", () => {
  it("names a crop by the SHA-256 of its bytes", async () => {
    const a = await cropWholeImage(await target().png().toBuffer());
    const b = await cropFace(await target().png().toBuffer(), { x: 0, y: 0, width: 50, height: 50 });

    const name = cropName(a);

    expect(name.fileName).toMatch(/^[0-9a-f]{64}\.png$/);
    expect(name.fileName).toBe(`${name.sha256}.png`);
    expect(cropName(Buffer.from(a))).toEqual(name);
    expect(cropName(b).sha256).not.toBe(name.sha256);
  });
});
