import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { imageToInput, imageToPixels, normalizePixels } from "@/lib/model/preprocess";

/** A w×h single-channel PNG whose pixel i is f(i). */
function grayPng(w: number, h: number, f: (i: number) => number): Promise<Buffer> {
  const px = Buffer.from(Array.from({ length: w * h }, (_, i) => f(i)));
  return sharp(px, { raw: { width: w, height: h, channels: 1 } })
    .png()
    .toBuffer();
}

describe("normalizePixels", () => {
  it.each([
    ["unit", [0, 51, 255], [0, 0.2, 1]],
    ["symmetric", [0, 51, 255], [-1, -0.6, 1]],
  ] as const)("%s", (mode, input, expected) => {
    const out = normalizePixels(Uint8Array.from(input), mode);
    expect(out).toBeInstanceOf(Float32Array);
    expected.forEach((e, i) => expect(out[i]).toBeCloseTo(e, 6));
  });
});

describe("imageToInput", () => {
  it("passes a 48x48 grayscale image through unchanged apart from scaling", async () => {
    const png = await grayPng(48, 48, (i) => i % 256);
    const out = await imageToInput(png, { inputShape: [48, 48, 1], preprocessing: "unit" });
    expect(out.length).toBe(48 * 48);
    expect(out[0]).toBe(0);
    expect(out[255]).toBeCloseTo(1, 6);
    expect(out[300]).toBeCloseTo((300 % 256) / 255, 6);
  });

  it("resizes any size to exactly h×w (stretching, no letterbox)", async () => {
    const png = await grayPng(96, 30, () => 200);
    const out = await imageToInput(png, { inputShape: [48, 48, 1], preprocessing: "symmetric" });
    expect(out.length).toBe(48 * 48);
    for (const v of out) expect(v).toBeCloseTo((200 / 255) * 2 - 1, 5);
  });

  it("converts colour to one grey channel for c=1 and keeps RGB for c=3", async () => {
    const red = await sharp({ create: { width: 10, height: 10, channels: 3, background: { r: 255, g: 0, b: 0 } } })
      .jpeg({ quality: 100 })
      .toBuffer();
    const gray = await imageToPixels(red, [4, 4, 1], "lanczos3");
    expect(gray.length).toBe(16);
    // BT.601 luma of pure red, 0.299 · 255, give or take JPEG rounding.
    expect(Math.abs((gray[0] ?? 0) - 76)).toBeLessThanOrEqual(2);
    const rgb = await imageToPixels(red, [4, 4, 3], "lanczos3");
    expect(rgb.length).toBe(48);
    expect(rgb[0]).toBeGreaterThan(240);
    expect(rgb[1]).toBeLessThan(15);
  });

  it("replicates a grayscale source into three channels for c=3", async () => {
    const png = await grayPng(4, 4, () => 77);
    const rgb = await imageToPixels(png, [4, 4, 3], "lanczos3");
    expect(Array.from(rgb)).toEqual(new Array(48).fill(77));
  });

  it("composites transparency onto black", async () => {
    const clear = await sharp({
      create: { width: 4, height: 4, channels: 4, background: { r: 255, g: 255, b: 255, alpha: 0 } },
    })
      .png()
      .toBuffer();
    expect(Array.from(await imageToPixels(clear, [4, 4, 1], "lanczos3"))).toEqual(new Array(16).fill(0));
  });

  it("resizes with the version's filter: bilinear as OpenCV, lanczos3 as sharp", async () => {
    const png = await grayPng(2, 1, (i) => [0, 100][i]!);
    expect(Array.from(await imageToPixels(png, [1, 4, 1], "bilinear"))).toEqual([0, 25, 75, 100]);
    // Lanczos rings past the edges' values: the two filters give the model different pixels.
    expect(Array.from(await imageToPixels(png, [1, 4, 1], "lanczos3"))).not.toEqual([0, 25, 75, 100]);
    const meta = { inputShape: [1, 4, 1] as [number, number, 1], preprocessing: "unit" as const };
    const viaInput = await imageToInput(png, { ...meta, resizeFilter: "bilinear" });
    expect(Array.from(viaInput).map((v) => Math.round(v * 255))).toEqual([0, 25, 75, 100]);
    // A version whose metadata names no filter keeps sharp's lanczos3.
    expect(Array.from(await imageToInput(png, meta))).toEqual(
      Array.from(await imageToPixels(png, [1, 4, 1], "lanczos3")).map((v) => Math.fround(v / 255)),
    );
  });

  it("rejects bytes that are not an image", async () => {
    await expect(
      imageToInput(Buffer.from("hello"), { inputShape: [48, 48, 1], preprocessing: "unit" }),
    ).rejects.toThrow();
  });
});

describe("imageToInput on grey pixels (a video frame's crops, never encoded)", () => {
  // Random pixels, so that any difference in a resize or a conversion shows.
  const noise = (n: number, seed: number) => {
    let s = seed;
    return Uint8Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) >>> 0), s >>> 24));
  };
  it.each([
    ["48x48 into a 48x48x1 model (the pixels as they are)", 48, [48, 48, 1], "lanczos3"],
    ["48x48 into a 48x48x1 model, bilinear", 48, [48, 48, 1], "bilinear"],
    ["48x48 into a 64x64x1 model (resized)", 48, [64, 64, 1], "lanczos3"],
    ["48x48 into a 64x64x1 model, bilinear", 48, [64, 64, 1], "bilinear"],
    ["48x48 into a 48x48x3 model (grey to RGB)", 48, [48, 48, 3], "lanczos3"],
    ["60x60 into a 48x48x1 model", 60, [48, 48, 1], "lanczos3"],
  ] as const)("gives what the same pixels as a PNG give: %s", async (_name, side, inputShape, resizeFilter) => {
    const data = noise(side * side, side + inputShape[0] + inputShape[2]);
    const png = await sharp(Buffer.from(data), { raw: { width: side, height: side, channels: 1 } })
      .png()
      .toBuffer();
    const meta = {
      inputShape: [...inputShape] as [number, number, 1 | 3],
      preprocessing: "unit" as const,
      resizeFilter,
    };
    const fromPng = await imageToInput(png, meta);
    const fromPixels = await imageToInput({ data, width: side, height: side, channels: 1 }, meta);
    expect(Array.from(fromPixels)).toEqual(Array.from(fromPng));
  });

  it("refuses pixels that do not fill their size", async () => {
    await expect(
      imageToInput(
        { data: new Uint8Array(47 * 48), width: 48, height: 48, channels: 1 },
        {
          inputShape: [48, 48, 1],
          preprocessing: "unit",
        },
      ),
    ).rejects.toThrow(/2256 bytes for 48x48/);
  });
});
