import crypto from "node:crypto";
import zlib from "node:zlib";
import sharp, { type Sharp } from "sharp";
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors/app-error";
import {
  DETECTOR_MAX_SIDE,
  MAX_IMAGE_PIXELS,
  MAX_UPLOAD_BYTES,
  decodeUpload,
  isSrgbProfile,
  type ImageFormat,
} from "./decode";

// Every fixture is made here at run time; nothing binary is committed.

function solid(width: number, height: number, background = "#3080c0") {
  return sharp({ create: { width, height, channels: 3, background } });
}

function noise(width: number, height: number) {
  return sharp({
    create: {
      width,
      height,
      channels: 3,
      background: "#000000",
      noise: { type: "gaussian", mean: 128, sigma: 60 },
    },
  });
}

/** A 1×1 PNG whose IHDR was rewritten to claim `width`×`height`: a header with almost no pixel data. */
async function pngWithForgedHeader(width: number, height: number): Promise<Buffer> {
  const png = await solid(1, 1).png().toBuffer();
  // Signature (8) + IHDR length (4) + type (4) + data (13) + CRC (4); then the 1-pixel IDAT and IEND.
  const ihdr = Buffer.from(png.subarray(8, 33));
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  ihdr.writeUInt32BE(zlib.crc32(ihdr.subarray(4, 21)), 21);
  return Buffer.concat([png.subarray(0, 8), ihdr, png.subarray(33)]);
}

async function rejection(bytes: Buffer): Promise<AppError> {
  const err: unknown = await decodeUpload(bytes).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  return err;
}

describe("decodeUpload rejects", () => {
  it.each<[string, () => Promise<Buffer>, string, number]>([
    ["an empty file", async () => Buffer.alloc(0), "invalid_image", 400],
    // decodeUpload never sees a file name: a text file called photo.jpg is still text.
    [
      "a text file named photo.jpg",
      async () => Buffer.from("hello, I am not a photo\n"),
      "unsupported_media_type",
      415,
    ],
    [
      "an SVG",
      async () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'),
      "unsupported_media_type",
      415,
    ],
    ["a GIF", () => solid(16, 16).gif().toBuffer(), "unsupported_media_type", 415],
    [
      "a truncated JPEG",
      async () => {
        const jpeg = await noise(320, 240).jpeg().toBuffer();
        return jpeg.subarray(0, Math.floor(jpeg.length / 2));
      },
      "invalid_image",
      400,
    ],
    [
      "a truncated PNG",
      async () => {
        const png = await noise(320, 240).png().toBuffer();
        return png.subarray(0, Math.floor(png.length / 2));
      },
      "invalid_image",
      400,
    ],
    [
      "JPEG magic followed by garbage",
      async () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), crypto.randomBytes(2000)]),
      "invalid_image",
      400,
    ],
    // A real 8000×7500 image, solid so it compresses to ~190 KB: a small decompression bomb.
    ["a 60-megapixel PNG", () => solid(8000, 7500).png().toBuffer(), "payload_too_large", 413],
    // One pixel of data under a 60 MP header: a 413 (not a 400 for the missing rows) shows the
    // header is checked before any decoding.
    ["a PNG header claiming 60 megapixels", () => pngWithForgedHeader(8000, 7500), "payload_too_large", 413],
    // Under the pixel limit, so it gets decoded, and the missing rows are caught.
    [
      "a PNG header claiming 30 megapixels over 1 pixel of data",
      () => pngWithForgedHeader(6000, 5000),
      "invalid_image",
      400,
    ],
    // Incompressible noise stored uncompressed: a genuine image just over the byte limit.
    ["an 11 MB PNG", () => noise(2000, 1900).png({ compressionLevel: 0 }).toBuffer(), "payload_too_large", 413],
  ])("%s", async (_name, make, code, status) => {
    const bytes = await make();
    const err = await rejection(bytes);
    expect({ code: err.code, status: err.status }).toEqual({ code, status });
    expect(err.message.length).toBeGreaterThan(0);
  });

  it("has limits that the oversized fixtures actually exceed", async () => {
    expect(8000 * 7500).toBeGreaterThan(MAX_IMAGE_PIXELS);
    const big = await noise(2000, 1900).png({ compressionLevel: 0 }).toBuffer();
    expect(big.length).toBeGreaterThan(MAX_UPLOAD_BYTES);
    expect(big.length).toBeLessThan(12 * 1024 * 1024);
  });
});

describe("decodeUpload accepts", () => {
  it.each<[ImageFormat, (s: Sharp) => Sharp, "jpeg" | "png"]>([
    ["jpeg", (s) => s.jpeg(), "jpeg"],
    ["png", (s) => s.png(), "png"],
    ["webp", (s) => s.webp(), "jpeg"],
  ])("a valid %s", async (format, encode, normalizedFormat) => {
    const bytes = await encode(noise(300, 200)).toBuffer();
    const img = await decodeUpload(bytes);

    expect(img).toMatchObject({
      format,
      width: 300,
      height: 200,
      bytes: bytes.length,
      sha256: crypto.createHash("sha256").update(bytes).digest("hex"),
      normalizedFormat,
    });
    const stored = await sharp(img.normalized).metadata();
    expect([stored.format, stored.width, stored.height]).toEqual([normalizedFormat, 300, 200]);
    expect(img.rgb).toMatchObject({ width: 300, height: 200, channels: 3 });
    expect(img.rgb.data.length).toBe(300 * 200 * 3);
    expect(img.gray).toMatchObject({ width: 300, height: 200, channels: 1 });
    expect(img.gray.data.length).toBe(300 * 200);
  });

  it("applies EXIF orientation: a 40×20 JPEG tagged 'rotate 90° CW' becomes 20×40", async () => {
    // White left half, black right half; after a 90° clockwise turn the white is on top.
    const stored = await solid(40, 20, "#000000")
      .composite([
        { input: { create: { width: 20, height: 20, channels: 3, background: "#ffffff" } }, left: 0, top: 0 },
      ])
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect((await sharp(stored).metadata()).orientation).toBe(6);

    const img = await decodeUpload(stored);

    expect([img.width, img.height]).toEqual([20, 40]);
    const normalized = await sharp(img.normalized).metadata();
    expect([normalized.width, normalized.height, normalized.orientation]).toEqual([20, 40, undefined]);
    const row = (y: number) => img.gray.data.subarray(y * 20, (y + 1) * 20);
    expect(Math.min(...row(5))).toBeGreaterThan(200);
    expect(Math.max(...row(34))).toBeLessThan(55);
  });

  it("hands the detector a copy no larger than DETECTOR_MAX_SIDE, keeping the aspect ratio", async () => {
    const img = await decodeUpload(await solid(3000, 1500).jpeg().toBuffer());
    expect([img.width, img.height]).toEqual([3000, 1500]);
    expect([img.rgb.width, img.rgb.height]).toEqual([DETECTOR_MAX_SIDE, DETECTOR_MAX_SIDE / 2]);
    expect([img.gray.width, img.gray.height]).toEqual([3000, 1500]);
  });

  it("flattens transparency onto white and reads 16-bit PNGs as 8-bit", async () => {
    const transparent = await sharp({
      create: { width: 8, height: 8, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .png()
      .toBuffer();
    const img = await decodeUpload(transparent);
    expect(Math.min(...img.gray.data)).toBeGreaterThan(250);
    expect(Math.min(...img.rgb.data)).toBeGreaterThan(250);

    const deep = await solid(8, 8).toColourspace("rgb16").png().toBuffer();
    expect((await sharp(deep).metadata()).depth).toBe("ushort");
    const img16 = await decodeUpload(deep);
    expect(img16.gray.data.length).toBe(64);
    expect(img16.rgb.data.length).toBe(64 * 3);
  });
});

describe("decodeUpload's one decode", () => {
  /** What each of the three images is when made by decoding the upload separately (the reference). */
  async function threeDecodes(bytes: Buffer) {
    const oriented = () => sharp(bytes).autoOrient();
    const raw = async (p: Sharp) => new Uint8Array(await p.raw({ depth: "uchar" }).toBuffer());
    return {
      normalized:
        (await sharp(bytes).metadata()).format === "png"
          ? await oriented().png().toBuffer()
          : await oriented().flatten({ background: "#ffffff" }).jpeg({ quality: 90 }).toBuffer(),
      rgb: await raw(
        oriented()
          .resize(DETECTOR_MAX_SIDE, DETECTOR_MAX_SIDE, { fit: "inside", withoutEnlargement: true })
          .flatten({ background: "#ffffff" })
          .toColourspace("srgb"),
      ),
      gray: await raw(oriented().flatten({ background: "#ffffff" }).toColourspace("b-w")),
    };
  }

  const demo = "node_modules/@vladmandic/face-api/demo";
  const base = () => sharp(`${demo}/sample2.jpg`).resize(900);
  const inputs: [string, () => Promise<Buffer>][] = [
    // A camera photo with its EXIF and ICC profile, as phones send them.
    ["a camera JPEG with an ICC profile", async () => (await import("node:fs")).readFileSync(`${demo}/sample1.jpg`)],
    // A wide-gamut phone photo: its profile must be applied.
    ["a JPEG with a Display P3 profile", () => base().jpeg().withIccProfile("p3").toBuffer()],
    ["a grayscale JPEG", () => base().greyscale().jpeg().toBuffer()],
    ["a CMYK JPEG", () => base().toColourspace("cmyk").jpeg().toBuffer()],
    ["a JPEG tagged 'rotate 90° CW'", () => base().jpeg().withMetadata({ orientation: 6 }).toBuffer()],
    ["a PNG with transparency", () => base().ensureAlpha(0.5).png().toBuffer()],
    ["a palette PNG", () => base().png({ palette: true }).toBuffer()],
    ["a grayscale PNG with transparency", () => base().greyscale().ensureAlpha(0.5).png().toBuffer()],
    ["a WebP with transparency", () => base().ensureAlpha(0.7).webp().toBuffer()],
    ["a 16-bit PNG", () => base().toColourspace("rgb16").png().toBuffer()],
    ["a 48×48 face crop", () => base().resize(48, 48).greyscale().png().toBuffer()],
  ];

  it.each(inputs)("gives %s the same crops' pixels and stored bytes as three separate decodes", async (name, make) => {
    const sameDetectorPixels = !/rotate|WebP/.test(name);
    const bytes = await make();
    const [got, want] = await Promise.all([decodeUpload(bytes), threeDecodes(bytes)]);
    expect(Buffer.from(got.gray.data).equals(Buffer.from(want.gray))).toBe(true);
    let worst = 0;
    let sum = 0;
    got.rgb.data.forEach((v, i) => {
      const d = Math.abs(v - want.rgb[i]!);
      worst = Math.max(worst, d);
      sum += d;
    });
    expect(got.rgb.data.length).toBe(want.rgb.length);
    if (sameDetectorPixels) {
      expect(worst).toBe(0);
    } else {
      // Rotated or transparent: the copy is resized after the rotation and the flattening instead of
      // before; the detector sees a fraction of a level's difference on average (measured: 0.12 and 0.55).
      expect(sum / got.rgb.data.length).toBeLessThan(1);
    }
    expect(got.normalized.equals(want.normalized)).toBe(true);
  });
});

describe("isSrgbProfile", () => {
  const profileOf = async (make: (s: Sharp) => Sharp) =>
    (await sharp(await make(solid(8, 8)).jpeg().toBuffer()).metadata()).icc!;

  it("knows the sRGB profile camera photos carry (ICC v2 text description)", async () => {
    const { icc } = await sharp("node_modules/@vladmandic/face-api/demo/sample1.jpg").metadata();
    expect(icc!.toString("latin1")).toContain("sRGB IEC61966-2.1");
    expect(isSrgbProfile(icc!)).toBe(true);
  });

  it("knows an ICC v4 sRGB profile (multi-localised description)", async () => {
    const icc = await profileOf((s) => s.withIccProfile("srgb"));
    expect(icc.toString("latin1", 36, 40)).toBe("acsp");
    expect(icc[8]).toBe(4); // the profile version's major byte: a v4 profile, not sharp's v2 one again
    expect(isSrgbProfile(icc)).toBe(true);
  });

  it("refuses a linear variant of sRGB, whose pixels the profile does change", async () => {
    const { icc } = await sharp("node_modules/@vladmandic/face-api/demo/sample1.jpg").metadata();
    const name = "sRGB IEC61966-2.1";
    const renamed = Buffer.from(icc!.toString("latin1").replaceAll(name, "linear sRGB 61966"), "latin1");
    expect(renamed).toHaveLength(icc!.length);
    expect(isSrgbProfile(renamed)).toBe(false);
  });

  it("refuses Display P3, CMYK and anything that is not a profile", async () => {
    expect(isSrgbProfile(await profileOf((s) => s.withIccProfile("p3")))).toBe(false);
    expect(isSrgbProfile(await profileOf((s) => s.toColourspace("cmyk").withIccProfile("cmyk")))).toBe(false);
    expect(isSrgbProfile(Buffer.alloc(0))).toBe(false);
    expect(isSrgbProfile(Buffer.alloc(200, 0xff))).toBe(false);
  });
});
